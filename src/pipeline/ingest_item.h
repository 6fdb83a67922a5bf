// One input travelling through the ingest pipeline, owned by whichever stage
// holds it. Private to the pipeline.
#pragma once

#include <cstdint>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "docpipe/document.h"
#include "docpipe/embedding.h"
#include "docpipe/status.h"
#include "docpipe/tagging.h"
#include "pipeline/input_listing.h"
#include "pipeline/store_sink.h"

namespace docpipe::pipeline {

// What happens to one input after the skip check.
enum class Fate { kConvert, kSkip, kUnsupported, kFailed, kCancelled };

struct Item {
  std::string path;
  InputType type = InputType::kUnsupported;
  std::string sha256;
  int64_t bytes = 0;
  Fate fate = Fate::kConvert;
  Status status;  // why it failed, when fate == kFailed
  Document document;
  std::vector<Chunk> chunks;
  std::vector<EnrichmentResult> enrichments;  // one per chunk once enriched
  EmbeddingMatrix vectors;                    // one per chunk when embedding
  // Pieces already handed to the store sink as they were tagged (a streamed
  // document), in order; their outcomes are collected by the store stage.
  std::vector<std::future<Result<StoredBatch>>> written;
  double hash_seconds = 0;
  bool stored = false;  // the same content is already stored (and stays, whatever happens now)
};
using ItemPtr = std::unique_ptr<Item>;

}  // namespace docpipe::pipeline
