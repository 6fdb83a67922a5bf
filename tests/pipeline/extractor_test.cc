// The Extractor end to end against the stand-in LLM server (tests/llm): one
// request per short document, map-and-merge of a long one, evidence, repair,
// failure marking, the cache and resuming from its file.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "docpipe/extract.h"
#include "fake_llm_server.h"

namespace docpipe {
namespace {

using nlohmann::json;
using testing::FakeLlmBehavior;
using testing::FakeLlmServer;

const char* kPaperSchema = R"({"type": "object", "required": ["title"], "properties": {
    "title": {"type": "string", "description": "The paper's title"},
    "authors": {"type": "array", "items": {"type": "string"}},
    "year": {"type": "integer"},
    "open_access": {"type": "boolean"},
    "kind": {"type": "string", "enum": ["article", "preprint"]},
    "venue": {"type": "object", "properties": {"name": {"type": "string"}, "city": {"type": "string"}}},
    "datasets": {"type": "array", "items": {"type": "string"}}}})";

// About `words` tokens of prose, then the given lines.
std::string Text(int words, const std::string& lines) {
  std::string text;
  for (int i = 0; i < words; ++i) text += "filler" + std::to_string(i % 10) + " ";
  return text + "\n" + lines;
}

ExtractionDocument DocumentOf(const std::vector<std::string>& texts) {
  ExtractionDocument document;
  for (size_t i = 0; i < texts.size(); ++i) {
    int page = static_cast<int>(i) + 1;
    document.chunks.push_back({static_cast<int64_t>(100 + i), texts[i], page, page});
  }
  return document;
}

class ExtractorTest : public ::testing::Test {
 protected:
  void Connect(FakeLlmBehavior behavior, LlmProtocol protocol = LlmProtocol::kOllamaChat) {
    server_ = std::make_unique<FakeLlmServer>(behavior);
    LlmClientOptions options;
    options.base_url = protocol == LlmProtocol::kOpenAiChat ? server_->url() + "/v1" : server_->url();
    options.protocol = protocol;
    options.model = "test-model";
    options.max_retries = 1;
    options.backoff_initial = std::chrono::milliseconds(1);
    options.breaker_failure_threshold = 1000;
    client_ = LlmClient::Make(options).value();
  }

  std::unique_ptr<Extractor> Make(ExtractionCache* cache = nullptr, int context_tokens = 8192) {
    ExtractorOptions options;
    options.schema = ParseExtractionSchema(kPaperSchema).value();
    options.client = client_.get();
    options.cache = cache;
    options.context_tokens = context_tokens;
    options.evidence = true;
    auto extractor = Extractor::Make(options);
    EXPECT_TRUE(extractor.ok()) << extractor.status().ToString();
    return std::move(extractor).value();
  }

  std::unique_ptr<FakeLlmServer> server_;
  std::unique_ptr<LlmClient> client_;
};

ExtractionDocument ShortPaper() {
  return DocumentOf({"title: Parsing PDFs Quickly\nauthors: Ada Lovelace\nyear: 2021",
                   "open_access: true\nkind: preprint\nvenue.name: DocEng\nauthors: Alan Turing"});
}

TEST_F(ExtractorTest, ShortDocumentIsOneStructuredRequest) {
  for (LlmProtocol protocol : {LlmProtocol::kOllamaChat, LlmProtocol::kOpenAiChat}) {
    Connect({}, protocol);
    auto extractor = Make();
    ExtractionResult result = extractor->Extract(ShortPaper()).get();
    ASSERT_EQ(result.status, ExtractionStatus::kOk) << result.failure;
    EXPECT_EQ(json::parse(result.record_json),
              json::parse(R"({"title": "Parsing PDFs Quickly", "authors": ["Ada Lovelace", "Alan Turing"],
                              "year": 2021, "open_access": true, "kind": "preprint", "venue": {"name": "DocEng"}})"));
    EXPECT_EQ(result.groups, 1);
    EXPECT_EQ(result.requests, 1);
    EXPECT_EQ(server_->requests(), 1);
    EXPECT_GT(result.tokens_in, 0);
    EXPECT_GT(result.tokens_out, 0);
    json body = json::parse(server_->last_body());
    if (protocol == LlmProtocol::kOpenAiChat) {
      EXPECT_EQ(body["response_format"]["type"], "json_schema");
      EXPECT_EQ(body["response_format"]["json_schema"]["schema"]["required"], json::array({"title"}));
    } else {
      EXPECT_EQ(body["format"]["required"], json::array({"title"}));
    }
  }
}

TEST_F(ExtractorTest, LongDocumentIsMappedOverChunkGroupsAndMerged) {
  Connect({});
  auto extractor = Make(nullptr, 512);  // room for about two of these chunks per request
  ExtractionDocument document = DocumentOf(
      {Text(60, "title: The Real Title\nauthors: Ada"), Text(60, "datasets: MNIST"),
       Text(60, "authors: Bob\ntitle: A Section Heading Mistaken For A Title"), Text(60, "year: 1999"),
       Text(60, "authors: Ada\ndatasets: ImageNet\ndatasets: MNIST"), Text(60, "venue.city: Oslo")});
  ExtractionResult result = extractor->Extract(document).get();
  ASSERT_EQ(result.status, ExtractionStatus::kOk) << result.failure;
  EXPECT_GE(result.groups, 3);
  EXPECT_EQ(result.requests, result.groups);
  EXPECT_EQ(server_->requests(), result.groups);
  EXPECT_EQ(
      json::parse(result.record_json),
      json::parse(R"({"title": "The Real Title", "authors": ["Ada", "Bob"], "datasets": ["MNIST", "ImageNet"],
                            "year": 1999, "venue": {"city": "Oslo"}})"));
  // The parts were asked without `required`: a part need not hold the title.
  json body = json::parse(server_->last_body());
  EXPECT_FALSE(body["format"].contains("required"));
}

TEST_F(ExtractorTest, MergedRecordMissingARequiredFieldFailsInsteadOfInventingIt) {
  Connect({});
  auto extractor = Make(nullptr, 512);
  ExtractionResult result =
      extractor->Extract(DocumentOf({Text(100, "authors: Ada"), Text(100, "year: 2000"), Text(100, "")})).get();
  EXPECT_EQ(result.status, ExtractionStatus::kFailed);
  EXPECT_NE(result.failure.find("missing \"title\""), std::string::npos) << result.failure;
  EXPECT_EQ(result.record_json, "null");
}

TEST_F(ExtractorTest, EvidenceNamesChunksAndPages) {
  Connect({});
  auto extractor = Make();
  ExtractionResult result = extractor->Extract(ShortPaper()).get();
  ASSERT_EQ(result.status, ExtractionStatus::kOk) << result.failure;
  json evidence = json::parse(result.evidence_json);
  EXPECT_EQ(evidence["/title"], json::parse(R"([{"chunk": 100, "pages": [1, 1]}])"));
  EXPECT_EQ(evidence["/authors/1"], json::parse(R"([{"chunk": 101, "pages": [2, 2]}])"));
  EXPECT_EQ(evidence["/year"], json::parse(R"([{"chunk": 100, "pages": [1, 1]}])"));
}

TEST_F(ExtractorTest, InvalidAnswerGetsOneRepairWithTheValidationError) {
  Connect({.violate_schema_first = 1});
  auto extractor = Make();
  ExtractionResult result = extractor->Extract(ShortPaper()).get();
  ASSERT_EQ(result.status, ExtractionStatus::kOk) << result.failure;
  EXPECT_EQ(result.requests, 2);
  EXPECT_EQ(extractor->stats().repairs, 1);
  EXPECT_EQ(extractor->stats().invalid_answers, 1);
  std::string repair = server_->last_body();
  EXPECT_NE(repair.find("That answer is invalid: at /: expected object"), std::string::npos) << repair;
  EXPECT_NE(repair.find("[\\\"not\\\""), std::string::npos);  // the model is shown its answer
}

TEST_F(ExtractorTest, BrokenJsonIsRepairedToo) {
  Connect({.malformed_first = 1}, LlmProtocol::kOpenAiChat);
  auto extractor = Make();
  ExtractionResult result = extractor->Extract(ShortPaper()).get();
  ASSERT_EQ(result.status, ExtractionStatus::kOk) << result.failure;
  EXPECT_EQ(result.requests, 2);
  EXPECT_NE(server_->last_body().find("the answer is not JSON"), std::string::npos);
}

TEST_F(ExtractorTest, DocumentIsMarkedFailedWithTheReason) {
  Connect({.violate_schema_first = 2});
  auto extractor = Make();
  ExtractionResult invalid = extractor->Extract(ShortPaper()).get();
  EXPECT_EQ(invalid.status, ExtractionStatus::kFailed);
  EXPECT_NE(invalid.failure.find("invalid answer after one repair: at /: expected object"), std::string::npos)
      << invalid.failure;
  EXPECT_EQ(invalid.requests, 2);

  Connect({.fail_first = 1000});
  extractor = Make();
  ExtractionResult unreachable = extractor->Extract(ShortPaper()).get();
  EXPECT_EQ(unreachable.status, ExtractionStatus::kFailed);
  EXPECT_NE(unreachable.failure.find("HTTP 500"), std::string::npos) << unreachable.failure;
  EXPECT_EQ(extractor->stats().failed, 1);
  EXPECT_EQ(extractor->stats().request_failures, 1);

  ExtractionResult empty = extractor->Extract(ExtractionDocument{}).get();
  EXPECT_EQ(empty.status, ExtractionStatus::kFailed);
  EXPECT_NE(empty.failure.find("no text"), std::string::npos);
}

class CacheFile {
 public:
  CacheFile() : path_(::testing::TempDir() + "extract_cache_" + std::to_string(::getpid()) + ".jsonl") {
    std::remove(path_.c_str());
  }
  ~CacheFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

const char* kMarkedSchema = R"({"type": "object", "required": ["title"], "properties": {
    "title": {"type": "string"},
    "summary": {"type": "string", "x-merge": "llm"},
    "methods": {"type": "array", "items": {"type": "string"}, "x-merge": "llm"},
    "year": {"type": "integer", "x-merge": "llm"}}})";

std::unique_ptr<Extractor> MakeMarked(LlmClient* client, bool merge_llm, ExtractionCache* cache = nullptr) {
  ExtractorOptions options;
  options.schema = ParseExtractionSchema(kMarkedSchema).value();
  options.client = client;
  options.cache = cache;
  options.context_tokens = 512;  // about two of these chunks per request
  options.merge_llm = merge_llm;
  return Extractor::Make(options).value();
}

// Three or more parts: the summary in two of them, methods in two, the year in one.
ExtractionDocument MarkedPaper() {
  return DocumentOf({Text(60, "title: Fast Parsing\nsummary: We parse PDFs.\nmethods: MuPDF"), Text(60, ""),
                   Text(60, "summary: We also chunk them.\nmethods: BM25"), Text(60, "year: 2024"),
                   Text(60, "methods: MuPDF")});
}

TEST_F(ExtractorTest, MarkedFieldsOfALongDocumentAreCombinedByTheModel) {
  Connect({});
  ExtractionResult rules = MakeMarked(client_.get(), false)->Extract(MarkedPaper()).get();
  ASSERT_EQ(rules.status, ExtractionStatus::kOk) << rules.failure;
  ASSERT_GE(rules.groups, 3);
  EXPECT_EQ(rules.requests, rules.groups);
  EXPECT_EQ(json::parse(rules.record_json)["summary"], "We parse PDFs.");  // the first part's
  EXPECT_EQ(server_->last_body().find("x-merge"), std::string::npos) << "the mark is never sent";

  const int before = server_->requests();
  ExtractionResult merged = MakeMarked(client_.get(), true)->Extract(MarkedPaper()).get();
  ASSERT_EQ(merged.status, ExtractionStatus::kOk) << merged.failure;
  // One more request per marked field with values from two parts or more: summary and methods, not year.
  EXPECT_EQ(merged.requests, merged.groups + 2);
  EXPECT_EQ(server_->requests() - before, merged.groups + 2);
  json record = json::parse(merged.record_json);
  EXPECT_EQ(record["summary"], "We parse PDFs.; We also chunk them.");  // the stand-in's combination
  // The stand-in keeps every line it is shown; the rule merge would have dropped the repeat.
  EXPECT_EQ(record["methods"], json::parse(R"(["MuPDF", "BM25", "MuPDF"])"));
  EXPECT_EQ(record["year"], 2024);
  EXPECT_EQ(record["title"], "Fast Parsing");
  json body = json::parse(server_->last_body());  // a merge request: the field alone, required
  EXPECT_EQ(body["format"]["required"].size(), 1u) << body.dump();
  EXPECT_EQ(body["format"]["properties"].size(), 1u) << body.dump();
  EXPECT_EQ(server_->last_body().find("x-merge"), std::string::npos);
  EXPECT_NE(server_->last_body().find("Part values"), std::string::npos);
}

TEST_F(ExtractorTest, AMergeThatStaysInvalidFailsTheDocumentAndMergesAreCached) {
  Connect({});
  CacheFile file;
  auto cache = OpenExtractionCacheFile(file.path()).value();
  ExtractionResult rules = MakeMarked(client_.get(), false, cache.get())->Extract(MarkedPaper()).get();
  ASSERT_EQ(rules.status, ExtractionStatus::kOk) << rules.failure;

  // The parts come from the cache; both merges are asked, and their answers and repairs are all invalid.
  Connect({.violate_schema_first = 4});
  ExtractionResult failed = MakeMarked(client_.get(), true, cache.get())->Extract(MarkedPaper()).get();
  EXPECT_EQ(failed.status, ExtractionStatus::kFailed);
  EXPECT_NE(failed.failure.find("merging \""), std::string::npos) << failed.failure;
  EXPECT_NE(failed.failure.find("invalid answer after one repair"), std::string::npos) << failed.failure;
  EXPECT_EQ(failed.cache_hits, failed.groups);

  EXPECT_EQ(failed.requests, 4);

  // Failed merges are not cached: the next run asks them again; the one after, nothing.
  Connect({});
  ExtractionResult again = MakeMarked(client_.get(), true, cache.get())->Extract(MarkedPaper()).get();
  ASSERT_EQ(again.status, ExtractionStatus::kOk) << again.failure;
  EXPECT_EQ(again.requests, 2);
  EXPECT_EQ(again.cache_hits, again.groups);
  ExtractionResult cached = MakeMarked(client_.get(), true, cache.get())->Extract(MarkedPaper()).get();
  ASSERT_EQ(cached.status, ExtractionStatus::kOk) << cached.failure;
  EXPECT_EQ(cached.requests, 0);
  EXPECT_EQ(cached.cache_hits, cached.groups + 2);
  EXPECT_EQ(cached.record_json, again.record_json);
}

TEST_F(ExtractorTest, CachedDocumentsSendNothing) {
  Connect({});
  CacheFile file;
  auto cache = OpenExtractionCacheFile(file.path()).value();
  ExtractionDocument long_document =
      DocumentOf({Text(150, "title: Cached"), Text(150, "authors: Ada"), Text(150, "authors: Bob")});
  ExtractionResult first = Make(cache.get(), 512)->Extract(long_document).get();
  ASSERT_EQ(first.status, ExtractionStatus::kOk) << first.failure;
  int sent = server_->requests();
  EXPECT_EQ(sent, first.groups);

  ExtractionResult again = Make(cache.get(), 512)->Extract(long_document).get();
  EXPECT_EQ(server_->requests(), sent);
  EXPECT_EQ(again.cache_hits, again.groups);
  EXPECT_EQ(again.requests, 0);
  EXPECT_EQ(again.record_json, first.record_json);

  // A changed part is asked again; the unchanged ones are not.
  long_document.chunks[2].text = Text(150, "authors: Carol");
  ExtractionResult changed = Make(cache.get(), 512)->Extract(long_document).get();
  EXPECT_EQ(changed.requests, 1);
  EXPECT_EQ(json::parse(changed.record_json)["authors"], json::parse(R"(["Ada", "Carol"])"));
}

TEST_F(ExtractorTest, ResumesFromTheCacheFileAfterATornWrite) {
  Connect({});
  CacheFile file;
  ExtractionDocument a = DocumentOf({"title: First"}), b = DocumentOf({"title: Second"});
  {
    auto cache = OpenExtractionCacheFile(file.path()).value();
    ASSERT_EQ(Make(cache.get())->Extract(a).get().status, ExtractionStatus::kOk);
  }
  {
    std::ofstream torn(file.path(), std::ios::app);
    torn << R"({"key": "test-model\nabc)";  // a line cut short by kill -9
  }
  auto cache = OpenExtractionCacheFile(file.path()).value();
  auto extractor = Make(cache.get());
  EXPECT_EQ(extractor->Extract(a).get().cache_hits, 1);
  EXPECT_EQ(server_->requests(), 1);
  ASSERT_EQ(extractor->Extract(b).get().status, ExtractionStatus::kOk);
  EXPECT_EQ(server_->requests(), 2);
  // The line written after the torn one is whole: a third run asks nothing.
  auto reopened = OpenExtractionCacheFile(file.path()).value();
  EXPECT_EQ(Make(reopened.get())->Extract(b).get().cache_hits, 1);
  EXPECT_EQ(server_->requests(), 2);
}

TEST_F(ExtractorTest, ManyDocumentsConcurrentlyUnderFailuresEndValidOrFailedAndNothingAnsweredIsResent) {
  Connect({.fail_percent = 30, .broken_json_percent = 10});
  auto extractor = Make();
  std::vector<std::future<ExtractionResult>> futures;
  for (int i = 0; i < 40; ++i) {
    futures.push_back(extractor->Extract(DocumentOf({"title: Paper " + std::to_string(i) + "\nyear: 2020"})));
  }
  int ok = 0, failed = 0;
  for (int i = 0; i < 40; ++i) {
    ExtractionResult result = futures[i].get();
    if (result.status == ExtractionStatus::kOk) {
      ++ok;
      EXPECT_EQ(json::parse(result.record_json)["title"], "Paper " + std::to_string(i));
    } else {
      ++failed;
      EXPECT_FALSE(result.failure.empty());
    }
  }
  EXPECT_EQ(ok + failed, 40);
  EXPECT_GT(ok, 0);
  EXPECT_EQ(server_->repeated_after_answer(), 0);
}

}  // namespace
}  // namespace docpipe
