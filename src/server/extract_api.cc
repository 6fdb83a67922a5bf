#include "server/extract_api.h"

#include <optional>

namespace docpipe::server {
namespace {

using Json = nlohmann::json;

Reply JsonReply(const Json& body, int status) {
  return {status, body.dump(-1, ' ', false, Json::error_handler_t::replace), "application/json", 0};
}

// Job ids are positive decimal integers; anything else names no job.
std::optional<int64_t> JobId(const std::string& text) {
  if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  int64_t id = std::stoll(text);
  return id > 0 ? std::optional<int64_t>(id) : std::nullopt;
}

Reply NoSuchJob(const std::string& text) {
  return ErrorReply(Status::NotFound("no extraction job \"" + text + "\""), 0);
}

}  // namespace

Reply SubmitExtractJob(ExtractJobs& jobs, const std::string& body, int retry_after_seconds) {
  Result<ExtractRequest> request = ParseExtractRequest(body);
  if (!request.ok()) return ErrorReply(request.status(), 0);
  Result<Json> job = jobs.Submit(*request);
  if (!job.ok()) return ErrorReply(job.status(), retry_after_seconds);
  return JsonReply(*job, 202);
}

Reply GetExtractJob(ExtractJobs& jobs, const std::string& id_text) {
  std::optional<int64_t> id = JobId(id_text);
  std::optional<Json> job = id ? jobs.Get(*id) : std::nullopt;
  return job ? JsonReply(*job, 200) : NoSuchJob(id_text);
}

Reply CancelExtractJob(ExtractJobs& jobs, const std::string& id_text) {
  std::optional<int64_t> id = JobId(id_text);
  std::optional<Json> job = id ? jobs.Cancel(*id) : std::nullopt;
  return job ? JsonReply(*job, 200) : NoSuchJob(id_text);
}

}  // namespace docpipe::server
