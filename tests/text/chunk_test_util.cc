#include "chunk_test_util.h"

#include <algorithm>

namespace docpipe::test_docs {
namespace {

class Generator {
 public:
  Generator(uint32_t seed, const GeneratorOptions& options) : rng_(seed), options_(options) {}

  GeneratedDocument Run() {
    GeneratedDocument out;
    out.top_level = Pick(2) + 1;
    const int pages = 1 + Pick(options_.max_pages);
    for (int number = 1; number <= pages; ++number) {
      Page page;
      page.number = number;
      page.needs_ocr = Pick(8) == 0;
      const int blocks = page.needs_ocr || Pick(10) == 0 ? 0 : 1 + Pick(options_.max_blocks_per_page);
      for (int i = 0; i < blocks; ++i) page.blocks.push_back(MakeBlock(number, out.top_level));
      out.document.pages.push_back(std::move(page));
    }
    return out;
  }

  // Sentence ranges inside the text of the block they were generated for.
  std::vector<std::vector<Span>> local_sentences;

 private:
  int Pick(int n) { return static_cast<int>(rng_() % static_cast<uint32_t>(n)); }

  std::string Word() {
    std::string word;
    const int length = 1 + Pick(Pick(4) == 0 ? 14 : 7);
    for (int i = 0; i < length; ++i) word += static_cast<char>('a' + Pick(26));
    return word;
  }

  std::string Sentence() {
    static const char* const kTricky[] = {"e.g. Paris", "Dr. Smith",     "Fig. 3",      "3.14",
                                          "J. Doe",     "et al. (2020)", "approx. Ten", "i.e. London",
                                          "No. 7",      "U.S. Army",     "don't",       "(see below)"};
    int words = 3 + Pick(20);
    if (options_.long_sentences && Pick(12) == 0) words = 300 + Pick(400);
    std::string sentence = Word();
    sentence[0] = static_cast<char>(sentence[0] - 'a' + 'A');
    for (int i = 1; i < words; ++i) {
      sentence += Pick(15) == 0 ? ", " : " ";
      if (Pick(8) == 0) {
        sentence += kTricky[Pick(sizeof(kTricky) / sizeof(kTricky[0]))];
      } else if (options_.giant_words && Pick(200) == 0) {
        sentence += std::string(300, static_cast<char>('a' + Pick(26)));
      } else {
        sentence += Word();
      }
    }
    // A long last word: a final "x." or "ed." reads as an initial or an abbreviation.
    sentence += " " + Word() + std::string(7, static_cast<char>('a' + Pick(26)));
    static const char kEnds[] = {'.', '.', '.', '?', '!'};
    sentence += kEnds[Pick(5)];
    if (Pick(10) == 0) sentence += '"';
    return sentence;
  }

  std::string Sentences(int count, std::vector<Span>* spans) {
    std::string text;
    for (int i = 0; i < count; ++i) {
      if (!text.empty()) text += Pick(6) == 0 ? "\n" : " ";
      const std::string sentence = Sentence();
      spans->push_back(
          {static_cast<int64_t>(text.size()), static_cast<int64_t>(text.size() + sentence.size())});
      text += sentence;
    }
    return text;
  }

  Block MakeBlock(int page, int top_level) {
    Block block;
    block.page = page;
    std::vector<Span> spans;
    const int kind = Pick(20);
    if (kind < 4) {
      block.type = BlockType::kHeading;
      block.level = std::min(6, top_level + Pick(3));
      block.text = "Heading " + Word() + " " + std::to_string(Pick(100));
      spans.push_back({0, static_cast<int64_t>(block.text.size())});
    } else if (kind < 7) {
      block.type = BlockType::kListItem;
      block.level = Pick(3);
      block.ordered = Pick(2) == 0;
      block.text = Sentences(1 + Pick(2), &spans);
    } else if (kind == 7) {
      block.type = BlockType::kTable;
      for (int row = 0; row < 2 + Pick(4); ++row) {
        if (!block.text.empty()) block.text += '\n';
        const std::string line = Word() + " | " + std::to_string(Pick(1000)) + " | " + Word();
        spans.push_back(
            {static_cast<int64_t>(block.text.size()), static_cast<int64_t>(block.text.size() + line.size())});
        block.text += line;
      }
    } else if (kind == 8) {
      block.type = BlockType::kCaption;
      block.text = Sentences(1, &spans);
    } else if (kind == 9) {
      block.text = Pick(2) == 0 ? "" : "  \n ";  // blocks with no text still shift offsets
    } else {
      block.text = Sentences(1 + Pick(12), &spans);
    }
    local_sentences.push_back(std::move(spans));
    return block;
  }

  std::mt19937 rng_;
  GeneratorOptions options_;
};

}  // namespace

Block TextBlock(BlockType type, std::string text, int level) {
  Block block;
  block.type = type;
  block.text = std::move(text);
  block.level = level;
  return block;
}

Block Heading(const std::string& text, int level, std::vector<std::string> path) {
  Block block = TextBlock(BlockType::kHeading, text, level);
  block.heading_path = std::move(path);
  return block;
}

Block Paragraph(const std::string& text, std::vector<std::string> path) {
  Block block = TextBlock(BlockType::kParagraph, text);
  block.heading_path = std::move(path);
  return block;
}

void Reindex(GeneratedDocument* generated) {
  generated->text = DocumentText(generated->document);
  generated->block_starts.clear();
  generated->blocks.clear();
  generated->block_pages.clear();
  int64_t offset = 0;
  bool any_text = false;
  for (const Page& page : generated->document.pages) {
    for (const Block& block : page.blocks) {
      if (any_text) offset += 2;
      any_text = any_text || !block.text.empty();
      generated->block_starts.push_back(offset);
      generated->blocks.push_back(&block);
      generated->block_pages.push_back(block.page > 0 ? block.page : page.number);
      offset += static_cast<int64_t>(block.text.size());
    }
  }
}

GeneratedDocument GenerateDocument(uint32_t seed, const GeneratorOptions& options) {
  Generator generator(seed, options);
  GeneratedDocument out = generator.Run();
  // Heading paths, as the structure stage fills them.
  std::vector<std::pair<int, std::string>> open;
  for (Page& page : out.document.pages) {
    for (Block& block : page.blocks) {
      if (block.type == BlockType::kHeading) {
        while (!open.empty() && open.back().first >= block.level) open.pop_back();
      }
      for (const auto& heading : open) block.heading_path.push_back(heading.second);
      if (block.type == BlockType::kHeading) open.emplace_back(block.level, block.text);
    }
  }
  Reindex(&out);
  for (size_t i = 0; i < out.blocks.size(); ++i) {
    for (const Span& span : generator.local_sentences[i]) {
      out.sentences.push_back({out.block_starts[i] + span.begin, out.block_starts[i] + span.end});
    }
  }
  return out;
}

}  // namespace docpipe::test_docs
