// Behaviour of the label-map engine that does not need the Python reference:
// input validation, hand-checkable maps, batch == single, option differences.
#include <algorithm>
#include <cmath>
#include <limits>

#include <gtest/gtest.h>

#include "docpipe/ocr_targets.h"

namespace docpipe::ocr {
namespace {

TextPolygon Rect(double x0, double y0, double x1, double y1, bool ignore = false) {
  return TextPolygon{{x0, y0, x1, y0, x1, y1, x0, y1}, ignore};
}

float At(const DbTargetMaps& m, DbPlane p, int y, int x) { return m.plane(p)[y * m.width() + x]; }

TEST(DbTargetsTest, RejectsMalformedInput) {
  std::vector<TextPolygon> ok{Rect(10, 10, 50, 30)};
  EXPECT_EQ(ComputeDbTargets(ok, 0, 64).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ComputeDbTargets(ok, 64, -5).status().code(), StatusCode::kInvalidArgument);
  std::vector<TextPolygon> nan{TextPolygon{{1, 2, std::numeric_limits<double>::quiet_NaN(), 4, 5, 6}}};
  EXPECT_EQ(ComputeDbTargets(nan, 64, 64).status().code(), StatusCode::kInvalidArgument);
  std::vector<TextPolygon> odd{TextPolygon{{1, 2, 3}}};
  EXPECT_EQ(ComputeDbTargets(odd, 64, 64).status().code(), StatusCode::kInvalidArgument);
  DbTargetOptions bad;
  bad.shrink_ratio = 1.5;
  EXPECT_EQ(ComputeDbTargets(ok, 64, 64, bad).status().code(), StatusCode::kInvalidArgument);
}

TEST(DbTargetsTest, EmptyImageHasNeutralMaps) {
  auto maps = ComputeDbTargets({}, 8, 12);
  ASSERT_TRUE(maps.ok());
  for (size_t i = 0; i < maps->plane_size(); ++i) {
    EXPECT_EQ(maps->plane(DbPlane::kGt)[i], 0.0f);
    EXPECT_EQ(maps->plane(DbPlane::kMask)[i], 1.0f);
    EXPECT_EQ(maps->plane(DbPlane::kThreshMap)[i], 0.3f);
    EXPECT_EQ(maps->plane(DbPlane::kThreshMask)[i], 0.0f);
  }
}

TEST(DbTargetsTest, RectangleShrinksAndBorders) {
  std::vector<TextPolygon> polygons{Rect(20, 20, 100, 60)};
  auto maps = ComputeDbTargets(polygons, 80, 120);
  ASSERT_TRUE(maps.ok()) << maps.status().ToString();
  // D = 80*40*0.84/240 = 11.2: the shrunk box is about [31, 89] x [31, 49].
  EXPECT_EQ(At(*maps, DbPlane::kGt, 40, 60), 1.0f);
  EXPECT_EQ(At(*maps, DbPlane::kGt, 25, 60), 0.0f);
  EXPECT_EQ(At(*maps, DbPlane::kGt, 40, 25), 0.0f);
  // The border map peaks (thresh_max) on the polygon's edge and falls to thresh_min at D.
  EXPECT_NEAR(At(*maps, DbPlane::kThreshMap, 20, 60), 0.7f, 1e-6);
  EXPECT_NEAR(At(*maps, DbPlane::kThreshMap, 40, 60), 0.3f, 1e-6);
  EXPECT_GT(At(*maps, DbPlane::kThreshMap, 25, 60), 0.5f);
  // The padded polygon (offset by +D) is the threshold mask.
  EXPECT_EQ(At(*maps, DbPlane::kThreshMask, 12, 60), 1.0f);
  EXPECT_EQ(At(*maps, DbPlane::kThreshMask, 5, 60), 0.0f);
  EXPECT_EQ(At(*maps, DbPlane::kMask, 40, 60), 1.0f);
}

TEST(DbTargetsTest, IgnoredAndTinyPolygonsAreMaskedOut) {
  std::vector<TextPolygon> polygons{Rect(10, 10, 60, 40, /*ignore=*/true), Rect(70, 10, 75, 40)};
  auto maps = ComputeDbTargets(polygons, 64, 96);
  ASSERT_TRUE(maps.ok());
  EXPECT_EQ(At(*maps, DbPlane::kMask, 20, 30), 0.0f);  // ignored
  EXPECT_EQ(At(*maps, DbPlane::kMask, 20, 72), 0.0f);  // 5 px wide < min_text_size
  EXPECT_EQ(At(*maps, DbPlane::kMask, 50, 30), 1.0f);
  for (size_t i = 0; i < maps->plane_size(); ++i) {
    EXPECT_EQ(maps->plane(DbPlane::kGt)[i], 0.0f);
    EXPECT_EQ(maps->plane(DbPlane::kThreshMask)[i], 0.0f);  // neither reaches the border map
  }
}

TEST(DbTargetsTest, DegenerateAndOutsidePolygonsDoNotFail) {
  std::vector<TextPolygon> polygons{
      TextPolygon{{5, 5}},                                 // one point
      TextPolygon{{5, 5, 40, 9}},                          // two points
      TextPolygon{{0, 0, 10, 10, 20, 20, 30, 30}},         // collinear
      TextPolygon{{10, 10, 10, 10, 60, 12, 60, 12, 58, 40, 12, 38}},  // duplicate vertices
      Rect(-500, -500, -100, -50),                         // wholly outside
      Rect(-30, 20, 40, 50),                               // partly outside
  };
  for (TargetConvention convention : {TargetConvention::kDb, TargetConvention::kPaddleOcr}) {
    DbTargetOptions options;
    options.convention = convention;
    auto maps = ComputeDbTargets(polygons, 64, 64, options);
    ASSERT_TRUE(maps.ok()) << maps.status().ToString();
    for (size_t i = 0; i < maps->plane_size(); ++i) {
      ASSERT_TRUE(std::isfinite(maps->plane(DbPlane::kThreshMap)[i]));
    }
  }
}

TEST(DbTargetsTest, BatchMatchesSingleImages) {
  std::vector<DbTargetSample> samples;
  for (int i = 0; i < 6; ++i) {
    samples.push_back({{Rect(5 + i, 8, 70 + 3 * i, 30 + i), Rect(10, 40, 90, 60 + i)}, 72 + i, 100});
  }
  auto batch = ComputeDbTargetsBatch(samples, {}, 3);
  ASSERT_TRUE(batch.ok());
  ASSERT_EQ(batch->size(), samples.size());
  for (size_t i = 0; i < samples.size(); ++i) {
    auto single = ComputeDbTargets(samples[i].polygons, samples[i].height, samples[i].width);
    ASSERT_TRUE(single.ok());
    EXPECT_TRUE(std::equal(single->data(), single->data() + single->plane_size() * kDbPlaneCount,
                           (*batch)[i].data()));
  }
  samples[4].height = -1;
  auto failed = ComputeDbTargetsBatch(samples, {}, 2);
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.status().message().find("sample 4"), std::string::npos);
}

TEST(DbTargetsTest, ExactDistanceDiffersOnlyInTheBorderMap) {
  std::vector<TextPolygon> polygons{TextPolygon{{20, 20, 110, 30, 100, 70, 25, 60}}};
  DbTargetOptions exact;
  exact.distance = BorderDistance::kExact;
  auto a = ComputeDbTargets(polygons, 96, 128);
  auto b = ComputeDbTargets(polygons, 96, 128, exact);
  ASSERT_TRUE(a.ok() && b.ok());
  size_t differ = 0;
  for (size_t i = 0; i < a->plane_size(); ++i) {
    EXPECT_EQ(a->plane(DbPlane::kGt)[i], b->plane(DbPlane::kGt)[i]);
    EXPECT_EQ(a->plane(DbPlane::kThreshMask)[i], b->plane(DbPlane::kThreshMask)[i]);
    // The reference distance is never below the true one, so its map is never above.
    EXPECT_LE(a->plane(DbPlane::kThreshMap)[i], b->plane(DbPlane::kThreshMap)[i] + 1e-6f);
    differ += a->plane(DbPlane::kThreshMap)[i] != b->plane(DbPlane::kThreshMap)[i];
  }
  EXPECT_GT(differ, 0u);
}

}  // namespace
}  // namespace docpipe::ocr
