#include "text/markdown_parser.h"

#include <algorithm>
#include <optional>
#include <utility>

namespace docpipe::text {
namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsBlank(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsBlank(s.back())) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t newline = text.find('\n', pos);
    if (newline == std::string_view::npos) newline = text.size();
    lines.push_back(text.substr(pos, newline - pos));
    pos = newline + 1;
  }
  return lines;
}

// Columns of leading indentation (a tab counts as four).
int Indent(std::string_view line) {
  int columns = 0;
  for (char c : line) {
    if (c == ' ') {
      ++columns;
    } else if (c == '\t') {
      columns += 4;
    } else {
      break;
    }
  }
  return columns;
}

// The line is `c` repeated at least `min_count` times, blanks allowed between when `spaced`.
bool IsRuleOf(std::string_view line, char c, int min_count, bool spaced) {
  line = Trim(line);
  int count = 0;
  for (char ch : line) {
    if (ch == c) {
      ++count;
    } else if (!(spaced && IsBlank(ch))) {
      return false;
    }
  }
  return count >= min_count;
}

bool IsThematicBreak(std::string_view line) {
  return IsRuleOf(line, '-', 3, true) || IsRuleOf(line, '*', 3, true) || IsRuleOf(line, '_', 3, true);
}

// "## Title ##" -> level 2, "Title".
std::optional<std::pair<int, std::string_view>> AtxHeading(std::string_view line) {
  if (Indent(line) > 3) return std::nullopt;
  line = Trim(line);
  int level = 0;
  while (level < static_cast<int>(line.size()) && line[level] == '#') ++level;
  if (level == 0 || level > 6) return std::nullopt;
  if (level < static_cast<int>(line.size()) && !IsBlank(line[level])) return std::nullopt;  // "#tag"
  std::string_view title = Trim(line.substr(level));
  size_t end = title.size();
  while (end > 0 && title[end - 1] == '#') --end;  // the optional closing sequence
  if (end == 0 || IsBlank(title[end - 1])) title = Trim(title.substr(0, end));
  return std::make_pair(level, title);
}

struct ListMarker {
  int indent = 0;
  bool ordered = false;
  std::string_view content;
};

std::optional<ListMarker> ListItemMarker(std::string_view line) {
  ListMarker marker;
  marker.indent = Indent(line);
  std::string_view rest = Trim(line);
  size_t width = 0;
  if (!rest.empty() && (rest[0] == '-' || rest[0] == '*' || rest[0] == '+')) {
    width = 1;
  } else {
    while (width < rest.size() && width < 9 && IsDigit(rest[width])) ++width;
    if (width == 0 || width >= rest.size() || (rest[width] != '.' && rest[width] != ')')) return std::nullopt;
    ++width;
    marker.ordered = true;
  }
  if (width < rest.size() && !IsBlank(rest[width])) return std::nullopt;  // "-5", "1.5"
  marker.content = Trim(rest.substr(width));
  return marker;
}

bool IsFence(std::string_view line, std::string_view* fence) {
  if (Indent(line) > 3) return false;
  line = Trim(line);
  if (line.size() < 3 || (line[0] != '`' && line[0] != '~')) return false;
  size_t n = 0;
  while (n < line.size() && line[n] == line[0]) ++n;
  if (n < 3) return false;
  *fence = line.substr(0, n);
  return true;
}

// "> quoted" -> "quoted"; nested markers too.
std::string_view StripQuote(std::string_view line) {
  std::string_view rest = Trim(line);
  if (rest.empty() || rest[0] != '>' || Indent(line) > 3) return line;
  while (!rest.empty() && rest[0] == '>') rest = Trim(rest.substr(1));
  return rest;
}

bool IsAsciiPunct(char c) {
  return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') || (c >= '{' && c <= '~');
}

// Markdown's backslash escapes: "\#" -> "#"; a backslash before anything else stays.
std::string Unescape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size() && IsAsciiPunct(text[i + 1])) ++i;
    out += text[i];
  }
  return out;
}

// Assembles blocks and their heading paths as the parsers find them.
class BlockBuilder {
 public:
  BlockBuilder(std::string_view line_joint, bool markdown) : joint_(line_joint), markdown_(markdown) {}

  // Lines of the paragraph or list item in progress.
  void AddLine(std::string_view line) { lines_.emplace_back(Trim(line)); }
  bool Pending() const { return !lines_.empty(); }
  bool PendingIsListItem() const { return item_.has_value(); }

  void StartListItem(const ListMarker& marker) {
    Flush();
    while (!indents_.empty() && indents_.back() > marker.indent) indents_.pop_back();
    if (indents_.empty() || indents_.back() < marker.indent) indents_.push_back(marker.indent);
    item_ = marker;
    item_->indent = static_cast<int>(indents_.size()) - 1;  // now the nesting depth
    if (!marker.content.empty()) AddLine(marker.content);
  }

  void EndList() {
    Flush();
    indents_.clear();
  }

  // Ends the paragraph or list item in progress.
  void Flush() {
    if (lines_.empty()) {
      item_.reset();
      return;
    }
    const bool table = !item_ && std::all_of(lines_.begin(), lines_.end(),
                                             [](const std::string& l) { return l.rfind('|', 0) == 0; });
    Block block;
    block.type = item_ ? BlockType::kListItem : table ? BlockType::kTable : BlockType::kParagraph;
    block.text = table ? Join("\n") : markdown_ ? JoinMarkdown() : Join(joint_);
    if (item_) {
      block.level = item_->indent;
      block.ordered = item_->ordered;
    }
    lines_.clear();
    item_.reset();
    Emit(std::move(block));
  }

  // The paragraph in progress becomes a heading (a setext underline followed it).
  void PendingToHeading(int level) {
    std::string title = Join(" ");
    lines_.clear();
    Heading(level, title);
  }

  void Heading(int level, std::string_view title) {
    Flush();
    indents_.clear();
    if (title.empty()) return;
    while (!open_.empty() && open_.back().first >= level) open_.pop_back();
    Block block;
    block.type = BlockType::kHeading;
    block.level = level;
    block.text = markdown_ ? Unescape(title) : std::string(title);
    std::string path_entry = block.text;
    Emit(std::move(block));  // its own path excludes itself
    open_.emplace_back(level, std::move(path_entry));
  }

  void Verbatim(std::string text) {
    Flush();
    if (Trim(text).empty()) return;
    Block block;
    block.type = BlockType::kCode;
    block.text = std::move(text);
    Emit(std::move(block));
  }

  ParsedText Finish(std::string title) {
    Flush();
    ParsedText parsed;
    parsed.title = std::move(title);
    if (parsed.title.empty()) {
      for (const Block& block : blocks_) {
        if (block.type == BlockType::kHeading) {
          parsed.title = block.text;
          break;
        }
      }
    }
    parsed.blocks = std::move(blocks_);
    return parsed;
  }

 private:
  // Markdown lines joined by the joint, escapes removed; a hard break (a line
  // ending in an unescaped backslash) stays a line break.
  std::string JoinMarkdown() const {
    std::string text;
    for (size_t i = 0; i < lines_.size(); ++i) {
      std::string_view line = lines_[i];
      size_t backslashes = 0;
      while (backslashes < line.size() && line[line.size() - 1 - backslashes] == '\\') ++backslashes;
      const bool hard_break = i + 1 < lines_.size() && backslashes % 2 == 1;
      if (hard_break) line.remove_suffix(1);
      text += Unescape(line);
      if (i + 1 < lines_.size()) text += hard_break ? "\n" : joint_;
    }
    return text;
  }

  std::string Join(std::string_view joint) const {
    std::string text;
    for (const std::string& line : lines_) {
      if (!text.empty()) text += joint;
      text += line;
    }
    return text;
  }

  void Emit(Block block) {
    block.page = 1;
    for (const auto& heading : open_) block.heading_path.push_back(heading.second);
    blocks_.push_back(std::move(block));
  }

  std::string joint_;
  bool markdown_ = false;
  std::vector<std::string> lines_;
  std::optional<ListMarker> item_;
  std::vector<int> indents_;                       // indentation of the open list items, outermost first
  std::vector<std::pair<int, std::string>> open_;  // enclosing headings: level, text
  std::vector<Block> blocks_;
};

// YAML front matter ("---" ... "---"): returns the line after it and its title.
size_t SkipFrontMatter(const std::vector<std::string_view>& lines, std::string* title) {
  if (lines.empty() || Trim(lines[0]) != "---") return 0;
  for (size_t i = 1; i < lines.size(); ++i) {
    const std::string_view line = Trim(lines[i]);
    if (line == "---" || line == "...") return i + 1;
    if (line.rfind("title:", 0) == 0) {
      std::string_view value = Trim(line.substr(6));
      if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
          value.back() == value.front()) {
        value = value.substr(1, value.size() - 2);
      }
      *title = std::string(value);
    }
  }
  title->clear();  // no closing line: it was not front matter
  return 0;
}

// Collects a fenced code block starting at lines[i]; returns the line after it.
size_t TakeFence(const std::vector<std::string_view>& lines, size_t i, std::string_view fence,
                 BlockBuilder* builder) {
  std::string code;
  size_t j = i + 1;
  for (; j < lines.size(); ++j) {
    std::string_view closing;
    if (IsFence(lines[j], &closing) && closing[0] == fence[0] && closing.size() >= fence.size() &&
        Trim(lines[j]).size() == closing.size()) {
      ++j;
      break;
    }
    if (!code.empty()) code += '\n';
    code += lines[j];
  }
  builder->Verbatim(std::move(code));
  return j;
}

}  // namespace

ParsedText ParsePlainText(std::string_view text) {
  BlockBuilder builder("\n", false);
  for (std::string_view line : Lines(text)) {
    if (Trim(line).empty()) {
      builder.Flush();
    } else {
      builder.AddLine(line);
    }
  }
  return builder.Finish("");
}

ParsedText ParseMarkdown(std::string_view text) {
  const std::vector<std::string_view> lines = Lines(text);
  BlockBuilder builder(" ", true);
  std::string title;
  for (size_t i = SkipFrontMatter(lines, &title); i < lines.size();) {
    std::string_view fence;
    if (IsFence(lines[i], &fence)) {
      i = TakeFence(lines, i, fence, &builder);
      continue;
    }
    const std::string_view line = StripQuote(lines[i++]);
    const bool paragraph_open = builder.Pending() && !builder.PendingIsListItem();
    if (Trim(line).empty()) {
      builder.Flush();
    } else if (auto heading = AtxHeading(line)) {
      builder.Heading(heading->first, heading->second);
    } else if (paragraph_open && (IsRuleOf(line, '=', 1, false) || IsRuleOf(line, '-', 1, false))) {
      builder.PendingToHeading(Trim(line)[0] == '=' ? 1 : 2);
    } else if (IsThematicBreak(line)) {
      builder.EndList();
    } else if (auto marker = ListItemMarker(line)) {
      builder.StartListItem(*marker);
    } else {
      // A line at the margin after a blank line starts a paragraph and ends any list.
      if (!builder.Pending() && Indent(line) == 0) builder.EndList();
      builder.AddLine(line);
    }
  }
  return builder.Finish(std::move(title));
}

}  // namespace docpipe::text
