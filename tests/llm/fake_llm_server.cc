#include "fake_llm_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstring>
#include <ctime>
#include <functional>
#include <optional>
#include <nlohmann/json.hpp>

namespace docpipe::testing {
namespace {

using nlohmann::json;

constexpr std::string_view kMarker = "Chunks (JSON):\n";

bool SendAll(int fd, const std::string& data) {
  size_t sent = 0;
  while (sent < data.size()) {
    ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<size_t>(n);
  }
  return true;
}

// The balanced {...} starting at `at`, honouring strings and escapes.
std::string JsonObjectAt(const std::string& text, size_t at) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = at; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{') {
      ++depth;
    } else if (c == '}' && --depth == 0) {
      return text.substr(at, i - at + 1);
    }
  }
  return {};
}

// The chunks the prompt carries: {"chunks": [{"id", "text"}]}.
json PromptChunks(const json& body) {
  std::vector<std::string> texts;
  if (body.contains("prompt")) texts.push_back(body["prompt"].get<std::string>());
  if (body.contains("messages")) {
    for (const json& m : body["messages"]) texts.push_back(m.value("content", ""));
  }
  for (const std::string& text : texts) {
    size_t at = text.find(kMarker);
    if (at == std::string::npos) continue;
    json chunks = json::parse(JsonObjectAt(text, at + kMarker.size()), nullptr, false);
    if (!chunks.is_discarded()) return chunks["chunks"];
  }
  return json::array();
}

json FirstCapitalisedWord(const std::string& text, const FakeLlmBehavior& behavior) {
  for (size_t i = 0; i < text.size(); ++i) {
    bool starts = std::isupper(static_cast<unsigned char>(text[i])) &&
                  (i == 0 || !std::isalnum(static_cast<unsigned char>(text[i - 1])));
    if (!starts) continue;
    size_t end = i;
    while (end < text.size() && std::isalnum(static_cast<unsigned char>(text[end]))) ++end;
    size_t shift = behavior.shift_offsets ? 2 : 0;
    return {{"text", text.substr(i, end - i)}, {"type", "term"}, {"start", i + shift}, {"end", end + shift},
            {"confidence", 0.9}};
  }
  return nullptr;
}


constexpr std::string_view kTextMarker = "Document text:\n";
constexpr std::string_view kPartValuesMarker = "Part values:\n";  // an extract --merge llm reduce
constexpr std::string_view kSchemaMarker = "Schema:\n";

std::vector<std::string> MessageTexts(const json& body) {
  std::vector<std::string> texts;
  if (body.contains("system") && body["system"].is_string()) texts.push_back(body["system"].get<std::string>());
  if (body.contains("prompt") && body["prompt"].is_string()) texts.push_back(body["prompt"].get<std::string>());
  if (body.contains("messages")) {
    for (const json& m : body["messages"]) texts.push_back(m.value("content", ""));
  }
  return texts;
}

// The document text of an extraction prompt (or the values of a merge
// prompt); nullopt for any other request.
std::optional<std::string> ExtractionText(const json& body, bool* merge = nullptr) {
  for (const std::string& text : MessageTexts(body)) {
    size_t at = text.find(kTextMarker);
    size_t marker = kTextMarker.size();
    if (at == std::string::npos) {
      at = text.find(kPartValuesMarker);
      marker = kPartValuesMarker.size();
      if (merge != nullptr) *merge = at != std::string::npos;
    }
    if (at == std::string::npos) continue;
    std::string rest = text.substr(at + marker);
    // /api/generate flattens the conversation: the text ends where the next turn starts.
    if (size_t turn = rest.find("\n\nAssistant: "); turn != std::string::npos) rest.resize(turn);
    return rest;
  }
  return std::nullopt;
}

// The schema from response_format / format, else from the prompt (json_object mode).
json RequestSchema(const json& body) {
  if (body.contains("response_format") && body["response_format"].contains("json_schema")) {
    return body["response_format"]["json_schema"]["schema"];
  }
  if (body.contains("format") && body["format"].is_object()) return body["format"];
  for (const std::string& text : MessageTexts(body)) {
    size_t at = text.find(kSchemaMarker);
    if (at == std::string::npos) continue;
    json schema = json::parse(JsonObjectAt(text, at + kSchemaMarker.size()), nullptr, false);
    if (!schema.is_discarded()) return schema;
  }
  return json::object();
}

std::vector<std::string> LinesNamed(const std::string& text, const std::string& name) {
  std::vector<std::string> values;
  std::string prefix = name + ": ";
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.front()))) line.erase(0, 1);
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.pop_back();
    if (line.rfind(prefix, 0) == 0) values.push_back(line.substr(prefix.size()));
    start = end + 1;
  }
  return values;
}

json Placeholder(const json& schema) {
  std::string type = schema.value("type", "string");
  if (schema.contains("enum")) return schema["enum"][0];
  if (type == "object") {
    json out = json::object();
    for (const json& name : schema.value("required", json::array())) {
      out[name.get<std::string>()] = Placeholder(schema["properties"][name.get<std::string>()]);
    }
    return out;
  }
  if (type == "array") return json::array();
  if (type == "integer" || type == "number") return 0;
  if (type == "boolean") return false;
  return "unknown";
}

json ScalarFrom(const std::string& value, const json& schema) {
  std::string type = schema.value("type", "string");
  if (type == "integer") return std::strtoll(value.c_str(), nullptr, 10);
  if (type == "number") return std::strtod(value.c_str(), nullptr);
  if (type == "boolean") return value == "true";
  if (type == "object" || type == "array") return json::parse(value, nullptr, false);
  if (schema.contains("enum") && std::find(schema["enum"].begin(), schema["enum"].end(), json(value)) ==
                                     schema["enum"].end()) {
    return schema["enum"][0];
  }
  return value;
}

// The instance of `schema` the text's "name: value" lines give; null when they give nothing.
json Instance(const json& schema, const std::string& text, const std::string& name) {
  std::string type = schema.value("type", "string");
  if (type == "object") {
    json out = json::object();
    const json properties = schema.value("properties", json::object());
    for (const auto& [member, sub] : properties.items()) {
      json value = Instance(sub, text, name.empty() ? member : name + "." + member);
      if (!value.is_null()) out[member] = std::move(value);
    }
    for (const json& required : schema.value("required", json::array())) {
      std::string member = required.get<std::string>();
      if (!out.contains(member)) out[member] = Placeholder(schema["properties"][member]);
    }
    return out.empty() && !name.empty() ? json() : out;
  }
  std::vector<std::string> values = LinesNamed(text, name);
  if (values.empty()) return json();
  if (type == "array") {
    json out = json::array();
    for (const std::string& value : values) out.push_back(ScalarFrom(value, schema.value("items", json::object())));
    return out;
  }
  return ScalarFrom(values[0], schema);
}

bool Chance(int number, int salt, int percent) {
  uint64_t x = static_cast<uint64_t>(number) * 0x9E3779B97F4A7C15ull + static_cast<uint64_t>(salt) * 0xBF58476D1CE4E5B9ull;
  x ^= x >> 31;
  x *= 0x94D049BB133111EBull;
  x ^= x >> 29;
  return static_cast<int>(x % 100) < percent;
}

std::string ModelReply(const json& body, bool malformed, bool drop_last, const FakeLlmBehavior& behavior) {
  if (malformed) return "{\"results\": [{\"id\": ";
  json chunks = PromptChunks(body);
  json results = json::array();
  size_t count = chunks.size() - (drop_last && chunks.size() > 1 ? 1 : 0);
  for (size_t i = 0; i < count; ++i) {
    std::string text = chunks[i]["text"].get<std::string>();
    json entities = json::array();
    if (json word = FirstCapitalisedWord(text, behavior); !word.is_null()) entities.push_back(word);
    if (behavior.phantom_entity) {
      entities.push_back({{"text", "Atlantis Corporation"}, {"type", "organization"}, {"start", 0}, {"end", 20}});
    }
    results.push_back({{"id", chunks[i]["id"]},
                       {"domain", {{"label", "computer_science"}, {"confidence", 0.9}}},
                       {"task", {{"label", "explain"}, {"confidence", 0.8}}},
                       {"modifiers", json::array({{{"label", "technical"}, {"confidence", 0.7}}})},
                       {"entities", entities}});
  }
  return json{{"results", results}}.dump();
}

// Token counts in the usage fields are the byte counts over 4, as a rough tokenizer would give.
std::string Envelope(const std::string& path, const std::string& content, size_t request_bytes = 0) {
  json reply;
  int64_t tokens_in = static_cast<int64_t>(request_bytes / 4), tokens_out = static_cast<int64_t>(content.size() / 4);
  if (path == "/api/chat") {
    reply = {{"model", "fake"}, {"message", {{"role", "assistant"}, {"content", content}}}, {"done", true},
             {"prompt_eval_count", tokens_in}, {"eval_count", tokens_out}};
  } else if (path == "/api/generate") {
    reply = {{"model", "fake"}, {"response", content}, {"done", true}, {"prompt_eval_count", tokens_in},
             {"eval_count", tokens_out}};
  } else {
    reply = {{"id", "fake"}, {"object", "chat.completion"},
             {"choices", json::array({{{"index", 0}, {"message", {{"role", "assistant"}, {"content", content}}},
                                       {"finish_reason", "stop"}}})},
             {"usage", {{"prompt_tokens", tokens_in}, {"completion_tokens", tokens_out},
                        {"total_tokens", tokens_in + tokens_out}}}};
  }
  return reply.dump();
}

bool IsEmbeddingPath(const std::string& path) { return path == "/v1/embeddings" || path == "/api/embed"; }

// {"input": "text"} or {"input": ["a", "b"]} answered in the protocol of `path`.
std::string EmbeddingReply(const std::string& path, const json& body, int dimension) {
  std::vector<std::string> inputs;
  if (body.contains("input") && body["input"].is_string()) inputs.push_back(body["input"].get<std::string>());
  if (body.contains("input") && body["input"].is_array()) {
    for (const json& input : body["input"]) inputs.push_back(input.is_string() ? input.get<std::string>() : "");
  }
  json vectors = json::array();
  for (const std::string& input : inputs) vectors.push_back(FakeEmbedding(input, dimension));
  if (path == "/api/embed") return json{{"model", body.value("model", "")}, {"embeddings", vectors}}.dump();
  json data = json::array();
  for (size_t i = 0; i < vectors.size(); ++i) {
    data.push_back({{"object", "embedding"}, {"index", i}, {"embedding", vectors[i]}});
  }
  return json{{"object", "list"}, {"data", data}, {"model", body.value("model", "")},
              {"usage", {{"prompt_tokens", inputs.size()}, {"total_tokens", inputs.size()}}}}
      .dump();
}

// IMF-fixdate, as HTTP writes dates: "Wed, 21 Oct 2015 07:28:00 GMT".
std::string HttpDate(std::chrono::system_clock::time_point when) {
  time_t seconds = std::chrono::system_clock::to_time_t(when);
  tm parts{};
  gmtime_r(&seconds, &parts);
  char text[64];
  std::strftime(text, sizeof(text), "%a, %d %b %Y %H:%M:%S GMT", &parts);
  return text;
}

std::string HttpResponse(int status, const std::string& body, int retry_after_s, bool as_date = false) {
  std::string reason = status == 200 ? "OK" : status == 429 ? "Too Many Requests" : "Error";
  std::string out = "HTTP/1.1 " + std::to_string(status) + " " + reason +
                    "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  if (retry_after_s > 0) {
    std::string value = as_date ? HttpDate(std::chrono::system_clock::now() + std::chrono::seconds(retry_after_s))
                                : std::to_string(retry_after_s);
    out += "Retry-After: " + value + "\r\n";
  }
  return out + "\r\n" + body;
}

}  // namespace

std::vector<float> FakeEmbedding(const std::string& text, int dimension) {
  std::vector<float> vector(static_cast<size_t>(dimension), 0.0f);
  std::string word;
  auto flush = [&] {
    if (word.empty()) return;
    vector[std::hash<std::string>{}(word) % vector.size()] += 1.0f;
    word.clear();
  };
  for (char c : text) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      word += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else {
      flush();
    }
  }
  flush();
  double norm = 0;
  for (float value : vector) norm += static_cast<double>(value) * value;
  if (norm == 0) {  // no words: a fixed unit vector
    vector[0] = 1.0f;
    norm = 1;
  }
  for (float& value : vector) value = static_cast<float>(value / std::sqrt(norm));
  return vector;
}

FakeLlmServer::FakeLlmServer(FakeLlmBehavior behavior) : behavior_(behavior) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      ::listen(listen_fd_, 1024) != 0) {
    std::perror("fake LLM server: bind/listen");
    std::abort();
  }
  socklen_t length = sizeof(address);
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length);
  port_ = ntohs(address.sin_port);
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

FakeLlmServer::~FakeLlmServer() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
    for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
  }
  stop_cv_.notify_all();
  ::shutdown(listen_fd_, SHUT_RDWR);
  acceptor_.join();
  ::close(listen_fd_);
  std::vector<std::thread> workers;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    workers.swap(workers_);
  }
  for (std::thread& worker : workers) worker.join();
}

void FakeLlmServer::set_behavior(const FakeLlmBehavior& behavior) {
  std::lock_guard<std::mutex> lock(mutex_);
  behavior_ = behavior;
}

std::vector<std::string> FakeLlmServer::paths() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return paths_;
}
std::string FakeLlmServer::last_body() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return last_body_;
}
std::string FakeLlmServer::last_authorization() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return last_authorization_;
}

void FakeLlmServer::AcceptLoop() {
  while (!stopping_) {
    int fd = ::accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) {
      if (stopping_) return;
      continue;
    }
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    ++connections_;
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_) {
      ::close(fd);
      return;
    }
    open_fds_.push_back(fd);
    workers_.emplace_back([this, fd] { Serve(fd); });
  }
}

void FakeLlmServer::Serve(int fd) {
  std::string buffer;
  Request request;
  while (!stopping_ && ReadRequest(fd, buffer, request)) {
    std::string response = Answer(request);
    if (response.empty() || !SendAll(fd, response)) break;
  }
  std::lock_guard<std::mutex> lock(mutex_);
  open_fds_.erase(std::remove(open_fds_.begin(), open_fds_.end(), fd), open_fds_.end());
  ::close(fd);
}

bool FakeLlmServer::ReadRequest(int fd, std::string& buffer, Request& request) {
  auto fill = [&] {
    char chunk[65536];
    ssize_t n = ::recv(fd, chunk, sizeof(chunk), 0);
    if (n <= 0) return false;
    buffer.append(chunk, static_cast<size_t>(n));
    return true;
  };
  size_t header_end;
  while ((header_end = buffer.find("\r\n\r\n")) == std::string::npos) {
    if (!fill()) return false;
  }
  std::string head = buffer.substr(0, header_end);
  std::string lower = head;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  size_t length = 0;
  if (size_t at = lower.find("content-length:"); at != std::string::npos) length = std::stoul(head.substr(at + 15));
  request.authorization.clear();
  if (size_t at = lower.find("authorization:"); at != std::string::npos) {
    size_t end = head.find("\r\n", at);
    request.authorization = head.substr(at + 15, end == std::string::npos ? std::string::npos : end - at - 15);
  }
  size_t space = head.find(' ');
  request.method = head.substr(0, space);
  request.path = head.substr(space + 1, head.find(' ', space + 1) - space - 1);
  while (buffer.size() < header_end + 4 + length) {
    if (!fill()) return false;
  }
  request.body = buffer.substr(header_end + 4, length);
  buffer.erase(0, header_end + 4 + length);
  return true;
}

std::string FakeLlmServer::ExtractionReply(const nlohmann::json& body, int number, const FakeLlmBehavior& behavior) {
  ++extraction_requests_;
  int answered;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    answered = ++extraction_answered_;
  }
  if (answered <= behavior.malformed_first || Chance(number, 2, behavior.broken_json_percent)) {
    return "{\"title\": \"cut o";
  }
  if (answered <= behavior.violate_schema_first) return "[\"not\", \"an\", \"object\"]";
  bool merge = false;
  std::string text = *ExtractionText(body, &merge);
  json schema = RequestSchema(body);
  json instance = Instance(schema, text, "");
  // A merge answers a string field with all its values joined, so a test can tell it from the first-value rule.
  const json properties = schema.value("properties", json::object());
  for (const auto& [member, sub] : properties.items()) {
    std::vector<std::string> values = LinesNamed(text, member);
    if (merge && sub.value("type", "") == "string" && values.size() > 1) {
      std::string joined;
      for (const std::string& value : values) joined += (joined.empty() ? "" : "; ") + value;
      instance[member] = joined;
    }
  }
  return instance.dump();
}

void FakeLlmServer::Wait(int ms) {
  std::unique_lock<std::mutex> lock(mutex_);
  stop_cv_.wait_for(lock, std::chrono::milliseconds(ms), [this] { return stopping_.load(); });
}

std::string FakeLlmServer::Answer(const Request& request) {
  int number = ++requests_;
  int now = ++in_progress_;
  for (int seen = max_concurrent_; now > seen && !max_concurrent_.compare_exchange_weak(seen, now);) {
  }
  FakeLlmBehavior behavior;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    behavior = behavior_;
    paths_.push_back(request.path);
    last_body_ = request.body;
    last_authorization_ = request.authorization;
  }
  std::string response;
  if (number <= behavior.hang_first) {
    Wait(24 * 3600 * 1000);  // until the server stops
  } else {
    Wait(behavior.latency_ms);
    bool fail = number <= behavior.fail_first || (behavior.error_every > 0 && number % behavior.error_every == 0) ||
                Chance(number, 1, behavior.fail_percent);
    if (fail) {
      std::string body = behavior.echo_authorization ? json{{"error", "rejected " + request.authorization}}.dump()
                                                     : std::string("{\"error\":\"injected failure\"}");
      response = HttpResponse(behavior.fail_status, body, behavior.retry_after_s, behavior.retry_after_http_date);
    } else if (IsEmbeddingPath(request.path)) {
      json body = json::parse(request.body, nullptr, false);
      if (body.is_discarded() || !body.contains("model")) {
        response = HttpResponse(400, "{\"error\":\"bad embedding request\"}", 0);
      } else {
        response = HttpResponse(200, EmbeddingReply(request.path, body, behavior.embedding_dimension), 0);
      }
    } else if (json body = json::parse(request.body, nullptr, false);
               !body.is_discarded() && ExtractionText(body).has_value()) {
      response = HttpResponse(200, Envelope(request.path, ExtractionReply(body, number, behavior), request.body.size()), 0);
    } else {
      bool malformed, drop_last;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        malformed = ++answered_ <= behavior.malformed_first;
        bool multi = !body.is_discarded() && PromptChunks(body).size() > 1;
        drop_last = multi && ++multi_chunk_ <= behavior.drop_last_id_first;
      }
      std::string content = body.is_discarded() ? "{}" : ModelReply(body, malformed, drop_last, behavior);
      std::string envelope = malformed && behavior.malformed_envelope ? "{\"message\": {\"content\": " : Envelope(request.path, content);
      response = HttpResponse(200, envelope, 0);
    }
  }
  if (response.rfind("HTTP/1.1 200", 0) == 0) {
    size_t hash = std::hash<std::string>{}(request.body);
    std::lock_guard<std::mutex> lock(mutex_);
    if (std::find(answered_bodies_.begin(), answered_bodies_.end(), hash) != answered_bodies_.end()) {
      ++repeated_after_answer_;
    } else {
      answered_bodies_.push_back(hash);
    }
  }
  --in_progress_;
  return response;
}

}  // namespace docpipe::testing
