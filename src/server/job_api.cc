#include "server/job_api.h"

#include <chrono>
#include <optional>

namespace docpipe::server {
namespace {

constexpr std::chrono::seconds kCancelWait{10};

// Job ids are positive decimal integers; anything else names no job.
std::optional<int64_t> JobId(const std::string& text) {
  if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  const int64_t id = std::stoll(text);
  return id > 0 ? std::optional<int64_t>(id) : std::nullopt;
}

Reply NoSuchJob(const std::string& id_text, const std::string& noun) {
  return ErrorReply(Status::NotFound("no " + noun + " \"" + id_text + "\""), 0);
}

Reply JobReply(const Result<std::optional<nlohmann::json>>& job, const std::string& id_text, const std::string& noun) {
  if (!job.ok()) return ErrorReply(job.status(), 0);
  return job->has_value() ? JsonReply(**job) : NoSuchJob(id_text, noun);
}

}  // namespace

Reply GetJob(JobRunner& jobs, const std::string& id_text, const std::string& noun) {
  const std::optional<int64_t> id = JobId(id_text);
  if (!id) return NoSuchJob(id_text, noun);
  return JobReply(jobs.Get(*id), id_text, noun);
}

Reply CancelJob(JobRunner& jobs, const std::string& id_text, const std::string& noun) {
  const std::optional<int64_t> id = JobId(id_text);
  if (!id) return NoSuchJob(id_text, noun);
  return JobReply(jobs.Cancel(*id, kCancelWait), id_text, noun);
}

}  // namespace docpipe::server
