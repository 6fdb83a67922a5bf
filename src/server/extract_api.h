// The HTTP side of extraction jobs (extract_jobs.h, run by a JobRunner):
//   POST   /extract       queues a job: 202 {"id": ..., "state": "queued", ...}
//   GET    /extract/{id}  the job: state, progress, counts, LLM usage
//   DELETE /extract/{id}  cancels it, and answers the job as it stands
// A bad body or schema is 400 naming the field or keyword; a document that is
// not stored 404; a server without an LLM 400.
//
// Thread-safety: as JobRunner, any thread.
#pragma once

#include <string>

#include "docpipe/store.h"
#include "server/extract_jobs.h"
#include "server/http_service.h"
#include "server/job_runner.h"

namespace docpipe::server {

// The job's documents are chosen through `reader`; `retry_after_seconds` goes
// with 503 when too many jobs wait.
Reply SubmitExtractJob(JobRunner& jobs, const ExtractJobWork& work, Store& reader, const std::string& body,
                       int retry_after_seconds);
Reply GetExtractJob(JobRunner& jobs, const std::string& id);
Reply CancelExtractJob(JobRunner& jobs, const std::string& id);

}  // namespace docpipe::server
