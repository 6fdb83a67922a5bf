#include "server/extract_api.h"

#include <chrono>
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

Reply JobReply(const Result<std::optional<Json>>& job, const std::string& id_text) {
  if (!job.ok()) return ErrorReply(job.status(), 0);
  return job->has_value() ? JsonReply(**job, 200) : NoSuchJob(id_text);
}

// How long DELETE waits for a running job to stop (it ends its LLM requests at once).
constexpr std::chrono::seconds kCancelWait{10};

}  // namespace

Reply SubmitExtractJob(JobRunner& jobs, const ExtractJobWork& work, Store& reader, const std::string& body,
                       int retry_after_seconds) {
  Result<std::string> request = work.Request(body, reader);
  if (!request.ok()) return ErrorReply(request.status(), 0);
  Json queued;
  Result<int64_t> id = jobs.Submit(*request, &queued);
  if (!id.ok()) return ErrorReply(id.status(), retry_after_seconds);
  return JsonReply(queued, 202);
}

Reply GetExtractJob(JobRunner& jobs, const std::string& id_text) {
  std::optional<int64_t> id = JobId(id_text);
  if (!id) return NoSuchJob(id_text);
  return JobReply(jobs.Get(*id), id_text);
}

Reply CancelExtractJob(JobRunner& jobs, const std::string& id_text) {
  std::optional<int64_t> id = JobId(id_text);
  if (!id) return NoSuchJob(id_text);
  return JobReply(jobs.Cancel(*id, kCancelWait), id_text);
}

}  // namespace docpipe::server
