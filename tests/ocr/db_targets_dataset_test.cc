// Dataset listing, image headers and bulk precomputation on a generated folder.
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "docpipe/ocr_target_dataset.h"

namespace docpipe::ocr {
namespace {

namespace fs = std::filesystem;

void WriteBytes(const fs::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

// The header bytes ReadImageSize needs (the pixel data is never read).
std::string PngHeader(int width, int height) {
  std::string s = "\x89PNG\r\n\x1a\n";
  s += std::string("\0\0\0\x0dIHDR", 8);
  for (int v : {width, height}) {
    for (int shift = 24; shift >= 0; shift -= 8) s += static_cast<char>((v >> shift) & 0xFF);
  }
  return s + std::string(9, '\0');
}

std::string JpegHeader(int width, int height) {
  std::string s("\xFF\xD8\xFF\xE0\x00\x04\x00\x00\xFF\xC0\x00\x11\x08", 13);
  s += static_cast<char>(height >> 8);
  s += static_cast<char>(height & 0xFF);
  s += static_cast<char>(width >> 8);
  s += static_cast<char>(width & 0xFF);
  return s + std::string(12, '\0');
}

class DatasetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // ctest runs each test as its own process, in parallel: every test needs its own folder.
    root_ = fs::path(DOCPIPE_TEST_TMPDIR) /
            (std::string("dataset_") + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_ / "gt");
    fs::create_directories(root_ / "img");
  }
  void TearDown() override { fs::remove_all(root_); }
  fs::path root_;
};

TEST_F(DatasetTest, ReadsPngAndJpegSizes) {
  WriteBytes(root_ / "a.png", PngHeader(640, 480));
  WriteBytes(root_ / "b.jpg", JpegHeader(1280, 720));
  WriteBytes(root_ / "c.gif", "GIF89a");
  auto png = ReadImageSize((root_ / "a.png").string());
  auto jpg = ReadImageSize((root_ / "b.jpg").string());
  ASSERT_TRUE(png.ok() && jpg.ok());
  EXPECT_EQ(png->width, 640);
  EXPECT_EQ(png->height, 480);
  EXPECT_EQ(jpg->width, 1280);
  EXPECT_EQ(jpg->height, 720);
  EXPECT_EQ(ReadImageSize((root_ / "c.gif").string()).status().code(), StatusCode::kUnsupported);
}

TEST_F(DatasetTest, PrecomputesEverySampleOnceAndReportsBadOnes) {
  for (int i = 1; i <= 4; ++i) {
    WriteBytes(root_ / "gt" / ("gt_img_" + std::to_string(i) + ".txt"),
               "10,10,90,12,88,40,12,38,text\n100,50,160,50,160,70,100,70,###\n");
    WriteBytes(root_ / "img" / ("img_" + std::to_string(i) + (i % 2 ? ".png" : ".jpg")),
               i % 2 ? PngHeader(200, 100 + i) : JpegHeader(200, 100 + i));
  }
  WriteBytes(root_ / "gt" / "gt_img_5.txt", "1,2,broken\n");
  WriteBytes(root_ / "img" / "img_5.png", PngHeader(50, 50));
  auto samples = ListTextDetectionDataset((root_ / "gt").string(), (root_ / "img").string());
  ASSERT_TRUE(samples.ok()) << samples.status().ToString();
  ASSERT_EQ(samples->size(), 5u);

  auto cache = TargetCache::Make({(root_ / "cache").string(), 0, false});
  ASSERT_TRUE(cache.ok());
  size_t last_done = 0;
  PrecomputeReport first = PrecomputeDbTargets(*samples, **cache, {}, 2, [&](size_t done, size_t total) {
    EXPECT_EQ(total, 5u);
    last_done = done;
  });
  EXPECT_EQ(last_done, 5u);
  EXPECT_EQ(first.computed, 4u);
  EXPECT_EQ(first.failed, 1u);
  ASSERT_EQ(first.errors.size(), 1u);
  EXPECT_NE(first.errors[0].find("gt_img_5.txt"), std::string::npos);
  PrecomputeReport second = PrecomputeDbTargets(*samples, **cache, {}, 1);
  EXPECT_EQ(second.cached, 4u);
  EXPECT_EQ(second.computed, 0u);

  // What a DataLoader computes for the same sample is a cache hit.
  auto polygons = ReadTextAnnotationFile((root_ / "gt" / "gt_img_2.txt").string());
  ASSERT_TRUE(polygons.ok());
  auto hit = (*cache)->Get(TargetCache::Key(*polygons, 102, 200, {}));
  ASSERT_TRUE(hit.ok());
  EXPECT_TRUE(hit->has_value());
}

TEST_F(DatasetTest, AnnotationWithoutImageIsAnError) {
  WriteBytes(root_ / "gt" / "gt_img_9.txt", "1,1,20,1,20,20,1,20,x\n");
  auto samples = ListTextDetectionDataset((root_ / "gt").string(), (root_ / "img").string());
  EXPECT_EQ(samples.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace docpipe::ocr
