#include <gtest/gtest.h>

#include "docpipe/ocr_targets.h"

namespace docpipe::ocr {
namespace {

TEST(TextAnnotationsTest, ParsesIcdar2015Lines) {
  auto polygons = ParseTextAnnotations(
      "\xEF\xBB\xBF" "377,117,463,117,465,130,378,130,Genaxis Theatre\r\n"
      "493,115,519,115,519,131,493,131,###\r\n"
      "\n"
      "1,2,3,4,5,6,7,8,Hello, world\n"
      "10,20,30,20,30,40,10,40,2015\n");
  ASSERT_TRUE(polygons.ok()) << polygons.status().ToString();
  ASSERT_EQ(polygons->size(), 4u);
  EXPECT_EQ((*polygons)[0].xy, (std::vector<double>{377, 117, 463, 117, 465, 130, 378, 130}));
  EXPECT_FALSE((*polygons)[0].ignore);
  EXPECT_TRUE((*polygons)[1].ignore);
  EXPECT_EQ((*polygons)[2].size(), 4u);
  EXPECT_EQ((*polygons)[3].size(), 4u);  // "2015" is the transcription, not a coordinate
}

TEST(TextAnnotationsTest, ParsesAnyVertexCountAndTotalText) {
  auto polygons = ParseTextAnnotations(
      "0,0,10,0,20,0,20,10,10,10,0,10,curved text\n"
      "x: [[115 503 494 115]], y: [[322 346 426 404]], ornt: [u'm'], transcriptions: [u'nice']\n"
      "x: [[1 9 9]], y: [[1 1 9]], ornt: [u'#'], transcriptions: [u'#']\n");
  ASSERT_TRUE(polygons.ok()) << polygons.status().ToString();
  ASSERT_EQ(polygons->size(), 3u);
  EXPECT_EQ((*polygons)[0].size(), 6u);
  EXPECT_EQ((*polygons)[1].xy, (std::vector<double>{115, 322, 503, 346, 494, 426, 115, 404}));
  EXPECT_FALSE((*polygons)[1].ignore);
  EXPECT_TRUE((*polygons)[2].ignore);
}

TEST(TextAnnotationsTest, ReportsTheBadLine) {
  auto polygons = ParseTextAnnotations("1,2,3,4,5,6,7,8,ok\n1,2,oops\n");
  ASSERT_FALSE(polygons.ok());
  EXPECT_EQ(polygons.status().code(), StatusCode::kCorrupt);
  EXPECT_NE(polygons.status().message().find("line 2"), std::string::npos);
  EXPECT_EQ(ReadTextAnnotationFile("/nonexistent/gt.txt").status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace docpipe::ocr
