#include "formats/image_size.h"

#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>

#include <webp/decode.h>

namespace docpipe::formats {
namespace {

class ByteReader {
 public:
  explicit ByteReader(const std::string& path) : in_(path, std::ios::binary) {}
  bool ok() const { return static_cast<bool>(in_); }
  // `n` bytes at `offset`; false when the file is shorter.
  bool ReadAt(uint64_t offset, void* out, size_t n) { return ReadUpTo(offset, out, n) == n; }
  // Up to `n` bytes at `offset`; how many there were.
  size_t ReadUpTo(uint64_t offset, void* out, size_t n) {
    in_.clear();
    in_.seekg(static_cast<std::streamoff>(offset));
    in_.read(static_cast<char*>(out), static_cast<std::streamsize>(n));
    return static_cast<size_t>(in_.gcount());
  }

 private:
  std::ifstream in_;
};

uint32_t Big(const uint8_t* p, int n) {
  uint32_t value = 0;
  for (int i = 0; i < n; ++i) value = value << 8 | p[i];
  return value;
}
uint32_t Little(const uint8_t* p, int n) {
  uint32_t value = 0;
  for (int i = n - 1; i >= 0; --i) value = value << 8 | p[i];
  return value;
}

Status Truncated(const char* what) { return Status::Corrupt(std::string("truncated or malformed ") + what + " header"); }

// The size is in the first chunk's header (VP8, VP8L, or VP8X's canvas),
// within the first 64 bytes. After a VP8X header libwebp wants the chunks
// that follow, which may be long (ALPH): the canvas it has read is enough.
Result<std::vector<ImageSize>> WebpSize(ByteReader& in) {
  uint8_t head[64] = {};
  const size_t length = in.ReadUpTo(0, head, sizeof head);
  WebPBitstreamFeatures features;
  const VP8StatusCode status = WebPGetFeatures(head, length, &features);
  const bool sized = features.width > 0 && features.height > 0;
  if (status != VP8_STATUS_OK && !(status == VP8_STATUS_NOT_ENOUGH_DATA && sized)) return Truncated("WebP");
  return std::vector<ImageSize>{{features.width, features.height}};
}

Result<std::vector<ImageSize>> JpegSize(ByteReader& in) {
  uint64_t pos = 2;
  uint8_t marker[4];
  for (int segments = 0; segments < 100000; ++segments) {
    if (!in.ReadAt(pos, marker, 4)) break;
    if (marker[0] != 0xFF) break;
    const uint8_t type = marker[1];
    if (type == 0xFF) {  // fill byte
      ++pos;
      continue;
    }
    const uint32_t length = Big(marker + 2, 2);
    const bool start_of_frame = type >= 0xC0 && type <= 0xCF && type != 0xC4 && type != 0xC8 && type != 0xCC;
    if (start_of_frame) {
      uint8_t frame[5];
      if (!in.ReadAt(pos + 4, frame, 5)) break;
      return std::vector<ImageSize>{{Big(frame + 3, 2), Big(frame + 1, 2)}};
    }
    if (length < 2) break;
    pos += 2 + length;
  }
  return Truncated("JPEG");
}

Result<std::vector<ImageSize>> TiffSizes(ByteReader& in, bool little, int max_pages) {
  auto get = [little](const uint8_t* p, int n) { return little ? Little(p, n) : Big(p, n); };
  uint8_t header[8];
  if (!in.ReadAt(0, header, 8)) return Truncated("TIFF");
  uint64_t ifd = get(header + 4, 4);
  std::vector<ImageSize> sizes;
  while (ifd != 0 && static_cast<int>(sizes.size()) < max_pages) {
    uint8_t count_bytes[2];
    if (!in.ReadAt(ifd, count_bytes, 2)) return Truncated("TIFF");
    const uint32_t count = get(count_bytes, 2);
    std::unique_ptr<uint8_t[]> entries(new uint8_t[count * 12 + 4]);
    if (!in.ReadAt(ifd + 2, entries.get(), count * 12 + 4)) return Truncated("TIFF");
    ImageSize size;
    for (uint32_t i = 0; i < count; ++i) {
      const uint8_t* entry = entries.get() + i * 12;
      const uint32_t tag = get(entry, 2), type = get(entry + 2, 2);
      const uint32_t value = type == 3 ? get(entry + 8, 2) : get(entry + 8, 4);
      if (tag == 256) size.width = value;
      if (tag == 257) size.height = value;
    }
    if (size.width == 0 || size.height == 0) return Truncated("TIFF");
    sizes.push_back(size);
    const uint64_t next = get(entries.get() + count * 12, 4);
    if (next <= ifd) break;  // offsets must move forward: no loops
    ifd = next;
  }
  if (sizes.empty()) return Truncated("TIFF");
  return sizes;
}

}  // namespace

Result<std::vector<ImageSize>> ReadImageSizes(const std::string& path, int max_pages) {
  ByteReader in(path);
  if (!in.ok()) return Status::IoError("cannot open " + path);
  uint8_t head[32] = {};
  const bool full = in.ReadAt(0, head, sizeof head);
  if (Big(head, 4) == 0x89504E47) {  // PNG: IHDR comes first
    if (!full) return Truncated("PNG");
    return std::vector<ImageSize>{{Big(head + 16, 4), Big(head + 20, 4)}};
  }
  if (head[0] == 0xFF && head[1] == 0xD8) return JpegSize(in);
  if (head[0] == 'G' && head[1] == 'I' && head[2] == 'F') {
    if (!in.ReadAt(0, head, 10)) return Truncated("GIF");
    return std::vector<ImageSize>{{Little(head + 6, 2), Little(head + 8, 2)}};
  }
  if (head[0] == 'B' && head[1] == 'M') {
    if (!full) return Truncated("BMP");
    const int32_t height = static_cast<int32_t>(Little(head + 22, 4));  // negative: top-down rows
    return std::vector<ImageSize>{{static_cast<int32_t>(Little(head + 18, 4)), height < 0 ? -int64_t{height} : height}};
  }
  if (std::memcmp(head, "RIFF", 4) == 0 && std::memcmp(head + 8, "WEBP", 4) == 0) return WebpSize(in);
  if (head[0] == 'I' && head[1] == 'I' && head[2] == 42) return TiffSizes(in, true, max_pages);
  if (head[0] == 'M' && head[1] == 'M' && head[3] == 42) return TiffSizes(in, false, max_pages);
  return Status::Unsupported("not an image format whose size docpipe can read");
}

}  // namespace docpipe::formats
