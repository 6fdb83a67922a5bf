// Single-thread DBNet label maps without Python in the way, for profiling:
// 640 x 640 images of 30 random polygons shaped like the Python benchmark's
// sets (quadrilaterals: corners within +-80 x +-40 px of a centre, sorted by
// angle; curved: 10-point bent text lines), computed in a loop.
//
//   docpipe_db_targets_bench --set quad --images 10 --repeat 200
//
// Prints wall and CPU milliseconds per image, best of three trials.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <numbers>
#include <random>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "../cpu_seconds.h"
#include "docpipe/ocr_targets.h"

namespace {

using docpipe::ocr::TextPolygon;
using Clock = std::chrono::steady_clock;

using docpipe::bench::CpuSeconds;

TextPolygon Quadrilateral(std::mt19937_64& rng, double h, double w) {
  std::uniform_real_distribution<double> ux(0, w), uy(0, h), dx(-80, 80), dy(-40, 40);
  const double cx = ux(rng), cy = uy(rng);
  std::vector<std::pair<double, double>> pts;
  double mx = 0, my = 0;
  for (int k = 0; k < 4; ++k) {
    pts.emplace_back(cx + dx(rng), cy + dy(rng));
    mx += pts.back().first / 4;
    my += pts.back().second / 4;
  }
  std::sort(pts.begin(), pts.end(), [&](const auto& a, const auto& b) {
    return std::atan2(a.second - my, a.first - mx) < std::atan2(b.second - my, b.first - mx);
  });
  TextPolygon polygon;
  for (const auto& [x, y] : pts) polygon.xy.insert(polygon.xy.end(), {x, y});
  return polygon;
}

TextPolygon Curved(std::mt19937_64& rng, double h, double w) {
  constexpr int kHalf = 5;
  std::uniform_real_distribution<double> ux(0, w), uy(0, h), ulen(60, 300), uthick(10, 40), ubend(-0.6, 0.6),
      uangle(-0.5, 0.5);
  const double cx = ux(rng), cy = uy(rng), length = ulen(rng), thick = uthick(rng), bend = ubend(rng);
  const double angle = uangle(rng), c = std::cos(angle), s = std::sin(angle);
  std::vector<std::pair<double, double>> top, bottom;
  for (int k = 0; k < kHalf; ++k) {
    const double t = static_cast<double>(k) / (kHalf - 1) - 0.5;
    const double x = t * length, y = bend * length * (t * t - 0.25);
    const double nx = -2 * bend * length * t, norm = std::hypot(nx, 1.0);
    top.emplace_back(x - nx / norm * thick / 2, y - thick / 2 / norm);
    bottom.emplace_back(x + nx / norm * thick / 2, y + thick / 2 / norm);
  }
  top.insert(top.end(), bottom.rbegin(), bottom.rend());
  TextPolygon polygon;
  for (const auto& [x, y] : top) {
    polygon.xy.insert(polygon.xy.end(), {cx + x * c - y * s, cy + x * s + y * c});
  }
  return polygon;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Single-thread DBNet label-map benchmark"};
  std::string set = "quad";
  int images = 10, repeat = 200, count = 30;
  app.add_option("--set", set, "quad or curved")->check(CLI::IsMember({"quad", "curved"}));
  app.add_option("--images", images, "distinct images");
  app.add_option("--repeat", repeat, "passes over the images per trial");
  app.add_option("--polygons", count, "polygons per image");
  CLI11_PARSE(app, argc, argv);

  constexpr int kSide = 640;
  std::mt19937_64 rng(7);
  std::vector<std::vector<TextPolygon>> samples(static_cast<size_t>(images));
  for (auto& sample : samples) {
    for (int i = 0; i < count; ++i) {
      sample.push_back(set == "quad" ? Quadrilateral(rng, kSide, kSide) : Curved(rng, kSide, kSide));
    }
  }
  double best_wall = INFINITY, best_cpu = INFINITY;
  for (int trial = 0; trial < 3; ++trial) {
    const auto w0 = Clock::now();
    const double c0 = CpuSeconds();
    for (int r = 0; r < repeat; ++r) {
      for (const auto& sample : samples) {
        auto maps = docpipe::ocr::ComputeDbTargets(sample, kSide, kSide);
        if (!maps.ok()) {
          fmt::print(stderr, "{}\n", maps.status().ToString());
          return 1;
        }
      }
    }
    const double n = static_cast<double>(repeat) * images;
    best_wall = std::min(best_wall, std::chrono::duration<double>(Clock::now() - w0).count() / n);
    best_cpu = std::min(best_cpu, (CpuSeconds() - c0) / n);
  }
  fmt::print("{} set, {} polygons, {}x{}: {:.3f} ms wall / {:.3f} ms cpu per image (best of 3)\n", set, count,
             kSide, kSide, best_wall * 1e3, best_cpu * 1e3);
  return 0;
}
