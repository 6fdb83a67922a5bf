// POST /extract jobs (kind "extract" of JobRunner): one structured record per
// stored document, from the server's LLM (the `llm*` settings), following a
// schema given in the request. The same Extractor as `docpipe extract`
// (docpipe/extract.h) does the work; each result is written to the store's
// extraction_records, served by GET /documents/{id}/records.
//
// A job's documents are chosen when it is submitted and read from the store
// one by one, with at most 4 x llm-concurrency of them waiting for the LLM. A
// document whose ok record of the same schema, model and prompt version is
// stored is skipped unless the request says "force", so a job run again after
// a stop or a restart only asks for what is missing.
//
// A stopped job (cancel, shutdown) stops asking for more, ends the requests in
// flight at once (their documents get no record) and keeps what is stored.
//
// Thread-safety: Run() on the runner thread; Request() and Describe() on any.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "docpipe/server_config.h"
#include "docpipe/status.h"
#include "docpipe/store.h"
#include "server/job_runner.h"

namespace docpipe::server {

class ExtractJobWork final : public JobWork {
 public:
  explicit ExtractJobWork(const ServerConfig& config) : config_(config) {}

  // The job request for a POST /extract body, its documents chosen from
  // `store` now. kUnsupported without an LLM server; a bad body
  // kInvalidArgument, a document that is not stored kNotFound.
  Result<std::string> Request(std::string_view body, Store& store) const;

  End Run(const JobRecord& job, JobControl& control) override;
  nlohmann::json Describe(const JobRecord& job, const nlohmann::json& live, bool cancel_requested) const override;

 private:
  const ServerConfig config_;
};

}  // namespace docpipe::server
