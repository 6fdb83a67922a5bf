#include "server/extract_api.h"

#include "server/job_api.h"

namespace docpipe::server {

Reply SubmitExtractJob(JobRunner& jobs, const ExtractJobWork& work, Store& reader, const std::string& body,
                       int retry_after_seconds) {
  Result<std::string> request = work.Request(body, reader);
  if (!request.ok()) return ErrorReply(request.status(), 0);
  nlohmann::json queued;
  Result<int64_t> id = jobs.Submit(*request, &queued);
  if (!id.ok()) return ErrorReply(id.status(), retry_after_seconds);
  return JsonReply(queued, 202);
}

Reply GetExtractJob(JobRunner& jobs, const std::string& id_text) { return GetJob(jobs, id_text, "extraction job"); }

Reply CancelExtractJob(JobRunner& jobs, const std::string& id_text) {
  return CancelJob(jobs, id_text, "extraction job");
}

}  // namespace docpipe::server
