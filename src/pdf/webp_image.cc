#include "pdf/webp_image.h"

#include <algorithm>
#include <fstream>
#include <string_view>
#include <vector>

#include <webp/decode.h>

#include "core/read_file.h"

namespace docpipe::pdf {
namespace {

// libwebp decodes to Y'CbCr with luma in the video range 16-235 (BT.601);
// OCR wants the full range. Transparent pixels go onto white paper.
void ToFullRangeGray(uint8_t* luma, const uint8_t* alpha, size_t pixels) {
  for (size_t i = 0; i < pixels; ++i) {
    int gray = std::clamp((luma[i] - 16) * 255 / 219, 0, 255);
    if (alpha) gray = (gray * alpha[i] + 255 * (255 - alpha[i])) / 255;
    luma[i] = static_cast<uint8_t>(gray);
  }
}

}  // namespace

Result<std::string> WebpAsPgm(const std::string& path, int64_t max_pixels) {
  DOCPIPE_ASSIGN_OR_RETURN(const std::string bytes, ReadFileBytes(path));
  const auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
  WebPDecoderConfig config;
  if (!WebPInitDecoderConfig(&config)) return Status::Internal("libwebp version mismatch");
  if (WebPGetFeatures(data, bytes.size(), &config.input) != VP8_STATUS_OK) {
    return Status::Corrupt("truncated or malformed WebP header");
  }
  const int64_t width = config.input.width, height = config.input.height;
  if (width <= 0 || height <= 0) return Status::Corrupt("WebP image has no pixels");
  if (width * height > max_pixels) {
    return Status::ResourceExhausted("WebP image of " + std::to_string(width) + " x " + std::to_string(height) +
                                     " pixels is larger than the limit of " + std::to_string(max_pixels) + " pixels");
  }
  // Luma straight into the PGM; chroma is decoded beside it and not used.
  std::string pgm = "P5\n" + std::to_string(width) + " " + std::to_string(height) + "\n255\n";
  const size_t offset = pgm.size(), pixels = static_cast<size_t>(width * height);
  pgm.resize(offset + pixels);
  const size_t chroma = static_cast<size_t>((width + 1) / 2 * ((height + 1) / 2));
  std::vector<uint8_t> u(chroma), v(chroma), alpha(config.input.has_alpha ? pixels : 0);
  config.output.colorspace = config.input.has_alpha ? MODE_YUVA : MODE_YUV;
  config.output.is_external_memory = 1;
  auto* luma = reinterpret_cast<uint8_t*>(pgm.data() + offset);
  WebPYUVABuffer& planes = config.output.u.YUVA;
  planes.y = luma;
  planes.y_stride = static_cast<int>(width);
  planes.y_size = pixels;
  planes.u = u.data();
  planes.v = v.data();
  planes.u_stride = planes.v_stride = static_cast<int>((width + 1) / 2);
  planes.u_size = planes.v_size = chroma;
  planes.a = alpha.empty() ? nullptr : alpha.data();
  planes.a_stride = alpha.empty() ? 0 : static_cast<int>(width);
  planes.a_size = alpha.size();
  const VP8StatusCode status = WebPDecode(data, bytes.size(), &config);
  WebPFreeDecBuffer(&config.output);
  if (status != VP8_STATUS_OK) {
    return Status::Corrupt("cannot decode WebP image (libwebp status " + std::to_string(status) + ")");
  }
  ToFullRangeGray(luma, alpha.empty() ? nullptr : alpha.data(), pixels);
  return pgm;
}

}  // namespace docpipe::pdf
