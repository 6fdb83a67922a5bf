// Arbitrary bytes as a Markdown file: parse, render, chunk, and check the
// chunk contract (every chunk is the exact span of the document text its
// offsets name, after the table header it repeats, within the token limit).
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/unicode.h"
#include "docpipe/chunker.h"
#include "docpipe/render.h"
#include "text/markdown_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 64 * 1024) return 0;
  std::string text = docpipe::NormalizeText(std::string_view(reinterpret_cast<const char*>(data), size));
  docpipe::Document document;
  document.kind = docpipe::DocumentKind::kText;
  docpipe::Page page;
  page.number = 1;
  page.blocks = docpipe::text::ParseMarkdown(text).blocks;
  document.pages.push_back(std::move(page));
  (void)docpipe::RenderMarkdown(document);
  (void)docpipe::RenderJson(document);

  docpipe::ChunkOptions options;
  options.target_tokens = 24;
  options.max_tokens = 32;
  options.min_tokens = 4;
  options.overlap_tokens = 6;
  const std::string full = docpipe::DocumentText(document);
  for (const docpipe::Chunk& chunk : docpipe::ChunkDocument(document, options)) {
    const std::string repeated = chunk.table_header.empty() ? "" : chunk.table_header + "\n";
    if (chunk.char_start < 0 || chunk.char_end > static_cast<int64_t>(full.size()) ||
        chunk.char_start > chunk.char_end ||
        chunk.text.compare(0, repeated.size(), repeated) != 0 ||
        full.compare(chunk.char_start, chunk.char_end - chunk.char_start, chunk.text, repeated.size()) != 0 ||
        chunk.token_count > options.max_tokens) {
      std::abort();
    }
  }
  return 0;
}
