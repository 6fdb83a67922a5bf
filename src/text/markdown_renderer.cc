#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>
#include <vector>

#include "docpipe/render.h"

namespace docpipe {
namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

std::string_view TrimLeft(std::string_view s) {
  while (!s.empty() && (IsBlank(s.front()) || s.front() == '\r')) s.remove_prefix(1);
  return s;
}

std::string_view TrimRight(std::string_view s) {
  while (!s.empty() && (IsBlank(s.back()) || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// True when the line is only `c` characters and blanks, with at least `min_count` of `c`.
bool OnlyChar(std::string_view line, char c, int min_count) {
  int count = 0;
  for (char ch : line) {
    if (ch == c) {
      ++count;
    } else if (!IsBlank(ch)) {
      return false;
    }
  }
  return count >= min_count;
}

// Whether the first character of `line` (trimmed, non-empty) would open a
// heading, quote, list item, thematic break, setext underline, code fence,
// HTML block or link reference definition.
bool OpensBlockSyntax(std::string_view line) {
  const char c = line[0];
  switch (c) {
    case '#':
    case '>':
      return true;
    case '-':
    case '+':
    case '*':
      return line.size() == 1 || IsBlank(line[1]) || OnlyChar(line, c, 1);
    case '=':
      return OnlyChar(line, c, 1);
    case '_':
      return OnlyChar(line, c, 3);
    case '`':
    case '~':
      return line.substr(0, 3) == std::string(3, c);
    case '<':
      return line.size() > 1 && (std::isalpha(static_cast<unsigned char>(line[1])) || line[1] == '/' ||
                                 line[1] == '!' || line[1] == '?');
    case '[':
      return line.find("]:") != std::string_view::npos;
    default:
      return false;
  }
}

// The length of an ordered list marker's digits ("12" of "12. x"), or 0: up to
// nine digits, then '.' or ')', then a blank or the end of the line.
size_t OrderedMarkerDigits(std::string_view line) {
  size_t digits = 0;
  while (digits < line.size() && IsDigit(line[digits])) ++digits;
  const bool marker = digits > 0 && digits <= 9 && digits < line.size() &&
                      (line[digits] == '.' || line[digits] == ')') &&
                      (digits + 1 == line.size() || IsBlank(line[digits + 1]));
  return marker ? digits : 0;
}

// Backslash-escapes what would give a line of text Markdown meaning at its
// start; the rest of the line is kept as is.
std::string EscapeLineStart(std::string_view line) {
  line = TrimLeft(line);
  if (line.empty()) return {};
  if (OpensBlockSyntax(line)) return "\\" + std::string(line);
  if (const size_t digits = OrderedMarkerDigits(line)) {
    return std::string(line.substr(0, digits)) + "\\" + std::string(line.substr(digits));
  }
  return std::string(line);
}

// Ends a line with a hard break: a backslash (after one more that escapes a
// backslash the line ends with, which would otherwise take the break's).
void HardBreak(std::string* out) {
  if (!out->empty() && out->back() == '\\') *out += '\\';
  *out += '\\';
}

// Appends block text line by line: escaped starts, `indent` before every line
// after the first (so that list item continuations stay inside the item), and
// blank lines dropped (they would end the block). The block's line breaks are
// hard breaks, so that they survive rendering.
void AppendLines(std::string_view text, const std::string& indent, std::string* out) {
  bool first = true;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t newline = text.find('\n', pos);
    if (newline == std::string_view::npos) newline = text.size();
    const std::string line = EscapeLineStart(TrimRight(text.substr(pos, newline - pos)));
    pos = newline + 1;
    if (line.empty()) continue;
    if (!first) {
      HardBreak(out);
      *out += "\n" + indent;
    }
    *out += line;
    first = false;
  }
}

// The longest run of `c` in `text`.
size_t LongestRun(std::string_view text, char c) {
  size_t longest = 0, run = 0;
  for (char ch : text) {
    run = ch == c ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  return longest;
}

// A fenced code block: lines and leading indentation as they are (only
// trailing line ends trimmed), fenced by more backticks than the text holds.
void AppendCode(std::string_view text, std::string* out) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
  while (!text.empty() && text.front() == '\n') text.remove_prefix(1);
  const std::string fence(std::max<size_t>(3, LongestRun(text, '`') + 1), '`');
  *out += fence + "\n";
  *out += text;
  *out += "\n" + fence;
}

std::string HeadingLine(const Block& block) {
  std::string text;
  for (char c : block.text) text += (c == '\n' || c == '\r') ? ' ' : c;
  std::string_view trimmed = TrimRight(TrimLeft(text));
  std::string line(std::clamp(block.level, 1, 6), '#');
  line += ' ';
  // A trailing run of '#' would be read as the heading's closing sequence.
  size_t hashes = 0;
  while (hashes < trimmed.size() && trimmed[trimmed.size() - 1 - hashes] == '#') ++hashes;
  if (hashes < trimmed.size() && !IsBlank(trimmed[trimmed.size() - 1 - hashes])) hashes = 0;  // "C#"
  line += trimmed.substr(0, trimmed.size() - hashes);
  if (hashes > 0) line += "\\" + std::string(trimmed.substr(trimmed.size() - hashes));
  return line;
}

bool HasText(const Block& block) {
  return std::any_of(block.text.begin(), block.text.end(),
                     [](char c) { return !IsBlank(c) && c != '\n' && c != '\r'; });
}

// Markdown text accumulated block by block, tracking the list run in progress.
class MarkdownWriter {
 public:
  void Comment(const std::string& text) {
    EndList();
    StartBlock();
    out_ += "<!-- " + text + " -->";
  }

  void Write(const Block& block) {
    if (!HasText(block)) return;
    if (block.type == BlockType::kListItem) {
      ListItem(block);
      return;
    }
    EndList();
    StartBlock();
    switch (block.type) {
      case BlockType::kHeading:
        out_ += HeadingLine(block);
        break;
      case BlockType::kCaption:
        Caption(block);
        break;
      case BlockType::kCode:
        AppendCode(block.text, &out_);
        break;
      case BlockType::kTable:
        // Already Markdown (RenderTableMarkdown): every row starts with '|',
        // which no line-start escape may touch.
        out_ += TrimRight(block.text);
        break;
      default:
        AppendLines(block.text, "", &out_);
        break;
    }
  }

  std::string Finish() {
    if (!out_.empty()) out_ += '\n';
    return std::move(out_);
  }

 private:
  struct OpenItem {
    bool ordered = false;
    int number = 0;    // the last number used at this depth
    size_t width = 0;  // marker width, which nested items indent by
  };

  void StartBlock() {
    if (!out_.empty()) out_ += "\n\n";
  }

  void EndList() { open_.clear(); }

  void ListItem(const Block& block) {
    if (open_.empty()) {
      StartBlock();
    } else {
      out_ += '\n';
    }
    // Depth grows by at most one per item: deeper indentation with no parent
    // item would turn into an indented code block.
    const size_t depth = std::min(static_cast<size_t>(std::max(block.level, 0)), open_.size());
    if (depth < open_.size() && open_[depth].ordered != block.ordered) open_[depth].number = 0;
    open_.resize(depth + 1);
    OpenItem& item = open_[depth];
    item.ordered = block.ordered;
    std::string indent;
    for (size_t i = 0; i < depth; ++i) indent.append(open_[i].width, ' ');
    const std::string marker = block.ordered ? std::to_string(++item.number) + ". " : "- ";
    item.width = marker.size();
    out_ += indent + marker;
    AppendLines(block.text, indent + std::string(marker.size(), ' '), &out_);
  }

  void Caption(const Block& block) {
    const std::string_view text = TrimRight(TrimLeft(block.text));
    const bool simple = text.find_first_of("*\\\n") == std::string_view::npos;
    if (simple) {
      out_ += "*" + std::string(text) + "*";
    } else {
      AppendLines(text, "", &out_);
    }
  }

  std::string out_;
  std::vector<OpenItem> open_;  // one per depth of the list run in progress
};

// "--" may not appear inside an HTML comment.
std::string CommentSafe(std::string_view text) {
  std::string safe;
  for (char c : text) {
    if (c == '\n' || c == '\r') c = ' ';
    if (c == '-' && !safe.empty() && safe.back() == '-') safe += ' ';
    if (c == '>' && !safe.empty() && safe.back() == '-') safe += ' ';
    safe += c;
  }
  return safe;
}

}  // namespace

std::string RenderMarkdown(const Document& document) {
  MarkdownWriter writer;
  for (const Page& page : document.pages) {
    const std::string prefix = "page " + std::to_string(page.number) + ": ";
    if (!page.error.empty()) writer.Comment(prefix + "failed: " + CommentSafe(page.error));
    if (!page.ocr_unread_script.empty()) {
      writer.Comment(prefix + "not recognised: its script (" + CommentSafe(page.ocr_unread_script) +
                     ") is not among the OCR languages");
    } else if (page.needs_ocr && page.blocks.empty()) {
      writer.Comment(prefix + "needs OCR");
    }
    for (const Block& block : page.blocks) writer.Write(block);
  }
  return writer.Finish();
}

}  // namespace docpipe
