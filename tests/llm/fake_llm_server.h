// A small HTTP/1.1 server on 127.0.0.1 that plays an LLM server for tests and
// benchmarks: Ollama (/api/chat, /api/generate) and OpenAI-compatible
// (/v1/chat/completions). It answers extraction prompts with valid results
// for the chunks it is sent, and can be told to be slow, fail, ask for
// back-off (429 + Retry-After, in seconds or as an HTTP-date), return malformed JSON, omit ids, or hang.
// It also plays an embedding server: OpenAI-compatible POST /v1/embeddings
// and Ollama's POST /api/embed, answering FakeEmbedding() of every input.
// It also plays the model for `docpipe extract`: a prompt carrying
// "Document text:\n" is answered with an instance of the request's schema,
// filled from "name: value" lines of the text (nested members as
// "parent.child: value"; an array takes every such line, a scalar the first);
// a required member the text lacks gets a placeholder, as a constrained model
// would invent one.
// It counts requests, TCP connections and simultaneous requests.
//
// Thread-safety: one thread per connection; all accessors are thread-safe.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <thread>
#include <vector>

namespace docpipe::testing {

struct FakeLlmBehavior {
  int latency_ms = 0;          // before every answer
  int fail_first = 0;          // the first N requests answer fail_status
  int error_every = 0;         // and then every Nth request (0: never)
  int fail_status = 500;
  int retry_after_s = 0;       // sent with failures when > 0
  bool echo_authorization = false;  // failures quote the Authorization header back
  int malformed_first = 0;     // the first N answered requests carry invalid model output
  bool malformed_envelope = false;  // ... and the HTTP body itself is broken, not just the content
  int hang_first = 0;          // the first N requests never get an answer
  int drop_last_id_first = 0;  // the first N multi-chunk requests omit the last chunk
  bool shift_offsets = false;  // entity offsets off by 2 (text still right)
  bool phantom_entity = false; // add an entity whose text is not in the chunk
  int embedding_dimension = 16;  // length of the vectors the embedding endpoints return
  int violate_schema_first = 0;  // the first N extraction answers are JSON but not instances of the schema
  int fail_percent = 0;          // of requests answer fail_status (pseudo-random by request number)
  int broken_json_percent = 0;   // of extraction answers are cut-off JSON (pseudo-random by request number)
  bool retry_after_http_date = false;  // Retry-After as the HTTP-date retry_after_s from now, not seconds
};

// The fake embedding of `text`: lower-cased words hashed into `dimension`
// buckets, L2-normalised, so texts sharing words are near each other.
std::vector<float> FakeEmbedding(const std::string& text, int dimension);

class FakeLlmServer {
 public:
  explicit FakeLlmServer(FakeLlmBehavior behavior = {});
  ~FakeLlmServer();
  FakeLlmServer(const FakeLlmServer&) = delete;
  FakeLlmServer& operator=(const FakeLlmServer&) = delete;

  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  void set_behavior(const FakeLlmBehavior& behavior);
  int requests() const { return requests_; }
  int connections() const { return connections_; }
  int max_concurrent() const { return max_concurrent_; }
  int extraction_requests() const { return extraction_requests_; }
  // Requests whose body equals one already answered with 200: work sent twice.
  int repeated_after_answer() const { return repeated_after_answer_; }
  std::vector<std::string> paths() const;
  std::string last_body() const;
  std::string last_authorization() const;

 private:
  struct Request {
    std::string method, path, body, authorization;
  };
  void AcceptLoop();
  void Serve(int fd);
  bool ReadRequest(int fd, std::string& buffer, Request& request);
  std::string Answer(const Request& request);
  void Wait(int ms);
  std::string ExtractionReply(const nlohmann::json& body, int number, const FakeLlmBehavior& behavior);

  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;

  mutable std::mutex mutex_;
  std::condition_variable stop_cv_;
  FakeLlmBehavior behavior_;
  std::vector<std::thread> workers_;
  std::vector<int> open_fds_;
  std::vector<std::string> paths_;
  std::string last_body_, last_authorization_;
  int answered_ = 0, multi_chunk_ = 0, extraction_answered_ = 0;
  std::vector<size_t> answered_bodies_;  // hashes of bodies answered with 200

  std::atomic<int> requests_{0}, connections_{0}, in_progress_{0}, max_concurrent_{0};
  std::atomic<int> extraction_requests_{0}, repeated_after_answer_{0};
};

}  // namespace docpipe::testing
