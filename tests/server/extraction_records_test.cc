// GET /documents/{id}/records: the `docpipe extract` records stored with a
// document, read through the server.
#include <gtest/gtest.h>

#include "docpipe/store.h"
#include "server_test_support.h"

namespace docpipe::testing {
namespace {

TEST(ServerRecords, DocumentRecordsAreServedPerSchema) {
  ScratchDir dir;
  ServerConfig config = TestConfig(dir);
  int64_t document_id = 0;
  {
    auto store = Store::Open(config.db);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    std::vector<DocumentWrite> writes(1);
    writes[0].record.path = dir / "paper.md";
    writes[0].record.sha256 = std::string(64, 'a');
    Chunk chunk;
    chunk.text = "title: Records";
    chunk.page_start = chunk.page_end = 1;
    writes[0].chunks.push_back(chunk);
    ASSERT_TRUE((*store)->PutDocuments(writes).ok());
    document_id = writes[0].record.id;
    StoredExtraction record{document_id, std::string(64, 'b'), "m", "extract-v1", "ok",
                            R"({"title": "Records"})", R"({"/title": [{"chunk": 0, "pages": [1, 1]}]})", ""};
    ASSERT_TRUE((*store)->PutExtraction(record).ok());
    record.schema_sha256 = std::string(64, 'c');
    record.status = "failed";
    record.record_json = "null";
    record.evidence_json = "{}";
    record.error = "invalid answer after one repair: at /: expected object";
    ASSERT_TRUE((*store)->PutExtraction(record).ok());
    record.document_id = document_id + 100;
    EXPECT_EQ((*store)->PutExtraction(record).code(), StatusCode::kNotFound);
  }
  TestServer server(config);
  ASSERT_TRUE(server.ok());
  HttpReply reply = server.Get("/documents/" + std::to_string(document_id) + "/records");
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.json["document_id"], document_id);
  ASSERT_EQ(reply.json["records"].size(), 2u) << reply.body;
  EXPECT_EQ(reply.json["records"][0]["record"]["title"], "Records");
  EXPECT_EQ(reply.json["records"][0]["evidence"]["/title"][0]["pages"], nlohmann::json::array({1, 1}));
  EXPECT_EQ(reply.json["records"][1]["status"], "failed");
  EXPECT_TRUE(reply.json["records"][1]["record"].is_null());
  EXPECT_NE(reply.json["records"][1]["error"].get<std::string>().find("after one repair"), std::string::npos);

  HttpReply none = server.Get("/documents/" + std::to_string(document_id + 100) + "/records");
  ASSERT_EQ(none.status, 200);
  EXPECT_TRUE(none.json["records"].empty());
  EXPECT_EQ(server.Get("/documents/abc/records").status, 404);
}

}  // namespace
}  // namespace docpipe::testing
