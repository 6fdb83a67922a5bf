// The HTTP side of a job kept by a JobRunner, the same for document and
// extraction jobs: GET answers the job, DELETE cancels it and answers it as it
// stands. An id that is not a positive decimal integer, or no such job, is
// 404 "no <noun> "<id>"".
//
// Thread-safety: as JobRunner, any thread.
#pragma once

#include <string>

#include "server/http_service.h"
#include "server/job_runner.h"

namespace docpipe::server {

Reply GetJob(JobRunner& jobs, const std::string& id_text, const std::string& noun);
// Waits up to 10 s for a running job to stop (it stops at its next page or
// LLM request, well under that) before answering "running".
Reply CancelJob(JobRunner& jobs, const std::string& id_text, const std::string& noun);

}  // namespace docpipe::server
