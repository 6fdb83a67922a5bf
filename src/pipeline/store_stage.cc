#include "pipeline/store_stage.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <utility>

#include "core/for_each_range.h"
#include "core/mutex.h"
#include "docpipe/document_problems.h"
#include "pipeline/input_listing.h"

namespace docpipe::pipeline {
namespace {

// Chunks that make a batch full, whatever its number of documents.
constexpr size_t kBatchChunks = 2048;

// The write of `item` without its chunks: the record, and the embedder that
// made its vectors.
DocumentWrite RecordWrite(const Item& item, const TextEmbedder* embedder) {
  DocumentWrite write;
  DocumentRecord& record = write.record;
  record.path = item.path;
  record.sha256 = item.sha256;
  record.bytes = item.bytes;
  // The skip check found no copy: one that another task stores meanwhile wins.
  write.unless_content_stored = !item.stored;
  if (item.fate == Fate::kFailed) {
    record.status = DocumentStatus::kFailed;
    record.error = item.status.ToString();
    return write;
  }
  const Document& document = item.document;
  record.pages = static_cast<int>(document.pages.size());
  record.kind = document.kind;
  record.metadata = document.metadata;
  record.seconds = document.seconds;
  for (const Page& page : document.pages) {
    if (page.needs_ocr) record.pages_needing_ocr.push_back(page.number);
  }
  record.page_errors = DocumentProblems(document);
  if (embedder != nullptr) write.embedder = embedder->Identity();
  return write;
}

DocumentWrite MakeWrite(Item& item, const TextEmbedder* embedder) {
  DocumentWrite write = RecordWrite(item, embedder);
  if (item.fate == Fate::kFailed) return write;
  write.chunks = std::move(item.chunks);
  write.enrichments = std::move(item.enrichments);
  if (embedder != nullptr) write.vectors = std::move(item.vectors);
  return write;
}

// Rows [begin, end) of a matrix with one row per chunk.
EmbeddingMatrix Rows(const EmbeddingMatrix& matrix, size_t begin, size_t end) {
  EmbeddingMatrix rows;
  rows.dimension = matrix.dimension;
  rows.rows = end - begin;
  rows.values.assign(matrix.values.begin() + static_cast<ptrdiff_t>(begin * matrix.dimension),
                     matrix.values.begin() + static_cast<ptrdiff_t>(end * matrix.dimension));
  return rows;
}

}  // namespace

std::vector<size_t> PieceBounds(const std::vector<Chunk>& chunks, int range_pages, int piece_chunks) {
  const auto range_of = [range_pages](const Chunk& chunk) {
    return (chunk.page_start - 1) / std::max(1, range_pages);
  };
  std::vector<size_t> bounds = {0};
  for (size_t end = 1; end <= chunks.size(); ++end) {
    if (end < chunks.size() && range_of(chunks[end]) == range_of(chunks[end - 1])) continue;
    if (end < chunks.size() && end - bounds.back() < static_cast<size_t>(std::max(1, piece_chunks))) continue;
    bounds.push_back(end);
  }
  return bounds;
}

namespace {

// Piece `index` of the pieces `bounds` cut a document's chunks into: chunks
// [bounds[index], bounds[index + 1]) with their enrichments (when there are
// any yet) and vectors, under `whole`'s record.
DocumentWrite Piece(const DocumentWrite& whole, const std::vector<Chunk>& chunks,
                    const std::vector<EnrichmentResult>& enrichments, const EmbeddingMatrix& vectors,
                    const std::vector<size_t>& bounds, size_t index) {
  const size_t begin = bounds[index];
  const size_t end = bounds[index + 1];
  DocumentWrite piece;
  piece.record = whole.record;
  piece.record.state = index + 2 == bounds.size() ? DocumentState::kComplete : DocumentState::kPartial;
  piece.continues = index > 0;
  piece.unless_content_stored = whole.unless_content_stored;
  piece.chunks.assign(chunks.begin() + static_cast<ptrdiff_t>(begin),
                      chunks.begin() + static_cast<ptrdiff_t>(end));
  if (!enrichments.empty()) {
    piece.enrichments.assign(enrichments.begin() + static_cast<ptrdiff_t>(begin),
                             enrichments.begin() + static_cast<ptrdiff_t>(end));
  }
  piece.embedder = whole.embedder;
  if (vectors.rows > 0) piece.vectors = Rows(vectors, begin, end);
  return piece;
}

}  // namespace

std::vector<DocumentWrite> CutIntoPieces(DocumentWrite write, int range_pages, int piece_chunks) {
  const std::vector<size_t> bounds = PieceBounds(write.chunks, range_pages, piece_chunks);
  std::vector<DocumentWrite> pieces;
  if (bounds.size() <= 2) {  // one piece: written whole
    pieces.push_back(std::move(write));
    return pieces;
  }
  for (size_t index = 0; index + 1 < bounds.size(); ++index) {
    pieces.push_back(Piece(write, write.chunks, write.enrichments, write.vectors, bounds, index));
  }
  return pieces;
}

bool StoreStage::TagAndWritePieces(Item& item) {
  if (enrichment_.uses_llm()) return false;
  const std::vector<size_t> bounds = PieceBounds(item.chunks, options_.range_pages, options_.piece_chunks);
  if (bounds.size() <= 2) return false;
  const size_t pieces = bounds.size() - 1;
  const DocumentWrite whole = RecordWrite(item, embedder_);
  // Only each result's source stays with the item, for the report; the
  // results themselves go with the pieces.
  item.enrichments.resize(item.chunks.size());
  std::vector<std::optional<DocumentWrite>> tagged(pieces);
  std::atomic<size_t> next_to_tag{0};
  Mutex hand_over;
  size_t next_to_write = 0;  // under hand_over
  ForEachRange(pieces, 1, [&](size_t begin, size_t end) {
    for (size_t taken = begin; taken < end; ++taken) {
      // In document order whichever thread asks, so the writer is never kept
      // waiting for an early piece while later ones are done.
      const size_t index = next_to_tag.fetch_add(1, std::memory_order_relaxed);
      DocumentWrite piece = Piece(whole, item.chunks, {}, item.vectors, bounds, index);
      piece.enrichments = enrichment_.Tag(piece.chunks, bounds[index]);
      for (size_t i = 0; i < piece.enrichments.size(); ++i) {
        item.enrichments[bounds[index] + i].source = piece.enrichments[i].source;
      }
      MutexLock lock(hand_over);
      tagged[index] = std::move(piece);
      for (; next_to_write < pieces && tagged[next_to_write]; ++next_to_write) {
        item.written.push_back(sink_.Write({std::move(*tagged[next_to_write])}));
        tagged[next_to_write].reset();
      }
    }
  });
  return true;
}

void StoreStage::Accept(Item& item) {
  ++progress_state_.files_done;
  report_.busy.open += item.hash_seconds;
  report_.hash_seconds += item.hash_seconds;
  switch (item.fate) {
    case Fate::kSkip: ++report_.documents_skipped; break;
    case Fate::kUnsupported:
      ++report_.unsupported;
      report_.unsupported_files.push_back({item.path, UnsupportedReason(item.path)});
      break;
    case Fate::kFailed: AcceptFailed(item); break;
    case Fate::kConvert: AcceptConverted(item); break;
    case Fate::kCancelled: break;  // stopped half-way on request: nothing of it is stored or counted
  }
  if (progress_) {
    progress_state_.elapsed_seconds = watch_.Seconds();
    progress_(progress_state_);
  }
}

StoreStage::~StoreStage() { Collect(/*wait=*/true); }

Status StoreStage::Flush() {
  if (!batch_.empty() && status_.ok()) {
    // The LLM's answers for these chunks go to the cache table right after
    // them, so a run killed later does not ask again.
    ChunkEnrichment& enrichment = enrichment_;
    handed_.push_back(sink_.Write(std::exchange(batch_, {}), [&enrichment] { return enrichment.FlushCache(); }));
  }
  batch_.clear();
  batch_chunks_ = 0;
  Collect(/*wait=*/false);
  return status_;
}

Status StoreStage::Finish() {
  (void)Flush();
  Collect(/*wait=*/true);
  return status_;
}

void StoreStage::Collect(bool wait) {
  while (!handed_.empty()) {
    std::future<Result<StoredBatch>>& next = handed_.front();
    if (!wait && next.wait_for(std::chrono::seconds(0)) != std::future_status::ready) return;
    Result<StoredBatch> stored = next.get();
    handed_.pop_front();
    if (!stored.ok()) {
      if (status_.ok()) status_ = stored.status();
      failed_.store(true, std::memory_order_relaxed);
      continue;
    }
    documents_stored_ += stored->completed;
    store_seconds_ += stored->seconds;
    report_.busy.store += stored->seconds;
  }
}

void StoreStage::AcceptFailed(Item& item) {
  ++report_.documents_failed;
  report_.failures.push_back({item.path, item.status.ToString()});
  // The failure is recorded in the store too, unless the content is stored
  // already: a failed re-embedding must not replace a good record.
  if (!item.sha256.empty() && !item.stored) Enqueue(MakeWrite(item, nullptr));
}

void StoreStage::AcceptConverted(Item& item) {
  const Document& document = item.document;
  ++report_.documents_ok;
  report_.bytes += item.bytes;
  report_.pages += static_cast<int64_t>(document.pages.size());
  progress_state_.pages_done += static_cast<int64_t>(document.pages.size());
  report_.chunks += static_cast<int64_t>(item.chunks.size());
  CountEnrichments(item.enrichments);
  report_.busy.open += document.seconds.open;
  report_.busy.extract += document.seconds.extract;
  report_.busy.structure += document.seconds.structure;
  report_.busy.chunk += document.seconds.chunk;
  report_.busy.embed += document.seconds.embed;
  report_.vectors += static_cast<int64_t>(item.vectors.rows);
  report_.busy.render += document.seconds.render;
  report_.busy.ocr += document.seconds.ocr;
  for (const Page& page : document.pages) {
    CountOcr(item.path, page);
    if (page.needs_ocr) ++report_.pages_needing_ocr;
    if (page.ocr_confidence >= 0) {
      ++report_.pages_ocr;
      if (page.ocr_confidence < options_.ocr.low_confidence) {
        report_.low_confidence_pages.push_back(
            {item.path, "page " + std::to_string(page.number) + ": OCR confidence " +
                            std::to_string(static_cast<int>(page.ocr_confidence * 100 + 0.5f)) + "%"});
      }
    }
  }
  for (std::string& problem : DocumentProblems(document)) {
    report_.page_problems.push_back({item.path, std::move(problem)});
  }
  if (!item.written.empty()) {  // streamed as it was tagged
    for (auto& piece : item.written) handed_.push_back(std::move(piece));
    item.written.clear();
    Collect(/*wait=*/false);
    return;
  }
  DocumentWrite write = MakeWrite(item, embedder_);
  std::vector<DocumentWrite> pieces =
      CutIntoPieces(std::move(write), options_.range_pages, options_.piece_chunks);
  if (pieces.size() == 1) {
    Enqueue(std::move(pieces.front()));
    return;
  }
  // Each piece in a transaction of its own: a reader sees the document grow
  // as partial, and a run killed between pieces leaves a partial document
  // that the next run replaces.
  for (DocumentWrite& piece : pieces) {
    Enqueue(std::move(piece));
    (void)Flush();
  }
}

void StoreStage::CountOcr(const std::string& path, const Page& page) {
  OcrCounts& counts = report_.ocr_counts;
  counts.pictures_read += page.ocr_counts.pictures_read;
  counts.pictures_small += page.ocr_counts.pictures_small;
  counts.pictures_not_text += page.ocr_counts.pictures_not_text;
  counts.pictures_other_script += page.ocr_counts.pictures_other_script;
  counts.words_dropped += page.ocr_counts.words_dropped;
  if (!page.ocr_unread_script.empty()) {
    report_.unread_script_pages.push_back({path, "page " + std::to_string(page.number) + ": script " +
                                                     page.ocr_unread_script + " is not among the OCR languages (" +
                                                     options_.ocr.languages + "): not recognised"});
  }
}

void StoreStage::CountEnrichments(const std::vector<EnrichmentResult>& results) {
  IngestEnrichmentReport& counts = report_.enrichment;
  counts.chunks += static_cast<int64_t>(results.size());
  for (const EnrichmentResult& result : results) {
    switch (result.source) {
      case EnrichmentSource::kLlm: ++counts.llm; break;
      case EnrichmentSource::kHeuristic: ++counts.heuristic; break;
      case EnrichmentSource::kFallback: ++counts.fallback; break;
    }
  }
}

void StoreStage::Enqueue(DocumentWrite write) {
  batch_chunks_ += write.chunks.size();
  batch_.push_back(std::move(write));
  // Bound the batch by chunks too: one batch of huge documents must not grow
  // without limit, and a batch written while workers still convert costs no
  // wall time where the same chunks written after the last document do.
  if (static_cast<int>(batch_.size()) >= options_.store_batch_documents || batch_chunks_ >= kBatchChunks) {
    (void)Flush();
  }
}


}  // namespace docpipe::pipeline
