// The Store behaviours both backends must share, run against each: SQLite in
// a temporary file and PostgreSQL in a fresh database on the test server.
// Writing and replacing, all-or-nothing batches, runs and counts, readers,
// full-text search as users type it, enrichment rows, and the cache.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "backend_fixture.h"
#include "store/fts_query.h"

namespace docpipe::store {
namespace {

using testing::MakeWrite;

EnrichmentResult LlmResult(const std::string& id) {
  EnrichmentResult result;
  result.id = id;
  result.has_tags = true;
  result.tags.domain = {"computing", 0.9f};
  result.tags.task = {"explain", 0.75f};
  result.tags.modifiers = {{"technical", 0.5f}, {"quantitative", 0.25f}};
  result.has_entities = true;
  result.entities = {{"Tower", "location", 4, 9, 0.5f}};
  result.source = EnrichmentSource::kLlm;
  result.producer = "llm:test-model";
  result.prompt_version = "tags+entities/v1/abc";
  return result;
}

EnrichmentCacheKey Key(const std::string& sha) { return {"test-model", "tags+entities/v1/abc", sha}; }

TEST_P(BackendTest, RecordAndChunksRoundTrip) {
  DocumentWrite write = MakeWrite("docs/report.pdf", "abc123", {"alpha text", "beta text"});
  write.record.kind = DocumentKind::kMixed;
  write.record.metadata.author = "A. Author";
  write.record.seconds.extract = 0.25;
  write.record.pages_needing_ocr = {2, 5};
  write.record.page_errors = {"page 5: timeout: OCR took too long"};
  std::vector<DocumentWrite> writes = {write};
  ASSERT_TRUE(store_->PutDocuments(writes).ok());
  ASSERT_GT(writes[0].record.id, 0);

  auto found = store_->FindByPath("docs/report.pdf");
  ASSERT_TRUE(found.ok() && found->has_value()) << found.status().ToString();
  const DocumentRecord& record = **found;
  EXPECT_EQ(record.id, writes[0].record.id);
  EXPECT_EQ(record.sha256, "abc123");
  EXPECT_EQ(record.bytes, 1000);
  EXPECT_EQ(record.kind, DocumentKind::kMixed);
  EXPECT_EQ(record.status, DocumentStatus::kOk);
  EXPECT_EQ(record.metadata.title, "Title of docs/report.pdf");
  EXPECT_EQ(record.metadata.author, "A. Author");
  EXPECT_DOUBLE_EQ(record.seconds.extract, 0.25);
  EXPECT_EQ(record.pages_needing_ocr, (std::vector<int>{2, 5}));
  EXPECT_EQ(record.page_errors, write.record.page_errors);

  auto chunks = store_->ChunksOf(record.id);
  ASSERT_TRUE(chunks.ok()) << chunks.status().ToString();
  ASSERT_EQ(chunks->size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    const Chunk& got = (*chunks)[i];
    const Chunk& want = write.chunks[i];
    EXPECT_EQ(got.ordinal, want.ordinal);
    EXPECT_EQ(got.text, want.text);
    EXPECT_EQ(got.heading_path, want.heading_path);
    EXPECT_EQ(got.page_start, want.page_start);
    EXPECT_EQ(got.page_end, want.page_end);
    EXPECT_EQ(got.token_count, want.token_count);
    EXPECT_EQ(got.char_start, want.char_start);
    EXPECT_EQ(got.char_end, want.char_end);
  }
  auto by_sha = store_->FindBySha256("abc123");
  ASSERT_TRUE(by_sha.ok() && by_sha->has_value());
  EXPECT_EQ((*by_sha)->path, "docs/report.pdf");
  auto missing = store_->FindByPath("nowhere.pdf");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
}

TEST_P(BackendTest, InvalidUtf8IsStoredReplaced) {
  DocumentWrite write = MakeWrite("bad.pdf", "bad", {std::string("chunk \xff text")});
  write.record.metadata.title = "broken \xff title";
  write.chunks[0].heading_path = {"head \xfe"};
  Put({write});
  auto found = store_->FindByPath("bad.pdf");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->metadata.title, "broken \xEF\xBF\xBD title");
  auto chunks = store_->ChunksOf((*found)->id);
  ASSERT_TRUE(chunks.ok() && chunks->size() == 1u);
  EXPECT_EQ((*chunks)[0].heading_path[0], "head \xEF\xBF\xBD");
}

TEST_P(BackendTest, SamePathNewContentReplacesOldChunks) {
  Put({MakeWrite("a.pdf", "v1", {"obsolete zeppelin wording", "second old chunk"})});
  auto first = store_->FindByPath("a.pdf");
  ASSERT_TRUE(first.ok() && first->has_value());
  ASSERT_EQ(Search("zeppelin").size(), 1u);

  Put({MakeWrite("a.pdf", "v2", {"fresh submarine wording"})});
  auto second = store_->FindByPath("a.pdf");
  ASSERT_TRUE(second.ok() && second->has_value());
  EXPECT_EQ((*second)->sha256, "v2");
  EXPECT_NE((*second)->id, (*first)->id) << "ids are never reused";
  EXPECT_TRUE(Search("zeppelin").empty());
  EXPECT_EQ(Search("submarine").size(), 1u);
  auto old_chunks = store_->ChunksOf((*first)->id);
  ASSERT_TRUE(old_chunks.ok());
  EXPECT_TRUE(old_chunks->empty());
  StoreCounts counts = Counts();
  EXPECT_EQ(counts.documents, 1);
  EXPECT_EQ(counts.chunks, 1);
}

TEST_P(BackendTest, FailedRecordWithSameContentIsReplaced) {
  DocumentWrite failed = MakeWrite("old/place.pdf", "same-sha", {});
  failed.record.status = DocumentStatus::kFailed;
  failed.record.error = "timeout: extraction took too long";
  Put({failed});
  EXPECT_EQ(Counts().failed_documents, 1);
  auto not_ok = store_->FindBySha256("same-sha");
  ASSERT_TRUE(not_ok.ok());
  EXPECT_FALSE(not_ok->has_value()) << "a failed record is not a stored document";
  auto failed_record = store_->FindByPath("old/place.pdf");
  ASSERT_TRUE(failed_record.ok() && failed_record->has_value());
  EXPECT_EQ((*failed_record)->error, failed.record.error);

  Put({MakeWrite("new/place.pdf", "same-sha", {"now it worked"})});
  StoreCounts counts = Counts();
  EXPECT_EQ(counts.documents, 1);
  EXPECT_EQ(counts.failed_documents, 0);
  auto old_record = store_->FindByPath("old/place.pdf");
  ASSERT_TRUE(old_record.ok());
  EXPECT_FALSE(old_record->has_value());
}

// Writes of one batch land as if written one after another, also when a
// later one replaces an earlier one (PostgreSQL sends such batches in turn,
// others pipelined).
TEST_P(BackendTest, LaterWritesOfABatchReplaceEarlierOnes) {
  DocumentWrite failed = MakeWrite("first/try.pdf", "content", {});
  failed.record.status = DocumentStatus::kFailed;
  failed.record.error = "timeout";
  Put({MakeWrite("a.pdf", "v1", {"first version"}), failed, MakeWrite("b.pdf", "other", {"bee"}),
       MakeWrite("a.pdf", "v2", {"second version"}), MakeWrite("second/try.pdf", "content", {"worked"})});
  StoreCounts counts = Counts();
  EXPECT_EQ(counts.documents, 3);
  EXPECT_EQ(counts.failed_documents, 0);
  EXPECT_EQ(counts.chunks, 3);
  auto a = store_->FindByPath("a.pdf");
  ASSERT_TRUE(a.ok() && a->has_value());
  EXPECT_EQ((*a)->sha256, "v2");
  auto gone = store_->FindByPath("first/try.pdf");
  ASSERT_TRUE(gone.ok());
  EXPECT_FALSE(gone->has_value());
  EXPECT_TRUE(Search("first").empty());
  EXPECT_EQ(Search("second").size(), 1u);
}

TEST_P(BackendTest, IndependentWritesOfABatchAllLandWithTheirIds) {
  std::vector<DocumentWrite> writes;
  for (int i = 0; i < 40; ++i) {
    writes.push_back(MakeWrite("doc" + std::to_string(i) + ".md", "sha" + std::to_string(i),
                               {"chunk of document " + std::to_string(i)}));
  }
  ASSERT_TRUE(store_->PutDocuments(writes).ok());
  for (const DocumentWrite& write : writes) {
    auto found = store_->FindByPath(write.record.path);
    ASSERT_TRUE(found.ok() && found->has_value()) << write.record.path;
    EXPECT_EQ((*found)->id, write.record.id);
    EXPECT_EQ((*found)->sha256, write.record.sha256);
  }
  // Rewriting the same paths replaces each, keeping when it was first stored.
  auto before = store_->FindByPath("doc7.md");
  const std::string created_at = Raw("SELECT created_at FROM documents WHERE path = 'doc7.md'");
  for (DocumentWrite& write : writes) write.record.sha256 += "-v2";
  ASSERT_TRUE(store_->PutDocuments(writes).ok());
  EXPECT_EQ(Counts().documents, 40);
  auto after = store_->FindByPath("doc7.md");
  ASSERT_TRUE(after.ok() && after->has_value());
  EXPECT_EQ((*after)->sha256, "sha7-v2");
  EXPECT_NE((*after)->id, (*before)->id);
  EXPECT_EQ(Raw("SELECT created_at FROM documents WHERE path = 'doc7.md'"), created_at);
}

TEST_P(BackendTest, OkRecordsWithSameContentAtOtherPathsStay) {
  Put({MakeWrite("copy1.pdf", "dup", {"one"})});
  Put({MakeWrite("copy2.pdf", "dup", {"two"})});
  EXPECT_EQ(Counts().documents, 2);
  auto newest = store_->FindBySha256("dup");
  ASSERT_TRUE(newest.ok() && newest->has_value());
  EXPECT_EQ((*newest)->path, "copy2.pdf");
}

TEST_P(BackendTest, BatchIsAllOrNothing) {
  Put({MakeWrite("keep.pdf", "keep", {"kept text"})});
  std::vector<DocumentWrite> writes = {
      MakeWrite("keep.pdf", "keep-v2", {"replacement text"}),
      MakeWrite("good.pdf", "good", {"fine chunk", "another"}),
      MakeWrite("bad.pdf", "bad", {"first", "second", "third"}),
  };
  writes[2].chunks[2].ordinal = 1;  // a duplicate ordinal fails the third document
  Status status = store_->PutDocuments(writes);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << status.ToString();
  EXPECT_NE(status.message().find("bad.pdf"), std::string::npos) << status.message();
  for (const DocumentWrite& write : writes) EXPECT_EQ(write.record.id, 0) << "ids only after commit";

  StoreCounts counts = Counts();
  EXPECT_EQ(counts.documents, 1);
  EXPECT_EQ(counts.chunks, 1);
  EXPECT_EQ(Search("kept").size(), 1u);
  EXPECT_TRUE(Search("replacement").empty());
  Put({MakeWrite("good.pdf", "good", {"fine chunk"})});
  EXPECT_EQ(Counts().documents, 2);
}

TEST_P(BackendTest, EmptyPathIsRejected) {
  std::vector<DocumentWrite> writes = {MakeWrite("", "x", {"text"})};
  EXPECT_EQ(store_->PutDocuments(writes).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Counts().documents, 0);
}

TEST_P(BackendTest, RunsRecordConfigAndMetrics) {
  auto run = store_->BeginRun(R"({"threads": 2})");
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(Counts().runs, 1);
  EXPECT_EQ(Raw("SELECT count(*) FROM runs WHERE finished_at IS NULL"), "1");
  ASSERT_TRUE(store_->FinishRun(*run, R"({"documents": 3})").ok());
  EXPECT_EQ(Raw("SELECT count(*) FROM runs WHERE finished_at IS NULL"), "0");
  EXPECT_EQ(Raw("SELECT count(*) FROM runs WHERE finished_at >= started_at"), "1");
  EXPECT_EQ(store_->FinishRun(*run + 100, "{}").code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->BeginRun("{not json").status().code(), StatusCode::kInvalidArgument);
  auto second = store_->BeginRun("");
  ASSERT_TRUE(second.ok());
  EXPECT_GT(*second, *run);
}

TEST_P(BackendTest, CountsSeparateOkAndFailed) {
  DocumentWrite failed = MakeWrite("f.pdf", "f", {});
  failed.record.status = DocumentStatus::kFailed;
  Put({MakeWrite("a.pdf", "a", {"1", "2", "3"}), MakeWrite("b.pdf", "b", {"4"}), failed});
  StoreCounts counts = Counts();
  EXPECT_EQ(counts.documents, 2);
  EXPECT_EQ(counts.failed_documents, 1);
  EXPECT_EQ(counts.chunks, 4);
  EXPECT_EQ(counts.runs, 0);
}

TEST_P(BackendTest, ReaderSeesCommittedWritesAndCannotWrite) {
  auto reader = store_->OpenReader();
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  Put({MakeWrite("a.pdf", "a", {"visible text"})});
  auto found = (*reader)->FindByPath("a.pdf");
  ASSERT_TRUE(found.ok() && found->has_value());
  std::vector<DocumentWrite> writes = {MakeWrite("b.pdf", "b", {"x"})};
  EXPECT_EQ((*reader)->PutDocuments(writes).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ((*reader)->BeginRun("{}").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ((*reader)->OpenEnrichmentCache().status().code(), StatusCode::kInvalidArgument);

  StoreOptions read_only;
  read_only.read_only = true;
  auto opened = Store::Open(location_, read_only);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ((*opened)->Counts()->documents, 1);
}

TEST_P(BackendTest, SearchRanksChunkMentioningTermsMostFirst) {
  PutSearchCorpus();
  std::vector<SearchHit> hits = Search("rank fusion");
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0].path, "papers/fusion.pdf");
  EXPECT_EQ(hits[1].path, "papers/survey.pdf");
  EXPECT_GT(hits[0].score, hits[1].score);
  EXPECT_GT(hits[1].score, 0);
}

TEST_P(BackendTest, SearchHitCarriesContextAndMarkedSnippet) {
  PutSearchCorpus();
  SearchOptions options;
  options.open_mark = "<b>";
  options.close_mark = "</b>";
  options.snippet_tokens = 5;
  std::vector<SearchHit> hits = Search("tomatoes", options);
  ASSERT_EQ(hits.size(), 1u);
  const SearchHit& hit = hits[0];
  EXPECT_EQ(hit.title, "Title of papers/fusion.pdf");
  EXPECT_EQ(hit.text, "An unrelated chunk about gardening and tomatoes.");
  EXPECT_EQ(hit.heading_path, (std::vector<std::string>{"Report", "Section 2"}));
  EXPECT_EQ(hit.page_start, 2);
  EXPECT_GT(hit.chunk_id, 0);
  EXPECT_GT(hit.document_id, 0);
  EXPECT_NE(hit.snippet.find("<b>tomatoes</b>"), std::string::npos) << hit.snippet;
  EXPECT_LT(hit.snippet.size(), hit.text.size() + 7);
  options.k = 1;
  EXPECT_EQ(Search("rank", options).size(), 1u);
  options.k = 0;
  EXPECT_TRUE(Search("rank", options).empty());
}

TEST_P(BackendTest, TableMarksOfChunksRoundTripAndShowInHits) {
  DocumentWrite write = MakeWrite("docs/tables.pdf", "tab123",
                                  {"Prose before the table.", "| gamma | 77 | 40 |\n| delta | 12 | 9 |"});
  write.chunks[1].has_table = true;
  write.chunks[1].table_header = "| Device | Reads | Writes |\n| --- | --- | --- |";
  write.chunks[1].tables = {{3, 2, "Table 4: Devices, \"reads\" and writes."}, {4, 1, ""}};
  std::vector<DocumentWrite> writes = {write};
  ASSERT_TRUE(store_->PutDocuments(writes).ok());
  auto chunks = store_->ChunksOf(writes[0].record.id);
  ASSERT_TRUE(chunks.ok()) << chunks.status().ToString();
  ASSERT_EQ(chunks->size(), 2u);
  EXPECT_FALSE((*chunks)[0].has_table);
  EXPECT_EQ((*chunks)[0].table_header, "");
  EXPECT_TRUE((*chunks)[1].has_table);
  EXPECT_EQ((*chunks)[1].table_header, write.chunks[1].table_header);
  EXPECT_TRUE((*chunks)[0].tables.empty());
  EXPECT_EQ((*chunks)[1].tables, write.chunks[1].tables);
  std::vector<SearchHit> hits = Search("gamma");
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_TRUE(hits[0].has_table);
  EXPECT_EQ(hits[0].table_header, write.chunks[1].table_header);
  EXPECT_EQ(hits[0].tables, write.chunks[1].tables);
  hits = Search("prose");
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_FALSE(hits[0].has_table);
  EXPECT_TRUE(hits[0].tables.empty());
}

TEST_P(BackendTest, SearchStemsFoldsAccentsAndCase) {
  PutSearchCorpus();
  EXPECT_EQ(Search("indexes").size(), 1u);
  EXPECT_EQ(Search("naive").size(), 1u);
  EXPECT_EQ(Search("RANKINGS").size(), 2u);
}

TEST_P(BackendTest, SearchTakesWhatUsersType) {
  PutSearchCorpus();
  for (const char* query : {"state-of-the-art", "C++", "don't", "\"lone quote", "rank)", "(rank", "a:b", "^x",
                            "-- !!", "NEAR", "fusion*", "\"\"", "*", "'", "{ }", "[a]", "a & b | !c", "x:*"}) {
    auto hits = store_->Search(query, {});
    EXPECT_TRUE(hits.ok()) << query << ": " << hits.status().ToString();
  }
  EXPECT_EQ(Search("state-of-the-art").size(), 1u);
  EXPECT_EQ(Search("C++").size(), 1u);
  EXPECT_EQ(Search("\"reciprocal rank").size(), 1u);
  EXPECT_TRUE(Search("   ").empty());
  EXPECT_TRUE(Search("-- ++").empty());
}

TEST_P(BackendTest, SearchSyntaxWorksAndErrorsAreInvalidArgument) {
  PutSearchCorpus();
  EXPECT_EQ(Search("gardening OR aggregation").size(), 2u);
  EXPECT_EQ(Search("rank NOT reciprocal").size(), 1u);
  EXPECT_EQ(Search("\"reciprocal rank fusion\"").size(), 1u);
  EXPECT_EQ(Search("recipro*").size(), 1u);
  EXPECT_EQ(Search("NEAR(rank aggregation, 2)").size(), 1u);
  for (const char* query : {"rank AND", "OR fusion", "NEAR(rank fusion, x)"}) {
    auto hits = store_->Search(query, {});
    ASSERT_FALSE(hits.ok()) << query;
    EXPECT_EQ(hits.status().code(), StatusCode::kInvalidArgument) << hits.status().ToString();
    EXPECT_NE(hits.status().message().find(query), std::string::npos) << hits.status().message();
  }
}

// A word repeated 500 times took 31 s in SQLite and grew faster than linearly
// in PostgreSQL too: repeats are one term, and past the limits the query is
// refused with the reason instead of running.
TEST_P(BackendTest, RepeatedWordsSearchOnceAndOversizedQueriesAreRefused) {
  PutSearchCorpus();
  std::string repeated;
  for (int i = 0; i < 500; ++i) repeated += (i % 2 ? " fusion" : " Fusion");
  const std::vector<SearchHit> once = Search("fusion");
  const std::vector<SearchHit> many = Search(repeated);
  ASSERT_EQ(once.size(), 2u);
  ASSERT_EQ(many.size(), once.size());
  for (size_t i = 0; i < once.size(); ++i) EXPECT_EQ(many[i].chunk_id, once[i].chunk_id);

  std::string distinct;
  for (int i = 0; i <= kMaxQueryTerms; ++i) distinct += " fusion" + std::to_string(i);
  auto too_many = store_->Search(distinct, {});
  ASSERT_FALSE(too_many.ok());
  EXPECT_EQ(too_many.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(too_many.status().message(), "the query has 65 terms after repeats; a search takes at most 64");

  auto too_long = store_->Search(std::string(kMaxQueryBytes + 1, 'x'), {});
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.status().message(), "the query is 4097 bytes long; a search takes at most 4096");
}

TEST_P(BackendTest, EnrichmentRowsRoundTripAndGoWithTheirChunks) {
  DocumentWrite write = MakeWrite("a.md", "sha-a", {"The Tower is tall.", "plain"});
  write.enrichments = {LlmResult("x"), EnrichmentResult{}};
  std::vector<DocumentWrite> writes = {write};
  ASSERT_TRUE(store_->PutDocuments(writes).ok());
  auto stored = store_->EnrichmentsOf(writes[0].record.id);
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  ASSERT_EQ(stored->size(), 2u);
  const EnrichmentResult& first = (*stored)[0];
  EXPECT_EQ(first.id, "0");
  EXPECT_EQ(first.source, EnrichmentSource::kLlm);
  EXPECT_EQ(first.producer, "llm:test-model");
  EXPECT_EQ(first.prompt_version, "tags+entities/v1/abc");
  EXPECT_EQ(first.tags.domain.label, "computing");
  EXPECT_FLOAT_EQ(first.tags.domain.confidence, 0.9f);
  ASSERT_EQ(first.tags.modifiers.size(), 2u);
  EXPECT_EQ(first.tags.modifiers[0].label, "technical");  // ranking kept
  ASSERT_EQ(first.entities.size(), 1u);
  EXPECT_EQ(first.entities[0].start, 4);
  EXPECT_EQ(first.entities[0].end, 9);
  EXPECT_FALSE((*stored)[1].has_tags || (*stored)[1].has_entities);
  EXPECT_EQ(Raw("SELECT count(*) FROM chunk_tags"), "4");

  DocumentWrite replacement = MakeWrite("a.md", "sha-b", {"new"});
  Put({replacement});
  EXPECT_EQ(Raw("SELECT count(*) FROM chunk_tags"), "0");
  EXPECT_EQ(Raw("SELECT count(*) FROM chunk_entities"), "0");

  DocumentWrite wrong = MakeWrite("w.md", "sha-w", {"one", "two"});
  wrong.enrichments = {LlmResult("0")};
  std::vector<DocumentWrite> bad = {MakeWrite("b.md", "sha-c", {"fine"}), wrong};
  EXPECT_EQ(store_->PutDocuments(bad).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Counts().documents, 1);
}

TEST_P(BackendTest, CacheQueuesPutsPersistsOnFlushAndSharesAcrossStores) {
  auto cache = store_->OpenEnrichmentCache();
  ASSERT_TRUE(cache.ok()) << cache.status().ToString();
  EXPECT_FALSE((*cache)->Get(Key("aa")).has_value());
  (*cache)->Put(Key("aa"), LlmResult("7"));
  EXPECT_EQ((*cache)->pending(), 1u);
  ASSERT_TRUE((*cache)->Get(Key("aa")).has_value());
  EXPECT_EQ(Raw("SELECT count(*) FROM enrichment_cache"), "0");
  ASSERT_TRUE((*cache)->Flush().ok());
  EXPECT_EQ((*cache)->pending(), 0u);
  EXPECT_EQ(Raw("SELECT count(*) FROM enrichment_cache"), "1");
  EXPECT_FALSE((*cache)->Get({"other-model", "tags+entities/v1/abc", "aa"}).has_value());

  auto reopened = Store::Open(location_);
  ASSERT_TRUE(reopened.ok());
  auto other = (*reopened)->OpenEnrichmentCache();
  ASSERT_TRUE(other.ok());
  std::optional<EnrichmentResult> stored = (*other)->Get(Key("aa"));
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->entities.at(0).text, "Tower");
  {
    (*other)->Put(Key("bb"), LlmResult("1"));
    other->reset();  // flushes what is left
  }
  EXPECT_EQ(Raw("SELECT count(*) FROM enrichment_cache"), "2");
}

TEST_P(BackendTest, CacheTakesPutsAndGetsFromManyThreads) {
  auto cache = store_->OpenEnrichmentCache();
  ASSERT_TRUE(cache.ok());
  StoreEnrichmentCache& shared = **cache;
  constexpr int kThreads = 4, kPerThread = 30;
  std::vector<std::thread> threads;
  std::atomic<int> misses{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const std::string sha = std::to_string(t) + "-" + std::to_string(i);
        shared.Put(Key(sha), LlmResult(sha));
        if (!shared.Get(Key(sha)).has_value()) ++misses;
        if (i % 10 == 0) {
          EXPECT_TRUE(shared.Flush().ok());
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(misses.load(), 0);
  ASSERT_TRUE(shared.Flush().ok());
  EXPECT_EQ(Raw("SELECT count(*) FROM enrichment_cache"), std::to_string(kThreads * kPerThread));
}

INSTANTIATE_TEST_SUITE_P(Backends, BackendTest, ::testing::Values("sqlite", "postgresql"), BackendName);

}  // namespace
}  // namespace docpipe::store
