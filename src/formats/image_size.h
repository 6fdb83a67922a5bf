// The pixel size of an image file read from its header alone (nothing is
// decoded), so that a huge image is refused before any pixel buffer exists.
// Thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "docpipe/status.h"

namespace docpipe::formats {

struct ImageSize {
  int64_t width = 0, height = 0;
};

// One size per page: PNG, JPEG, GIF, BMP and WebP have one, TIFF one per IFD (at
// most `max_pages` are read). kCorrupt when the header is truncated or
// malformed, kUnsupported for other formats.
Result<std::vector<ImageSize>> ReadImageSizes(const std::string& path, int max_pages = 10000);

}  // namespace docpipe::formats
