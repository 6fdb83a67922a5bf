// Text-detection annotation files: ICDAR 2015 style CSV lines with any number of
// vertices, and Total-Text's "x: [[...]], y: [[...]]" lines.
#include <charconv>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "docpipe/ocr_targets.h"

namespace docpipe::ocr {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

bool ParseNumber(std::string_view s, double& out) {
  s = Trim(s);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

// "x1,y1,...,xn,yn,text": the leading numeric fields are coordinates, except that
// an odd one out at the end is the transcription (a number such as "2015").
Result<TextPolygon> ParseCsvLine(std::string_view line) {
  std::vector<std::string_view> fields;
  size_t start = 0;
  while (true) {
    const size_t comma = line.find(',', start);
    fields.push_back(line.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  TextPolygon polygon;
  size_t numeric = 0;
  for (; numeric < fields.size(); ++numeric) {
    double v;
    if (!ParseNumber(fields[numeric], v)) break;
    polygon.xy.push_back(v);
  }
  if (numeric % 2 == 1) polygon.xy.pop_back(), --numeric;
  if (polygon.xy.size() < 6) return Status::Corrupt("fewer than 3 vertices");
  std::string text;
  for (size_t k = numeric; k < fields.size(); ++k) {
    if (k > numeric) text += ',';
    text += fields[k];
  }
  polygon.ignore = Trim(text) == "###";
  return polygon;
}

// Numbers inside the first "[[ ... ]]" after `key` (Total-Text separates them by spaces).
bool BracketNumbers(std::string_view line, std::string_view key, std::vector<double>& out) {
  const size_t at = line.find(key);
  if (at == std::string_view::npos) return false;
  const size_t open = line.find("[[", at);
  const size_t close = line.find("]]", open);
  if (open == std::string_view::npos || close == std::string_view::npos) return false;
  std::string body(line.substr(open + 2, close - open - 2));
  for (char& c : body) c = c == ',' ? ' ' : c;
  std::istringstream in(body);
  std::string token;
  while (in >> token) {
    double v;
    if (!ParseNumber(token, v)) return false;
    out.push_back(v);
  }
  return true;
}

Result<TextPolygon> ParseTotalTextLine(std::string_view line) {
  std::vector<double> xs, ys;
  if (!BracketNumbers(line, "x:", xs) || !BracketNumbers(line, "y:", ys) || xs.size() != ys.size() ||
      xs.size() < 3) {
    return Status::Corrupt("malformed Total-Text polygon");
  }
  TextPolygon polygon;
  for (size_t k = 0; k < xs.size(); ++k) {
    polygon.xy.push_back(xs[k]);
    polygon.xy.push_back(ys[k]);
  }
  const size_t at = line.find("transcriptions:");
  if (at != std::string_view::npos) {
    std::string_view rest = line.substr(at);
    polygon.ignore = rest.find("'#'") != std::string_view::npos || rest.find("\"#\"") != std::string_view::npos;
  }
  return polygon;
}

}  // namespace

Result<std::vector<TextPolygon>> ParseTextAnnotations(std::string_view text) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  std::vector<TextPolygon> polygons;
  size_t line_no = 0;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    std::string_view line = Trim(text.substr(0, nl));
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++line_no;
    if (line.empty()) continue;
    Result<TextPolygon> polygon = line.substr(0, 2) == "x:" ? ParseTotalTextLine(line) : ParseCsvLine(line);
    if (!polygon.ok()) return polygon.status().WithContext("line " + std::to_string(line_no));
    polygons.push_back(std::move(polygon).value());
  }
  return polygons;
}

Result<std::vector<TextPolygon>> ReadTextAnnotationFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot open annotation file " + path);
  std::ostringstream content;
  content << in.rdbuf();
  Result<std::vector<TextPolygon>> polygons = ParseTextAnnotations(content.str());
  if (!polygons.ok()) return polygons.status().WithContext(path);
  return polygons;
}

}  // namespace docpipe::ocr
