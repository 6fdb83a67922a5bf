// Which picture format a file's first bytes announce. The one list: format
// detection (docpipe/formats.h) and the PDF engine's choice of MuPDF reader
// both read it, so a file is never detected as one thing and opened as another.
#pragma once

#include <string>
#include <string_view>

namespace docpipe::pdf {

// "PNG image", "JPEG image", "GIF image", "TIFF image", "BMP image" (its info
// header checked too: "BM" alone starts text files) or "WebP image"; empty
// for none.
std::string_view ImageSignature(std::string_view head);

// RIFF <size> WEBP: WebP's container, which MuPDF 1.21 cannot read.
bool IsWebp(std::string_view head);

// The first bytes of the file at `path`, as many as the signatures need
// (fewer for a shorter file; none for one that cannot be read).
std::string FileHead(const std::string& path);

}  // namespace docpipe::pdf
