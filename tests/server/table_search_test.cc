// POST /search with "has_table" through real HTTP: only chunks that hold a
// table, only those that hold none, and a clear error for anything but a boolean.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "docpipe/store.h"
#include "server_test_support.h"

namespace docpipe::testing {
namespace {

// A stored document of three chunks, the middle one rows of a table.
void PutTableDocument(const std::string& db) {
  auto store = Store::Open(db);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  DocumentWrite write;
  write.record.path = "reports/devices.pdf";
  write.record.sha256 = "sha-devices";
  write.record.bytes = 100;
  const std::vector<std::string> texts = {"Reads of every device were measured.",
                                          "| device gamma | 77 reads |", "The gamma device reads slowly."};
  for (size_t i = 0; i < texts.size(); ++i) {
    Chunk chunk;
    chunk.ordinal = static_cast<int>(i);
    chunk.text = texts[i];
    chunk.page_start = chunk.page_end = 1;
    chunk.token_count = 6;
    write.chunks.push_back(chunk);
  }
  write.chunks[1].has_table = true;
  write.chunks[1].table_header = "| Device | Reads |\n| --- | --- |";
  write.chunks[1].tables = {{1, 2, "Table 2: Reads per device."}, {1, 3, ""}};
  std::vector<DocumentWrite> writes = {write};
  ASSERT_TRUE((*store)->PutDocuments(writes).ok());
}

std::vector<std::string> HitTexts(const HttpReply& reply) {
  std::vector<std::string> texts;
  for (const auto& hit : reply.json["hits"]) texts.push_back(hit["text"]);
  std::sort(texts.begin(), texts.end());
  return texts;
}

TEST(ServerSearch, HasTableKeepsOnlyTableChunksOrOnlyTheOthers) {
  ScratchDir dir;
  ServerConfig config = TestConfig(dir);
  PutTableDocument(config.db);
  TestServer server(config);
  ASSERT_TRUE(server.ok());

  HttpReply all = server.Post("/search", R"({"query":"reads","k":10})");
  ASSERT_EQ(all.status, 200) << all.body;
  EXPECT_EQ(all.json["hits"].size(), 3u) << all.body;
  HttpReply any = server.Post("/search", R"({"query":"reads","k":10,"has_table":null})");
  ASSERT_EQ(any.status, 200) << any.body;
  EXPECT_EQ(any.json["hits"].size(), 3u) << any.body;

  HttpReply tables = server.Post("/search", R"({"query":"reads","k":10,"has_table":true})");
  ASSERT_EQ(tables.status, 200) << tables.body;
  ASSERT_EQ(tables.json["hits"].size(), 1u) << tables.body;
  EXPECT_EQ(tables.json["hits"][0]["has_table"], true);
  EXPECT_EQ(tables.json["hits"][0]["table_header"], "| Device | Reads |\n| --- | --- |");
  // Which tables: page, place on the page, and the caption when there is one.
  EXPECT_EQ(tables.json["hits"][0]["tables"], nlohmann::json::parse(R"([{"page": 1, "index": 2, "caption":
      "Table 2: Reads per device."}, {"page": 1, "index": 3}])"));

  HttpReply prose = server.Post("/search", R"({"query":"reads","k":10,"has_table":false})");
  ASSERT_EQ(prose.status, 200) << prose.body;
  EXPECT_EQ(HitTexts(prose), (std::vector<std::string>{"Reads of every device were measured.",
                                                       "The gamma device reads slowly."}));
  for (const auto& hit : prose.json["hits"]) {
    EXPECT_EQ(hit["has_table"], false);
    EXPECT_FALSE(hit.contains("table_header"));
    EXPECT_FALSE(hit.contains("tables"));
  }

  HttpReply wrong = server.Post("/search", R"({"query":"reads","has_table":"yes"})");
  EXPECT_EQ(wrong.status, 400);
  EXPECT_NE(wrong.body.find("has_table: expected true, false or null"), std::string::npos) << wrong.body;
}

}  // namespace
}  // namespace docpipe::testing
