// Streamed documents in both backends: a big document written in pieces is
// partial, and invisible to lexical and vector search, FindBySha256 and the
// document count, until its last piece lands; a rerun's first piece replaces a
// partial document whole (no duplicate chunks); a later piece with no partial
// document to continue is refused and writes nothing.
#include <gtest/gtest.h>

#include "backend_fixture.h"

namespace docpipe::store {
namespace {

using testing::MakeWrite;

// Piece `part` of a document whose chunks are `texts` cut `per_piece` at a
// time, with the chunks' own ordinals and the right flags.
DocumentWrite Piece(const std::string& path, const std::string& sha256, const std::vector<std::string>& texts,
                    size_t per_piece, size_t part) {
  DocumentWrite whole = MakeWrite(path, sha256, texts);
  DocumentWrite piece = whole;
  const size_t begin = part * per_piece;
  const size_t end = std::min(texts.size(), begin + per_piece);
  piece.chunks.assign(whole.chunks.begin() + static_cast<ptrdiff_t>(begin),
                      whole.chunks.begin() + static_cast<ptrdiff_t>(end));
  piece.continues = part > 0;
  piece.record.state = end < texts.size() ? DocumentState::kPartial : DocumentState::kComplete;
  return piece;
}

const std::vector<std::string> kManual = {"zeppelin chapter one", "zeppelin chapter two",
                                          "zeppelin chapter three", "zeppelin chapter four",
                                          "zeppelin chapter five"};

class BackendStreamedTest : public BackendTest {
 protected:
  std::vector<std::string> StoredTexts(const std::string& path) {
    std::vector<std::string> texts;
    auto record = store_->FindByPath(path);
    EXPECT_TRUE(record.ok() && record->has_value()) << path;
    if (!record.ok() || !record->has_value()) return texts;
    auto chunks = store_->ChunksOf((*record)->id);
    EXPECT_TRUE(chunks.ok()) << chunks.status().ToString();
    if (!chunks.ok()) return texts;
    for (size_t i = 0; i < chunks->size(); ++i) {
      EXPECT_EQ((*chunks)[i].ordinal, static_cast<int>(i));
      texts.push_back((*chunks)[i].text);
    }
    return texts;
  }
};

TEST_P(BackendStreamedTest, PartialDocumentIsInvisibleUntilItsLastPiece) {
  Put({MakeWrite("other.md", "sha-other", {"zeppelin elsewhere"})});
  Put({Piece("manual.pdf", "sha-m", kManual, 2, 0)});
  Put({Piece("manual.pdf", "sha-m", kManual, 2, 1)});

  auto record = store_->FindByPath("manual.pdf");
  ASSERT_TRUE(record.ok() && record->has_value());
  EXPECT_EQ((*record)->state, DocumentState::kPartial);
  EXPECT_EQ(StoredTexts("manual.pdf").size(), 4u);
  std::vector<SearchHit> hits = Search("zeppelin");
  ASSERT_EQ(hits.size(), 1u) << "a partial document's chunks were found";
  EXPECT_EQ(hits[0].path, "other.md");
  auto by_sha = store_->FindBySha256("sha-m");
  ASSERT_TRUE(by_sha.ok());
  EXPECT_FALSE(by_sha->has_value()) << "a partial document counts as stored";
  StoreCounts counts = Counts();
  EXPECT_EQ(counts.documents, 1);
  EXPECT_EQ(counts.partial_documents, 1);

  Put({Piece("manual.pdf", "sha-m", kManual, 2, 2)});
  EXPECT_EQ(StoredTexts("manual.pdf"), kManual);
  record = store_->FindByPath("manual.pdf");
  ASSERT_TRUE(record.ok() && record->has_value());
  EXPECT_EQ((*record)->state, DocumentState::kComplete);
  EXPECT_EQ(Search("zeppelin").size(), 6u);
  by_sha = store_->FindBySha256("sha-m");
  ASSERT_TRUE(by_sha.ok() && by_sha->has_value());
  counts = Counts();
  EXPECT_EQ(counts.documents, 2);
  EXPECT_EQ(counts.partial_documents, 0);
  EXPECT_EQ(counts.chunks, 6);
}

TEST_P(BackendStreamedTest, ChunkHitsLeaveOutPartialDocuments) {
  Put({Piece("manual.pdf", "sha-m", kManual, 2, 0)});
  const std::string id_text = Raw("SELECT min(id) FROM chunks");
  ASSERT_FALSE(id_text.empty());
  const std::vector<int64_t> ids = {std::stoll(id_text)};
  auto hits = store_->ChunkHits(ids, SearchOptions{});
  ASSERT_TRUE(hits.ok()) << hits.status().ToString();
  EXPECT_TRUE(hits->empty()) << "a chunk of a partial document came back as a hit";
  Put({Piece("manual.pdf", "sha-m", kManual, 2, 1), Piece("manual.pdf", "sha-m", kManual, 2, 2)});
  hits = store_->ChunkHits(ids, SearchOptions{});
  ASSERT_TRUE(hits.ok()) << hits.status().ToString();
  ASSERT_EQ(hits->size(), 1u);
  EXPECT_EQ((*hits)[0].text, kManual[0]);
}

TEST_P(BackendStreamedTest, RerunReplacesAPartialDocumentWithoutDuplicates) {
  Put({Piece("manual.pdf", "sha-m", kManual, 2, 0), Piece("manual.pdf", "sha-m", kManual, 2, 1)});
  // The same content at another path, left partial by a killed run.
  Put({Piece("copy/manual.pdf", "sha-m", kManual, 2, 0)});
  // A run killed after those pieces; the next run streams the document again.
  for (size_t part = 0; part < 3; ++part) Put({Piece("manual.pdf", "sha-m", kManual, 2, part)});
  EXPECT_EQ(StoredTexts("manual.pdf"), kManual);
  auto copy = store_->FindByPath("copy/manual.pdf");
  ASSERT_TRUE(copy.ok());
  EXPECT_FALSE(copy->has_value()) << "a partial record of the same content stayed behind";
  StoreCounts counts = Counts();
  EXPECT_EQ(counts.documents, 1);
  EXPECT_EQ(counts.partial_documents, 0);
  EXPECT_EQ(counts.chunks, static_cast<int64_t>(kManual.size()));
  EXPECT_EQ(Search("zeppelin").size(), kManual.size());
}

TEST_P(BackendStreamedTest, LaterPieceWithoutAPartialDocumentIsRefused) {
  // Nothing there to continue.
  std::vector<DocumentWrite> orphan = {Piece("manual.pdf", "sha-m", kManual, 2, 1)};
  Status status = store_->PutDocuments(orphan);
  EXPECT_EQ(status.code(), StatusCode::kNotFound) << status.ToString();
  EXPECT_NE(status.message().find("manual.pdf"), std::string::npos) << status.ToString();
  // A complete document is not continued, nor a partial one of other content.
  Put({MakeWrite("done.pdf", "sha-d", {"finished text"})});
  std::vector<DocumentWrite> onto_complete = {Piece("done.pdf", "sha-d", kManual, 2, 1)};
  EXPECT_EQ(store_->PutDocuments(onto_complete).code(), StatusCode::kNotFound);
  Put({Piece("manual.pdf", "sha-m", kManual, 2, 0)});
  std::vector<DocumentWrite> other_content = {Piece("manual.pdf", "sha-changed", kManual, 2, 1)};
  EXPECT_EQ(store_->PutDocuments(other_content).code(), StatusCode::kNotFound);
  // A refused batch writes none of its writes.
  std::vector<DocumentWrite> mixed = {MakeWrite("new.pdf", "sha-n", {"new text"}),
                                      Piece("absent.pdf", "sha-a", kManual, 2, 1)};
  EXPECT_FALSE(store_->PutDocuments(mixed).ok());
  auto absent = store_->FindByPath("new.pdf");
  ASSERT_TRUE(absent.ok());
  EXPECT_FALSE(absent->has_value());
  EXPECT_EQ(StoredTexts("manual.pdf").size(), 2u);
  EXPECT_EQ(StoredTexts("done.pdf"), std::vector<std::string>{"finished text"});
  // A failed record is written whole.
  DocumentWrite failed = MakeWrite("bad.pdf", "sha-b", {});
  failed.record.status = DocumentStatus::kFailed;
  failed.record.state = DocumentState::kPartial;
  std::vector<DocumentWrite> failed_piece = {failed};
  EXPECT_EQ(store_->PutDocuments(failed_piece).code(), StatusCode::kInvalidArgument);
}

TEST_P(BackendStreamedTest, ExactVectorSearchLeavesOutPartialDocuments) {
  EmbedderIdentity embedder;
  embedder.name = "mini";
  embedder.dimension = 2;
  embedder.weights_hash = "hash-of-mini";
  embedder.normalized = true;
  auto with_vectors = [&](DocumentWrite write, float x) {
    write.embedder = embedder;
    write.vectors.dimension = 2;
    for (size_t i = 0; i < write.chunks.size(); ++i) {
      write.vectors.values.insert(write.vectors.values.end(), {x, 1.0f - x});
      ++write.vectors.rows;
    }
    return write;
  };
  Put({with_vectors(MakeWrite("far.md", "sha-far", {"far text"}), 0.0f)});
  Put({with_vectors(Piece("manual.pdf", "sha-m", kManual, 2, 0), 1.0f)});
  SearchOptions options;
  options.k = 3;
  auto hits = store_->VectorSearch(std::vector<float>{1.0f, 0.0f}, embedder.Key(), options);
  ASSERT_TRUE(hits.ok()) << hits.status().ToString();
  ASSERT_EQ(hits->size(), 1u);
  EXPECT_EQ((*hits)[0].path, "far.md");
  Put({with_vectors(Piece("manual.pdf", "sha-m", kManual, 2, 1), 1.0f),
       with_vectors(Piece("manual.pdf", "sha-m", kManual, 2, 2), 1.0f)});
  hits = store_->VectorSearch(std::vector<float>{1.0f, 0.0f}, embedder.Key(), options);
  ASSERT_TRUE(hits.ok()) << hits.status().ToString();
  ASSERT_EQ(hits->size(), 3u);
  EXPECT_EQ((*hits)[0].path, "manual.pdf");
  auto record = store_->FindByPath("manual.pdf");
  ASSERT_TRUE(record.ok() && record->has_value());
  EXPECT_EQ((*record)->embedding_key, embedder.Key());
}

INSTANTIATE_TEST_SUITE_P(Backends, BackendStreamedTest, ::testing::Values("sqlite", "postgresql"),
                         BackendName);

}  // namespace
}  // namespace docpipe::store
