#include "pipeline/document_conversion.h"

#include <algorithm>
#include <span>

#include "core/for_each_range.h"
#include "core/stopwatch.h"
#include "docpipe/formats.h"

namespace docpipe::pipeline {
namespace {

// Chunks per unit of parallel tagging or embedding: large enough that a range
// is worth a task, small enough that a big document's ranges keep every
// worker busy.
constexpr size_t kChunksPerRange = 128;

Result<Document> ReadPdf(const std::string& path, WorkerResources& resources, const PdfOptions& options,
                         int workers) {
  if (workers > 1) {
    // Pages go to whichever worker is idle: a large document is shared by all
    // of them, while every worker stays on its own document when all are busy.
    return ConvertPdfInArena(path, options, [&resources] { return resources.Pdf(); });
  }
  DOCPIPE_ASSIGN_OR_RETURN(PdfWorker * worker, resources.Pdf());
  return worker->Convert(path, options);
}

// The one place that picks a reader by input type.
Result<Document> ReadDocument(const Item& item, WorkerResources& resources, const IngestOptions& options,
                              int workers) {
  switch (item.type) {
    case InputType::kPdf: {
      PdfOptions pdf = options.pdf;
      pdf.cancel = options.cancel.get();
      pdf.range_pages = options.range_pages;
      return ReadPdf(item.path, resources, pdf, workers);
    }
    default:
      // HTML, EPUB, DOCX, images and text: typed by content (docpipe/formats.h).
      return ConvertFile(item.path, {.limits = {}, .pdf = options.pdf}, [&resources] { return resources.Pdf(); });
  }
}

}  // namespace

Result<PdfWorker*> WorkerResources::Pdf() {
  std::unique_ptr<PdfWorker>& worker = pdf_workers_.local();
  if (!worker) {
    Stopwatch watch;
    DOCPIPE_ASSIGN_OR_RETURN(worker, PdfWorker::Make(engine_));
    MutexLock lock(mutex_);
    setup_seconds_ += watch.Seconds();
  }
  return worker.get();
}

double WorkerResources::setup_seconds() const {
  MutexLock lock(mutex_);
  return setup_seconds_;
}

void ConvertInput(Item& item, WorkerResources& resources, const IngestOptions& options, int workers) {
  Result<Document> document = ReadDocument(item, resources, options, workers);
  if (!document.ok()) {
    const bool cancelled = document.status().code() == StatusCode::kCancelled;
    item.fate = cancelled ? Fate::kCancelled : Fate::kFailed;
    item.status = document.status();
    return;
  }
  item.document = std::move(document).value();
  Stopwatch watch;
  item.chunks = ChunkDocument(item.document, options.chunk);
  item.document.seconds.chunk = watch.Seconds();
}

void TagChunks(Item& item, ChunkEnrichment& enrichment) {
  item.enrichments.resize(item.chunks.size());
  const std::span<const Chunk> chunks(item.chunks);
  ForEachRange(chunks.size(), kChunksPerRange, [&](size_t begin, size_t end) {
    std::vector<EnrichmentResult> results = enrichment.Tag(chunks.subspan(begin, end - begin), begin);
    std::move(results.begin(), results.end(), item.enrichments.begin() + static_cast<ptrdiff_t>(begin));
  });
}

void EmbedChunks(Item& item, TextEmbedder& embedder) {
  const size_t count = item.chunks.size();
  const size_t ranges = (count + kChunksPerRange - 1) / kChunksPerRange;
  std::vector<Result<EmbeddingMatrix>> parts(ranges, Status::Internal("range not embedded"));
  Stopwatch watch;
  ForEachRange(count, kChunksPerRange, [&](size_t begin, size_t end) {
    std::vector<std::string> texts;
    texts.reserve(end - begin);
    for (size_t i = begin; i < end; ++i) texts.push_back(item.chunks[i].text);
    parts[begin / kChunksPerRange] = embedder.Embed(texts);
  });
  item.document.seconds.embed = watch.Seconds();
  EmbeddingMatrix& vectors = item.vectors;
  for (Result<EmbeddingMatrix>& part : parts) {
    if (!part.ok()) {
      item.fate = Fate::kFailed;
      item.status = part.status().WithContext("embedding its chunks");
      return;
    }
    vectors.dimension = part->dimension;
    vectors.rows += part->rows;
    vectors.values.insert(vectors.values.end(), part->values.begin(), part->values.end());
  }
}

}  // namespace docpipe::pipeline
