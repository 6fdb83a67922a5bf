// Extraction records (`docpipe extract --db`) on both backends: one per
// document and schema hash, replaced by a later extraction, gone with their
// document; the listing extraction over a store walks.
#include <gtest/gtest.h>

#include "backend_fixture.h"

namespace docpipe::store {
namespace {

using testing::MakeWrite;

class BackendExtractionTest : public BackendTest {};

StoredExtraction Record(int64_t document_id, const std::string& schema, const std::string& title) {
  return {document_id, schema, "model", "extract-v1", "ok", R"({"title": ")" + title + R"("})",
          R"({"/title": [{"chunk": 0, "pages": [1, 1]}]})", ""};
}

TEST_P(BackendExtractionTest, RecordsArePerDocumentAndSchemaAndGoWithTheirDocument) {
  std::vector<DocumentWrite> writes = {MakeWrite("/a.pdf", std::string(64, 'a'), {"title: A"}),
                                       MakeWrite("/b.pdf", std::string(64, 'b'), {"title: B"})};
  ASSERT_TRUE(store_->PutDocuments(writes).ok());
  int64_t a = writes[0].record.id, b = writes[1].record.id;

  auto listed = store_->ListDocuments();
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].id, a);
  EXPECT_EQ((*listed)[0].path, "/a.pdf");
  EXPECT_EQ((*listed)[1].sha256, std::string(64, 'b'));

  ASSERT_TRUE(store_->PutExtraction(Record(a, "s1", "First")).ok());
  ASSERT_TRUE(store_->PutExtraction(Record(a, "s2", "Other schema")).ok());
  ASSERT_TRUE(store_->PutExtraction(Record(a, "s1", "Replaced")).ok());
  StoredExtraction failed = Record(b, "s1", "");
  failed.status = "failed";
  failed.record_json = "null";
  failed.error = "invalid answer after one repair";
  ASSERT_TRUE(store_->PutExtraction(failed).ok());

  auto records = store_->ExtractionsOf(a);
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  ASSERT_EQ(records->size(), 2u);
  EXPECT_EQ((*records)[0].schema_sha256, "s1");
  EXPECT_NE((*records)[0].record_json.find("Replaced"), std::string::npos);
  EXPECT_NE((*records)[0].evidence_json.find("pages"), std::string::npos);
  EXPECT_EQ((*records)[1].schema_sha256, "s2");
  auto of_b = store_->ExtractionsOf(b);
  ASSERT_TRUE(of_b.ok());
  ASSERT_EQ(of_b->size(), 1u);
  EXPECT_EQ((*of_b)[0].status, "failed");
  EXPECT_EQ((*of_b)[0].record_json, "null");
  EXPECT_EQ((*of_b)[0].error, "invalid answer after one repair");

  EXPECT_EQ(store_->PutExtraction(Record(b + 100, "s1", "x")).code(), StatusCode::kNotFound);
  StoredExtraction broken = Record(a, "s3", "x");
  broken.record_json = "{not json";
  EXPECT_EQ(store_->PutExtraction(broken).code(), StatusCode::kInvalidArgument);

  // Replacing document a (same path, new content) takes its records with it.
  std::vector<DocumentWrite> again = {MakeWrite("/a.pdf", std::string(64, 'c'), {"title: A2"})};
  ASSERT_TRUE(store_->PutDocuments(again).ok());
  auto gone = store_->ExtractionsOf(a);
  ASSERT_TRUE(gone.ok());
  EXPECT_TRUE(gone->empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, BackendExtractionTest, ::testing::Values("sqlite", "postgresql"), BackendName);

}  // namespace
}  // namespace docpipe::store
