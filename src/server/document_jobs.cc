#include "server/document_jobs.h"

#include "docpipe/store.h"
#include "pipeline/ingest_through.h"
#include "server/allowed_path.h"

namespace docpipe::server {

using Json = nlohmann::json;

std::string DocumentJobWork::Request(const std::string& source, const std::string& path) {
  return Json{{"source", source}, {"path", path}}.dump(-1, ' ', false, Json::error_handler_t::replace);
}

JobWork::End DocumentJobWork::Run(const JobRecord& job, JobControl& control) {
  const Json request = Json::parse(job.request_json, nullptr, false);
  const std::string source = request.is_object() ? request.value("source", "") : "";
  const std::string path = request.is_object() ? request.value("path", "") : "";
  if (source == "path") {
    // The file may have been replaced (by a symlink, say) since it was submitted.
    Result<std::string> real = ResolveAllowedFile(path, config_.allowed_paths);
    if (!real.ok() || *real != path) {
      return {"failed", "{}", real.ok() ? "path: " + path + " changed since it was submitted" : real.status().ToString()};
    }
  }
  Result<std::unique_ptr<Store>> store = Store::Open(config_.db);
  if (!store.ok()) return {"failed", "{}", store.status().ToString()};
  IngestOptions options = ingest_options_;
  options.inputs = {path};
  options.cancel = control.cancel();
  Result<IngestReport> report =
      pipeline::IngestThrough(**store, sink_, options, [&control](const IngestProgress& progress) {
        control.Progress({{"files_done", progress.files_done},
                          {"files_total", progress.files_total},
                          {"pages_done", progress.pages_done},
                          {"elapsed_seconds", progress.elapsed_seconds}});
      });
  if (!report.ok()) return {"failed", "{}", report.status().ToString()};
  metrics_.AddPipelineStages(report->stages);
  if (report->cancelled) return {"cancelled", report->ToJson(), "cancelled on request"};
  std::string error;
  if (!report->failures.empty()) error = report->failures.front().reason;
  if (report->unsupported > 0 && report->documents_ok == 0) error = "unsupported file type";
  return {error.empty() ? "done" : "failed", report->ToJson(), error};
}

Json DocumentJobWork::Describe(const JobRecord& job, const Json& live, bool) const {
  const Json request = Json::parse(job.request_json, nullptr, false);
  Json out = {{"id", std::to_string(job.id)},
              {"state", job.state},
              {"source", request.is_object() ? request.value("source", "") : ""},
              {"path", request.is_object() ? request.value("path", "") : ""},
              {"created_at", job.created_at},
              {"updated_at", job.updated_at}};
  const Json report = Json::parse(job.result_json, nullptr, false);
  if (!report.is_discarded() && !report.empty()) out["report"] = report;
  if (!job.error.empty()) out["error"] = job.error;
  if (!live.is_null()) out["progress"] = live;
  return out;
}

}  // namespace docpipe::server
