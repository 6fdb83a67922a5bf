// The HTTP side of extraction jobs (extract_jobs.h):
//   POST   /extract       queues a job: 202 {"id": ..., "state": "queued", ...}
//   GET    /extract/{id}  the job: state, progress, counts, LLM usage
//   DELETE /extract/{id}  cancels it, and answers the job as it stands
// A bad body or schema is 400 naming the field or keyword; a document that is
// not stored 404; a server without an LLM 400.
//
// Thread-safety: as ExtractJobs, any thread.
#pragma once

#include <string>

#include "server/extract_jobs.h"
#include "server/http_service.h"

namespace docpipe::server {

// `retry_after_seconds` goes with 503 when too many jobs wait.
Reply SubmitExtractJob(ExtractJobs& jobs, const std::string& body, int retry_after_seconds);
Reply GetExtractJob(ExtractJobs& jobs, const std::string& id);
Reply CancelExtractJob(ExtractJobs& jobs, const std::string& id);

}  // namespace docpipe::server
