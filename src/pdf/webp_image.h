// WebP pictures, which MuPDF 1.21 cannot read: decoded with libwebp into an
// 8-bit gray PGM, which it can, so a WebP image goes through the same
// image-document and OCR path as PNG or JPEG. Thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "docpipe/status.h"

namespace docpipe::pdf {

// The picture at `path` as a binary PGM (P5), composited onto white where it
// is transparent. Its size is read from the header first: a picture of more
// than `max_pixels` is refused (kResourceExhausted) before anything is
// decoded; a malformed or truncated one is kCorrupt.
Result<std::string> WebpAsPgm(const std::string& path, int64_t max_pixels);

}  // namespace docpipe::pdf
