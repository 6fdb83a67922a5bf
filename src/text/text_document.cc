#include "docpipe/text_document.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string_view>
#include <system_error>
#include <vector>

#include "core/unicode.h"
#include "text/charset.h"
#include "text/markdown_parser.h"

namespace docpipe {
namespace {

std::string LowerExtension(const std::string& path) {
  std::string extension = std::filesystem::path(path).extension().string();
  for (char& c : extension) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return extension;
}

// strerror's thread-safe equivalent.
std::string ErrnoMessage() { return std::error_code(errno, std::generic_category()).message(); }

Result<std::string> ReadWholeFile(const std::string& path) {
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) {
    return Status::InvalidArgument(path + " is a directory, not a text file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError("cannot open " + path + ": " + ErrnoMessage());
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) return Status::IoError("cannot read " + path + ": " + ErrnoMessage());
  return std::move(content).str();
}

// Valid NFC UTF-8 with LF line ends and no byte-order mark, from UTF-8,
// UTF-16/32 or legacy 8-bit bytes (text/charset.h decides which).
std::string CleanText(std::string_view bytes) {
  const std::string decoded = text::DecodeToUtf8(bytes).utf8;
  std::string_view raw = decoded;
  std::string unix_lines;
  unix_lines.reserve(raw.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '\r') {
      unix_lines += raw[i];
    } else if (i + 1 >= raw.size() || raw[i + 1] != '\n') {
      unix_lines += '\n';  // a lone CR (old Mac line end)
    }
  }
  return NormalizeText(unix_lines);
}

}  // namespace

bool IsTextFilePath(const std::string& path) {
  const std::string extension = LowerExtension(path);
  return extension == ".txt" || extension == ".text" || extension == ".md" || extension == ".markdown";
}

Result<Document> ParseTextFile(const std::string& path) {
  DOCPIPE_ASSIGN_OR_RETURN(std::string raw, ReadWholeFile(path));
  const std::string text = CleanText(raw);
  const std::string extension = LowerExtension(path);
  const bool markdown = extension == ".md" || extension == ".markdown";

  text::ParsedText parsed = markdown ? text::ParseMarkdown(text) : text::ParsePlainText(text);
  Document document;
  document.path = path;
  document.kind = DocumentKind::kText;
  document.metadata.title = std::move(parsed.title);
  document.metadata.page_count = 1;
  Page page;
  page.number = 1;
  page.kind = parsed.blocks.empty() ? PageKind::kEmpty : PageKind::kDigital;
  page.blocks = std::move(parsed.blocks);
  document.pages.push_back(std::move(page));
  return document;
}

}  // namespace docpipe
