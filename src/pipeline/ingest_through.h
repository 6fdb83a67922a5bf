// docpipe::Ingest with its writes going through a StoreSink the caller owns:
// the server runs its /documents jobs this way, so they share one writer
// (and its transactions) with /ingest. docpipe::Ingest makes a sink of its
// own over the store it is given. Private to docpipe.
//
// Thread-safety: as docpipe::Ingest; `sink` may be shared with other threads.
#pragma once

#include "docpipe/ingest.h"
#include "docpipe/store.h"
#include "pipeline/store_sink.h"

namespace docpipe::pipeline {

// `store` records the run, reads for the skip check and holds the enrichment
// cache; every document goes to the store through `sink`.
Result<IngestReport> IngestThrough(Store& store, StoreSink& sink, const IngestOptions& options,
                                   const IngestProgressCallback& progress);

}  // namespace docpipe::pipeline
