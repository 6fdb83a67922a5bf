#include "docpipe/ocr.h"

namespace docpipe {

GrayImage RotateClockwise(const GrayImage& image, int degrees) {
  degrees = ((degrees % 360) + 360) % 360;
  if (degrees == 0) return image;
  GrayImage out;
  out.dpi = image.dpi;
  const bool quarter = degrees != 180;
  out.width = quarter ? image.height : image.width;
  out.height = quarter ? image.width : image.height;
  out.stride = out.width;
  out.pixels.resize(static_cast<size_t>(out.stride) * out.height);
  const int w = image.width, h = image.height;
  for (int y = 0; y < h; ++y) {
    const uint8_t* row = image.pixels.data() + static_cast<size_t>(y) * image.stride;
    for (int x = 0; x < w; ++x) {
      int ox, oy;
      if (degrees == 90) {
        ox = h - 1 - y, oy = x;
      } else if (degrees == 180) {
        ox = w - 1 - x, oy = h - 1 - y;
      } else {
        ox = y, oy = w - 1 - x;
      }
      out.pixels[static_cast<size_t>(oy) * out.stride + ox] = row[x];
    }
  }
  return out;
}

}  // namespace docpipe
