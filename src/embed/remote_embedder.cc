// A TextEmbedder that asks a server: the OpenAI embeddings API (POST
// {base}/embeddings, as text-embeddings-inference, vLLM, llama.cpp and OpenAI
// serve it) or Ollama's POST {base}/api/embed. Each batch is one request
// through the shared HTTP client (src/net), whose one I/O thread carries the
// requests of every calling thread over kept-alive connections; the caller
// waits for its own. Connection errors, 429 and 5xx are retried there (with
// Retry-After and jitter), and its circuit breaker stops calling a dead server.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include "core/redact.h"
#include "core/sha256.h"
#include "embed/text_embedders.h"
#include "net/http_client.h"

namespace docpipe::embed {
namespace {

using nlohmann::json;

enum class Protocol { kOpenAi, kOllama };

// Requests on the wire at once, over all calling threads; callers beyond it queue in the client.
constexpr int kMaxInFlight = 32;

std::string TrimSlash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

Result<Protocol> ChooseProtocol(const std::string& name, const std::string& base) {
  if (name == "openai") return Protocol::kOpenAi;
  if (name == "ollama") return Protocol::kOllama;
  if (name != "auto") {
    return Status::InvalidArgument(fmt::format("unknown embedding protocol '{}'; use openai, ollama or auto", name));
  }
  return base.ends_with("/v1") ? Protocol::kOpenAi : Protocol::kOllama;
}

net::HttpClientOptions HttpOptions(const TextEmbedderOptions& options) {
  net::HttpClientOptions http;
  http.name = "embedding request";
  http.bearer_token = options.api_key;
  http.max_in_flight = kMaxInFlight;
  http.request_timeout = std::chrono::milliseconds(static_cast<int64_t>(options.timeout_seconds * 1000));
  http.max_retries = options.retries;
  http.backoff_max = std::chrono::milliseconds(8000);
  return http;
}

// A hint for the answers a user can fix.
Status WithHint(const Status& status) {
  if (status.code() == StatusCode::kPermissionDenied) return Status(status.code(), status.message() + " (check the API key)");
  if (status.code() == StatusCode::kNotFound) {
    return Status(status.code(), status.message() + " (check the URL and the model name)");
  }
  return status;
}

class RemoteEmbedder final : public TextEmbedder {
 public:
  RemoteEmbedder(TextEmbedderOptions options, Protocol protocol, std::unique_ptr<net::HttpClient> http)
      : options_(std::move(options)), protocol_(protocol), http_(std::move(http)) {
    endpoint_ = options_.url + (protocol_ == Protocol::kOpenAi ? "/embeddings" : "/api/embed");
    shown_endpoint_ = RedactCredentials(endpoint_);
    // The identity is stored with the vectors: it names the server without its
    // credentials (a password or token in the URL never reaches the store), and
    // rotating them keeps the vectors' identity.
    const std::string shown_url = RedactCredentials(options_.url);
    identity_.name = options_.remote_model;
    identity_.weights_hash = Sha256Hex(shown_url + "|" + options_.remote_model);
    identity_.source = shown_url + "#" + options_.remote_model;
  }

  // Embeds a probe text: checks URL and model, and learns the dimension.
  Status Probe() {
    DOCPIPE_ASSIGN_OR_RETURN(EmbeddingMatrix probe, Request({"docpipe dimension probe"}));
    if (probe.dimension == 0) return Status::Internal(shown_endpoint_ + " returned an empty vector");
    identity_.dimension = probe.dimension;
    double norm = 0;
    for (float value : probe.values) norm += static_cast<double>(value) * value;
    // Servers normalise or not by model; unit length is what makes inner product cosine.
    identity_.normalized = std::abs(std::sqrt(norm) - 1.0) < 1e-3;
    return Status::Ok();
  }

  const EmbedderIdentity& Identity() const override { return identity_; }

  Result<EmbeddingMatrix> Embed(const std::vector<std::string>& texts) override {
    EmbeddingMatrix all;
    all.dimension = identity_.dimension;
    const size_t batch = static_cast<size_t>(std::max(1, options_.batch_size));
    for (size_t begin = 0; begin < texts.size(); begin += batch) {
      std::vector<std::string> part(texts.begin() + begin, texts.begin() + std::min(texts.size(), begin + batch));
      DOCPIPE_ASSIGN_OR_RETURN(EmbeddingMatrix vectors, Request(part));
      if (vectors.dimension != identity_.dimension) {
        return Status::Internal(fmt::format("{} returned vectors of dimension {}, earlier {}", shown_endpoint_,
                                            vectors.dimension, identity_.dimension));
      }
      all.values.insert(all.values.end(), vectors.values.begin(), vectors.values.end());
      all.rows += vectors.rows;
    }
    return all;
  }

 private:
  Result<EmbeddingMatrix> Request(const std::vector<std::string>& texts) {
    json body = {{"model", options_.remote_model}, {"input", texts}};
    if (protocol_ == Protocol::kOpenAi) body["encoding_format"] = "float";
    net::HttpRequest request{endpoint_, body.dump(-1, ' ', false, json::error_handler_t::replace)};
    Result<net::HttpResponse> reply = http_->Call(std::move(request)).get();
    if (!reply.ok()) return WithHint(reply.status());
    return Parse(reply->body, texts.size());
  }

  // The vectors of a 2xx reply, checked: one per text, all of one length.
  Result<EmbeddingMatrix> Parse(const std::string& body, size_t expected) const {
    json reply = json::parse(body, nullptr, /*allow_exceptions=*/false);
    std::vector<const json*> rows(expected, nullptr);
    if (protocol_ == Protocol::kOpenAi && reply.is_object() && reply.contains("data") && reply["data"].is_array()) {
      size_t position = 0;
      for (const json& item : reply["data"]) {
        size_t index = item.contains("index") && item["index"].is_number_unsigned() ? item["index"].get<size_t>()
                                                                                    : position;
        if (index < expected && item.contains("embedding")) rows[index] = &item["embedding"];
        ++position;
      }
    } else if (protocol_ == Protocol::kOllama && reply.is_object() && reply.contains("embeddings") &&
               reply["embeddings"].is_array() && reply["embeddings"].size() == expected) {
      for (size_t i = 0; i < expected; ++i) rows[i] = &reply["embeddings"][i];
    }
    EmbeddingMatrix matrix;
    for (size_t i = 0; i < expected; ++i) {
      const json* row = rows[i];
      if (row == nullptr || !row->is_array() || row->empty()) {
        return Status::Internal(fmt::format("{} returned no embedding for input {} of {}: {}", shown_endpoint_, i,
                                            expected, body.substr(0, 200)));
      }
      if (i == 0) matrix.dimension = row->size();
      if (row->size() != matrix.dimension) {
        return Status::Internal(fmt::format("{} returned vectors of different lengths", shown_endpoint_));
      }
      for (const json& value : *row) {
        if (!value.is_number()) return Status::Internal(shown_endpoint_ + " returned a vector with a non-number in it");
        matrix.values.push_back(value.get<float>());
      }
    }
    matrix.rows = expected;
    return matrix;
  }

  TextEmbedderOptions options_;
  Protocol protocol_;
  std::string endpoint_;
  std::string shown_endpoint_;  // endpoint_ without credentials, for messages
  EmbedderIdentity identity_;
  std::unique_ptr<net::HttpClient> http_;
};

}  // namespace

Result<std::shared_ptr<TextEmbedder>> MakeRemoteEmbedder(const TextEmbedderOptions& options) {
  if (options.remote_model.empty()) {
    return Status::InvalidArgument("a remote embedder needs the model name the server serves (--embed-remote-model)");
  }
  TextEmbedderOptions resolved = options;
  resolved.url = TrimSlash(options.url);
  DOCPIPE_ASSIGN_OR_RETURN(Protocol protocol, ChooseProtocol(options.protocol, resolved.url));
  Result<std::unique_ptr<net::HttpClient>> http = net::HttpClient::Make(HttpOptions(resolved));
  if (!http.ok()) return http.status().WithContext("embedding client");
  auto embedder = std::make_shared<RemoteEmbedder>(std::move(resolved), protocol, std::move(http).value());
  DOCPIPE_RETURN_IF_ERROR(embedder->Probe());
  return std::shared_ptr<TextEmbedder>(std::move(embedder));
}

}  // namespace docpipe::embed
