// An in-process docpipe Server on 127.0.0.1 (any free port) and an HTTP
// client for it, for the server tests.
#pragma once

#include <httplib.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli_runner.h"
#include "docpipe/server.h"
#include "docpipe/server_config.h"

namespace docpipe::testing {

struct HttpReply {
  int status = 0;  // 0: no answer (connection refused or reset)
  nlohmann::json json;
  std::string body;
  std::string retry_after;
};

// Defaults for tests: a store in `dir`, any free port, few threads.
ServerConfig TestConfig(const ScratchDir& dir);

class TestServer {
 public:
  // Starts the server (ASSERT-style failures are reported through gtest).
  explicit TestServer(const ServerConfig& config);
  ~TestServer();

  Server& server() { return *server_; }
  int port() const { return server_->port(); }
  bool ok() const { return server_ != nullptr; }

  HttpReply Get(const std::string& path, const std::string& token = "");
  HttpReply Post(const std::string& path, const std::string& body, const std::string& token = "");

 private:
  std::unique_ptr<Server> server_;
};

// A client call to any server (for tests with several clients).
HttpReply PostJson(int port, const std::string& path, const std::string& body, const std::string& token = "");
HttpReply GetPath(int port, const std::string& path, const std::string& token = "");

// The error message of an error reply ({"error":{"message":...}}), else the body.
std::string MessageOf(const HttpReply& reply);

// A small Markdown document to upload.
inline constexpr const char* kNotes = "# Field notes\n\nThe axolotl regenerates its limbs within weeks.\n";

// {"chunks":[{"id":..., "text":...}...], "dataset_source": source, "skip_llm": skip_llm}
std::string IngestBody(const std::vector<std::pair<std::string, std::string>>& id_texts, bool skip_llm = true,
                       const std::string& source = "test");

}  // namespace docpipe::testing
