// Server: docpipe's HTTP service (`docpipe serve`). Chunks in through
// POST /ingest (tagged, embedded, stored), documents through POST /documents
// (background jobs), POST /search, POST /v1/embeddings (OpenAI-compatible),
// GET /health and GET /metrics (Prometheus). docs/server.md lists the
// endpoints, their request and response shapes, and the errors.
//
// Make() opens everything the service needs (store, LLM client, embedding
// model, job table) so a bad configuration fails before any port is bound.
// Start() binds and serves on background threads; Shutdown() stops accepting,
// lets requests in progress finish, writes every accepted chunk, leaves queued
// jobs in the store for the next start, and returns.
//
// Thread-safety: Shutdown() and port() may be called from any thread (a
// signal-watching thread, a test); Shutdown() is idempotent. Start() once.
#pragma once

#include <memory>
#include <string>

#include "docpipe/server_config.h"
#include "docpipe/status.h"

namespace docpipe {

class Server {
 public:
  static Result<std::unique_ptr<Server>> Make(const ServerConfig& config);
  virtual ~Server() = default;

  // Binds config.host:config.port (port 0: any free port) and starts serving.
  virtual Status Start() = 0;
  // The bound port, after Start().
  virtual int port() const = 0;
  // Blocks until Shutdown() has finished.
  virtual void Wait() = 0;
  virtual void Shutdown() = 0;
};

}  // namespace docpipe
