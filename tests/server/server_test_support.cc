#include "server_test_support.h"

#include <gtest/gtest.h>

namespace docpipe::testing {
namespace {

HttpReply ToReply(const httplib::Result& result) {
  HttpReply reply;
  if (!result) return reply;
  reply.status = result->status;
  reply.body = result->body;
  reply.retry_after = result->get_header_value("Retry-After");
  reply.json = nlohmann::json::parse(result->body, nullptr, false);
  return reply;
}

httplib::Headers AuthHeaders(const std::string& token) {
  httplib::Headers headers;
  if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
  return headers;
}

}  // namespace

ServerConfig TestConfig(const ScratchDir& dir) {
  ServerConfig config;
  config.db = dir / "kb.sqlite";
  config.port = 0;
  config.http_threads = 8;
  config.job_workers = 1;
  return config;
}

TestServer::TestServer(const ServerConfig& config) {
  Result<std::unique_ptr<Server>> server = Server::Make(config);
  if (!server.ok()) {
    ADD_FAILURE() << server.status().ToString();
    return;
  }
  Status started = (*server)->Start();
  if (!started.ok()) {
    ADD_FAILURE() << started.ToString();
    return;
  }
  server_ = std::move(server).value();
}

TestServer::~TestServer() {
  if (server_) server_->Shutdown();
}

HttpReply TestServer::Get(const std::string& path, const std::string& token) { return GetPath(port(), path, token); }

HttpReply TestServer::Post(const std::string& path, const std::string& body, const std::string& token) {
  return PostJson(port(), path, body, token);
}

HttpReply PostJson(int port, const std::string& path, const std::string& body, const std::string& token) {
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(60, 0);
  return ToReply(client.Post(path.c_str(), AuthHeaders(token), body, "application/json"));
}

HttpReply GetPath(int port, const std::string& path, const std::string& token) {
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(60, 0);
  return ToReply(client.Get(path.c_str(), AuthHeaders(token)));
}

std::string MessageOf(const HttpReply& reply) {
  return reply.json.is_object() && reply.json.contains("error") ? reply.json["error"]["message"].get<std::string>()
                                                                  : reply.body;
}

std::string IngestBody(const std::vector<std::pair<std::string, std::string>>& id_texts, bool skip_llm,
                       const std::string& source) {
  nlohmann::json chunks = nlohmann::json::array();
  for (const auto& [id, text] : id_texts) {
    nlohmann::json chunk = {{"text", text}};
    if (!id.empty()) chunk["id"] = id;
    chunks.push_back(chunk);
  }
  return nlohmann::json{{"chunks", chunks}, {"dataset_source", source}, {"skip_llm", skip_llm}}.dump();
}

}  // namespace docpipe::testing
