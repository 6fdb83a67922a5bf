// ExtractionInputReader against the one-at-a-time ReadExtractionInput: the
// same inputs (or the same failures) in path order, whatever the number of
// threads, and a reader dropped half-way stops cleanly.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "docpipe/extract_input.h"

namespace docpipe {
namespace {

namespace fs = std::filesystem;

class ReaderFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "extraction_reader_" + std::to_string(::getpid());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    for (int i = 0; i < 14; ++i) {
      std::string path;
      if (i == 4) {
        path = Write("broken.pdf", "%PDF-1.7 this is not a PDF");
      } else if (i == 9) {
        path = dir_ + "/missing.txt";  // never written
      } else {
        std::string body = "# Note " + std::to_string(i) + "\n\n";
        for (int j = 0; j <= i * 40; ++j)
          body += "Sentence " + std::to_string(j) + " of note " + std::to_string(i) + ". ";
        path = Write("note_" + std::to_string(i) + (i % 2 ? ".md" : ".txt"), body + "\n");
      }
      paths_.push_back(path);
    }
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& content) {
    std::ofstream(dir_ + "/" + name, std::ios::binary) << content;
    return dir_ + "/" + name;
  }

  std::string dir_;
  std::vector<std::string> paths_;
};

Result<PdfWorker*> NoPdfWorker() { return Status::Unsupported("the expected result is read without MuPDF"); }

TEST_F(ReaderFiles, InputsComeBackInPathOrderAsReadOneAtATime) {
  for (int workers : {1, 3, 8}) {
    SCOPED_TRACE("workers " + std::to_string(workers));
    Result<std::unique_ptr<ExtractionInputReader>> reader = ExtractionInputReader::Make(paths_, {}, workers);
    ASSERT_TRUE(reader.ok()) << reader.status().ToString();
    for (size_t i = 0; i < paths_.size(); ++i) {
      Result<ExtractionInput> got = (*reader)->Next();
      if (i == 4) {  // MuPDF itself refuses it: the reader made a PDF worker for it
        ASSERT_FALSE(got.ok());
        EXPECT_NE(got.status().code(), StatusCode::kUnsupported) << got.status().ToString();
        continue;
      }
      Result<ExtractionInput> expected = ReadExtractionInput(paths_[i], {}, NoPdfWorker);
      ASSERT_EQ(got.ok(), expected.ok()) << paths_[i];
      if (!expected.ok()) {
        EXPECT_EQ(got.status().ToString(), expected.status().ToString());
        continue;
      }
      EXPECT_EQ(got->path, paths_[i]);
      EXPECT_EQ(got->sha256, expected->sha256);
      ASSERT_EQ(got->document.chunks.size(), expected->document.chunks.size());
      for (size_t c = 0; c < got->document.chunks.size(); ++c) {
        EXPECT_EQ(got->document.chunks[c].text, expected->document.chunks[c].text);
        EXPECT_EQ(got->document.chunks[c].id, expected->document.chunks[c].id);
      }
    }
    Result<ExtractionInput> past = (*reader)->Next();
    EXPECT_EQ(past.status().code(), StatusCode::kInvalidArgument);
  }
}

TEST_F(ReaderFiles, AReaderDroppedHalfWayStopsItsThreads) {
  Result<std::unique_ptr<ExtractionInputReader>> reader = ExtractionInputReader::Make(paths_, {}, 4);
  ASSERT_TRUE(reader.ok());
  Result<ExtractionInput> first = (*reader)->Next();
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->path, paths_[0]);
  reader->reset();  // joins; must not wait for the files nobody will take
  EXPECT_EQ(ExtractionInputReader::Make(paths_, {}, -1).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace docpipe
