// ServerConfig: everything `docpipe serve` is told, and where it may come from.
//
// Each setting has one name ("llm-model"), used as a flag (--llm-model), as a
// key of the JSON config file ("llm-model" or "llm_model"), and as an
// environment variable (DOCPIPE_LLM_MODEL). Later sources win: defaults, then
// the config file, then the environment, then flags. Secrets (the API keys)
// are printed masked.
//
// Thread-safety: plain values; the setting table is immutable.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "docpipe/ingest.h"
#include "docpipe/status.h"

namespace docpipe {

struct ServerConfig {
  std::string db = "docpipe.sqlite";  // a SQLite file, or a postgresql:// URL
  std::string host;  // empty: 127.0.0.1, or 0.0.0.0 when an API key guards the server
  int port = 8004;   // 0: any free port (tests)
  std::string api_key;  // bearer token every endpoint but /health requires; empty: none
  int http_threads = 32;  // requests handled at once (an LLM-bound /ingest holds one)
  size_t max_body_bytes = 64u << 20;  // larger requests get 413
  int max_chunks_per_request = 1024;  // more chunks in one /ingest get 413
  size_t max_chunk_bytes = 1u << 20;  // a longer chunk text is a per-chunk error
  int max_pending_chunks = 8192;  // chunks accepted and not yet stored; past it, 503 + Retry-After
  int max_queued_jobs = 256;      // /documents jobs waiting; past it, 503
  int max_connections = 1024;  // open at once; more are answered 503 and closed
  int header_timeout_seconds = 10;  // to receive a request's headers, and the longest keep-alive idle
  int read_timeout_seconds = 30;  // to receive a request body
  int write_timeout_seconds = 30;  // to send a response
  int retry_after_seconds = 1;    // sent with 503
  std::string upload_dir;         // where /documents uploads are kept; empty: "<db>.uploads"
  std::vector<std::string> allowed_paths;  // directories /documents may read by path; empty: none
  int job_workers = 0;            // ingest workers of a /documents job (0: the CPUs it may run on)
  std::string embed_model;        // sentence-transformers folder for /ingest vectors and /v1/embeddings
  std::string embed_precision = "fp32";  // that model's linear layers: fp32, bf16 or int8
  std::string embed_url;          // or a remote embedding server (OpenAI-compatible or Ollama)
  std::string embed_remote_model;  // the model name on that server
  std::string embed_api_key;      // its bearer token (secret)
  IngestEnrichOptions enrich;     // LLM tagging (llm_url empty: the heuristic tagger)
};

// One setting: how to read it from text and print it.
struct ConfigSetting {
  std::string name;  // "llm-model"
  std::string help;
  bool secret = false;
  std::function<Status(ServerConfig&, const std::string&)> set;
  std::function<std::string(const ServerConfig&)> get;

  std::string EnvName() const;  // "DOCPIPE_LLM_MODEL"
};

// The table of settings, in the order they are printed.
const std::vector<ConfigSetting>& ServerSettings();

// Applies a JSON config file (an object of setting names to values). An
// unknown key or a value of the wrong kind is kInvalidArgument naming it.
Status ApplyConfigFile(const std::string& path, ServerConfig& config);

// Applies the DOCPIPE_* variables that are set; `lookup` returns null for unset ones.
Status ApplyEnvironment(ServerConfig& config,
                        const std::function<const char*(const std::string&)>& lookup);

// Applies name -> value pairs (the flags a user gave).
Status ApplySettings(const std::map<std::string, std::string>& values, ServerConfig& config);

// Checks ranges and fills derived defaults (host, upload_dir).
Status FinishConfig(ServerConfig& config);

// "name = value" lines, secrets shown as "****" (or "(none)" when unset).
std::string DescribeConfig(const ServerConfig& config);

}  // namespace docpipe
