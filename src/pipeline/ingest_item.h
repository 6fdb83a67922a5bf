// One input travelling through the ingest pipeline, owned by whichever stage
// holds it. Private to the pipeline.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "docpipe/document.h"
#include "docpipe/embedding.h"
#include "docpipe/status.h"
#include "docpipe/tagging.h"
#include "pipeline/input_listing.h"

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
  double hash_seconds = 0;
  bool stored = false;  // the same content is already stored (and stays, whatever happens now)
};
using ItemPtr = std::unique_ptr<Item>;

}  // namespace docpipe::pipeline
