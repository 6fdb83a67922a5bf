// Connected components of an image's ink, and whether they look like rows of
// glyphs: the cheap test run before recognising an image of a digital page.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <vector>

#include "ocr/text_likeness.h"

namespace docpipe {
namespace {

// Glyph heights accepted, in inches: 3 to 40 points.
constexpr float kMinGlyphInches = 3.0f / 72, kMaxGlyphInches = 40.0f / 72;
// Glyphs in a row of text are at most this many heights apart.
constexpr float kMaxGlyphGap = 1.2f;
constexpr int kMinRowGlyphs = 10;

struct Component {
  int x0, y0, x1, y1;  // inclusive
  int pixels;
  int height() const { return y1 - y0 + 1; }
  int width() const { return x1 - x0 + 1; }
};

// Otsu's threshold over the image's gray levels.
int OtsuThreshold(const GrayImage& image) {
  std::array<double, 256> histogram{};
  for (int y = 0; y < image.height; ++y) {
    const uint8_t* row = image.pixels.data() + static_cast<size_t>(y) * image.stride;
    for (int x = 0; x < image.width; ++x) histogram[row[x]]++;
  }
  const double total = static_cast<double>(image.width) * image.height;
  double sum = 0;
  for (int i = 0; i < 256; ++i) sum += i * histogram[i];
  double weight = 0, below = 0, best = -1;
  int threshold = 128;
  for (int t = 0; t < 256; ++t) {
    weight += histogram[t];
    if (weight == 0 || weight == total) continue;
    below += t * histogram[t];
    const double m0 = below / weight, m1 = (sum - below) / (total - weight);
    const double between = weight * (total - weight) * (m0 - m1) * (m0 - m1);
    if (between > best) best = between, threshold = t;
  }
  return threshold;
}

// Ink as 1 bits, the minority side of the threshold (light text on a dark
// background counts as ink too).
std::vector<uint8_t> InkMask(const GrayImage& image, long* ink) {
  const int threshold = OtsuThreshold(image);
  std::vector<uint8_t> mask(static_cast<size_t>(image.width) * image.height);
  long dark = 0;
  for (int y = 0; y < image.height; ++y) {
    const uint8_t* row = image.pixels.data() + static_cast<size_t>(y) * image.stride;
    for (int x = 0; x < image.width; ++x) dark += mask[static_cast<size_t>(y) * image.width + x] = row[x] <= threshold;
  }
  if (dark * 2 > static_cast<long>(mask.size())) {
    for (uint8_t& bit : mask) bit ^= 1;
    dark = static_cast<long>(mask.size()) - dark;
  }
  *ink = dark;
  return mask;
}

std::vector<Component> Components(std::vector<uint8_t>& mask, int width, int height) {
  std::vector<Component> components;
  std::vector<int> stack;
  for (int start = 0; start < width * height; ++start) {
    if (!mask[start]) continue;
    Component c{start % width, start / width, start % width, start / width, 0};
    mask[start] = 0;
    stack.push_back(start);
    while (!stack.empty()) {
      const int p = stack.back();
      stack.pop_back();
      const int x = p % width, y = p / width;
      c.x0 = std::min(c.x0, x), c.x1 = std::max(c.x1, x), c.y0 = std::min(c.y0, y), c.y1 = std::max(c.y1, y);
      c.pixels++;
      for (int dy = -1; dy <= 1; ++dy) {
        for (int dx = -1; dx <= 1; ++dx) {
          const int nx = x + dx, ny = y + dy;
          if (nx < 0 || ny < 0 || nx >= width || ny >= height) continue;
          const int q = ny * width + nx;
          if (mask[q]) mask[q] = 0, stack.push_back(q);
        }
      }
    }
    components.push_back(c);
  }
  return components;
}

int Find(std::vector<int>& parent, int i) {
  while (parent[i] != i) i = parent[i] = parent[parent[i]];
  return i;
}

// Chains glyphs into rows: neighbours of like height on one line, close
// side by side. Returns the number of rows of kMinRowGlyphs glyphs or more,
// the ink in them and their glyphs' median height.
void CountRows(const std::vector<Component>& glyphs, TextLikeness* out) {
  std::vector<int> order(glyphs.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](int a, int b) { return glyphs[a].x0 < glyphs[b].x0; });
  std::vector<int> parent(glyphs.size());
  std::iota(parent.begin(), parent.end(), 0);
  for (size_t i = 0; i < order.size(); ++i) {
    const Component& a = glyphs[order[i]];
    for (size_t j = i + 1; j < order.size() && j < i + 64; ++j) {
      const Component& b = glyphs[order[j]];
      const int h = std::max(a.height(), b.height());
      if (b.x0 - a.x1 > kMaxGlyphGap * h) break;
      if (std::min(a.height(), b.height()) * 3 < h) continue;
      const float ca = 0.5f * (a.y0 + a.y1), cb = 0.5f * (b.y0 + b.y1);
      if (std::abs(ca - cb) > 0.5f * h) continue;
      parent[Find(parent, order[i])] = Find(parent, order[j]);
    }
  }
  std::vector<int> size(glyphs.size(), 0);
  std::vector<long> ink(glyphs.size(), 0);
  for (size_t i = 0; i < glyphs.size(); ++i) {
    const int root = Find(parent, static_cast<int>(i));
    size[root]++;
    ink[root] += glyphs[i].pixels;
  }
  std::vector<int> heights;
  for (size_t i = 0; i < glyphs.size(); ++i) {
    const int root = Find(parent, static_cast<int>(i));
    if (size[root] >= kMinRowGlyphs) heights.push_back(glyphs[i].height());
    if (size[i] < kMinRowGlyphs) continue;
    out->rows++;
    out->glyphs += size[i];
    out->row_ink += ink[i];
  }
  if (!heights.empty()) {
    std::nth_element(heights.begin(), heights.begin() + heights.size() / 2, heights.end());
    out->glyph_height = heights[heights.size() / 2];
  }
}

}  // namespace

TextLikeness MeasureTextLikeness(const GrayImage& image) {
  TextLikeness out;
  if (image.width <= 0 || image.height <= 0) return out;
  long ink = 0;
  std::vector<uint8_t> mask = InkMask(image, &ink);
  out.ink = static_cast<float>(ink) / (static_cast<float>(image.width) * image.height);
  const std::vector<Component> components = Components(mask, image.width, image.height);
  const float dpi = image.dpi > 0 ? static_cast<float>(image.dpi) : 300.0f;
  const int min_h = std::max(4, static_cast<int>(kMinGlyphInches * dpi)), max_h = static_cast<int>(kMaxGlyphInches * dpi);
  std::vector<Component> glyphs;
  for (const Component& c : components) {
    const float fill = static_cast<float>(c.pixels) / (static_cast<float>(c.width()) * c.height());
    if (c.height() < min_h || c.height() > max_h || c.width() > 4 * c.height() + 4) continue;
    if (fill < 0.08f || fill > 0.95f) continue;
    glyphs.push_back(c);
  }
  CountRows(glyphs, &out);
  const float row_share = ink > 0 ? static_cast<float>(out.row_ink) / ink : 0;
  out.text_like = out.rows >= kMinTextRows && row_share >= kMinRowInkShare;
  return out;
}

GrayImage Crop(const GrayImage& image, int x, int y, int width, int height) {
  GrayImage out;
  out.dpi = image.dpi;
  x = std::clamp(x, 0, image.width), y = std::clamp(y, 0, image.height);
  out.width = std::clamp(width, 0, image.width - x);
  out.height = std::clamp(height, 0, image.height - y);
  out.stride = out.width;
  out.pixels.resize(static_cast<size_t>(out.width) * out.height);
  for (int row = 0; row < out.height; ++row) {
    const uint8_t* from = image.pixels.data() + static_cast<size_t>(y + row) * image.stride + x;
    std::copy(from, from + out.width, out.pixels.data() + static_cast<size_t>(row) * out.width);
  }
  return out;
}

}  // namespace docpipe
