#include "pdf/image_signature.h"

#include <fstream>

namespace docpipe::pdf {
namespace {

struct Signature {
  std::string_view bytes;
  std::string_view description;
};

constexpr Signature kSignatures[] = {
    {"\x89PNG\r\n\x1a\n", "PNG image"},
    {"\xFF\xD8\xFF", "JPEG image"},
    {"GIF87a", "GIF image"},
    {"GIF89a", "GIF image"},
    {std::string_view("II*\0", 4), "TIFF image"},
    {std::string_view("MM\0*", 4), "TIFF image"},
};

// "BM" alone would take text files starting with it: the info header's size
// must be one BMP defines, and the reserved bytes zero.
bool IsBmp(std::string_view head) {
  if (head.size() < 18 || !head.starts_with("BM")) return false;
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(head[i]); };
  const unsigned info = byte(14) | byte(15) << 8 | byte(16) << 16 | byte(17) << 24;
  const bool reserved_zero = byte(6) == 0 && byte(7) == 0 && byte(8) == 0 && byte(9) == 0;
  return reserved_zero && (info == 12 || info == 40 || info == 52 || info == 56 || info == 108 || info == 124);
}

}  // namespace

bool IsWebp(std::string_view head) {
  return head.size() >= 12 && head.starts_with("RIFF") && head.substr(8, 4) == "WEBP";
}

std::string_view ImageSignature(std::string_view head) {
  for (const Signature& signature : kSignatures) {
    if (head.starts_with(signature.bytes)) return signature.description;
  }
  if (IsBmp(head)) return "BMP image";
  if (IsWebp(head)) return "WebP image";
  return {};
}

std::string FileHead(const std::string& path) {
  std::string head(32, '\0');
  std::ifstream in(path, std::ios::binary);
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<size_t>(in.gcount()));
  return head;
}

}  // namespace docpipe::pdf
