// A TextEmbedder that asks a server: the OpenAI embeddings API (POST
// {base}/embeddings, as text-embeddings-inference, vLLM, llama.cpp and OpenAI
// serve it) or Ollama's POST {base}/api/embed. Each batch is one blocking
// request on the caller's thread, so the pipeline's workers are the requests
// in flight; connection errors, 429 and 5xx are retried with backoff.
#include <curl/curl.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include <fmt/format.h>

#include "core/redact.h"
#include "core/sha256.h"
#include "embed/text_embedders.h"

namespace docpipe::embed {
namespace {

using nlohmann::json;

enum class Protocol { kOpenAi, kOllama };

struct CurlEasyDeleter {
  void operator()(CURL* easy) const { curl_easy_cleanup(easy); }
};
struct CurlSlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

bool CurlReady() {
  static const bool ready = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  return ready;
}

size_t AppendBody(char* data, size_t size, size_t count, void* body) {
  static_cast<std::string*>(body)->append(data, size * count);
  return size * count;
}

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

// What one HTTP exchange gave.
struct Reply {
  long http = 0;  // 0: no answer (connection error, timeout)
  std::string body;
  std::string error;  // libcurl's message when http == 0
};

class RemoteEmbedder final : public TextEmbedder {
 public:
  RemoteEmbedder(TextEmbedderOptions options, Protocol protocol)
      : options_(std::move(options)), protocol_(protocol) {
    endpoint_ = options_.url + (protocol_ == Protocol::kOpenAi ? "/embeddings" : "/api/embed");
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
    if (probe.dimension == 0) return Status::Internal(endpoint_ + " returned an empty vector");
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
        return Status::Internal(fmt::format("{} returned vectors of dimension {}, earlier {}", endpoint_,
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
    const std::string payload = body.dump(-1, ' ', false, json::error_handler_t::replace);
    auto delay = std::chrono::milliseconds(250);
    for (int attempt = 0;; ++attempt) {
      Reply reply = Post(payload);
      if (reply.http == 200) return Parse(reply.body, texts.size());
      const bool transient = reply.http == 0 || reply.http == 429 || reply.http >= 500;
      if (!transient || attempt >= options_.retries) return Failure(reply, attempt + 1);
      std::this_thread::sleep_for(delay);
      delay = std::min(delay * 2, std::chrono::milliseconds(8000));
    }
  }

  Status Failure(const Reply& reply, int attempts) const {
    if (reply.http == 0) {
      return Status::Unavailable(fmt::format("embedding server {} did not answer after {} attempt(s): {}",
                                             endpoint_, attempts, reply.error));
    }
    const std::string excerpt = reply.body.substr(0, 300);
    std::string message = fmt::format("embedding server {} answered HTTP {}: {}", endpoint_, reply.http, excerpt);
    if (reply.http == 401 || reply.http == 403) return Status::PermissionDenied(message + " (check the API key)");
    if (reply.http == 404) return Status::NotFound(message + " (check the URL and the model name)");
    if (reply.http >= 400 && reply.http < 500) return Status::InvalidArgument(message);
    return Status::Unavailable(message);
  }

  Reply Post(const std::string& payload) const {
    Reply reply;
    std::unique_ptr<CURL, CurlEasyDeleter> easy(curl_easy_init());
    if (!easy) {
      reply.error = "libcurl could not make a handle";
      return reply;
    }
    std::unique_ptr<curl_slist, CurlSlistDeleter> headers(curl_slist_append(nullptr, "Content-Type: application/json"));
    if (!options_.api_key.empty()) {
      headers.reset(curl_slist_append(headers.release(), ("Authorization: Bearer " + options_.api_key).c_str()));
    }
    char error[CURL_ERROR_SIZE] = {};
    curl_easy_setopt(easy.get(), CURLOPT_URL, endpoint_.c_str());
    curl_easy_setopt(easy.get(), CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(easy.get(), CURLOPT_POSTFIELDS, payload.data());
    curl_easy_setopt(easy.get(), CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(payload.size()));
    curl_easy_setopt(easy.get(), CURLOPT_WRITEFUNCTION, AppendBody);
    curl_easy_setopt(easy.get(), CURLOPT_WRITEDATA, &reply.body);
    curl_easy_setopt(easy.get(), CURLOPT_ERRORBUFFER, error);
    curl_easy_setopt(easy.get(), CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy.get(), CURLOPT_CONNECTTIMEOUT_MS, 5000L);
    curl_easy_setopt(easy.get(), CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout_seconds * 1000));
    const CURLcode code = curl_easy_perform(easy.get());
    if (code != CURLE_OK) {
      reply.error = error[0] != '\0' ? error : curl_easy_strerror(code);
      return reply;
    }
    curl_easy_getinfo(easy.get(), CURLINFO_RESPONSE_CODE, &reply.http);
    return reply;
  }

  // The vectors of a 200 reply, checked: one per text, all of one length.
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
        return Status::Internal(fmt::format("{} returned no embedding for input {} of {}: {}", endpoint_, i, expected,
                                            body.substr(0, 200)));
      }
      if (i == 0) matrix.dimension = row->size();
      if (row->size() != matrix.dimension) {
        return Status::Internal(fmt::format("{} returned vectors of different lengths", endpoint_));
      }
      for (const json& value : *row) {
        if (!value.is_number()) return Status::Internal(endpoint_ + " returned a vector with a non-number in it");
        matrix.values.push_back(value.get<float>());
      }
    }
    matrix.rows = expected;
    return matrix;
  }

  TextEmbedderOptions options_;
  Protocol protocol_;
  std::string endpoint_;
  EmbedderIdentity identity_;
};

}  // namespace

Result<std::shared_ptr<TextEmbedder>> MakeRemoteEmbedder(const TextEmbedderOptions& options) {
  if (options.remote_model.empty()) {
    return Status::InvalidArgument("a remote embedder needs the model name the server serves (--embed-remote-model)");
  }
  if (!CurlReady()) return Status::Internal("libcurl failed to initialise");
  TextEmbedderOptions resolved = options;
  resolved.url = TrimSlash(options.url);
  DOCPIPE_ASSIGN_OR_RETURN(Protocol protocol, ChooseProtocol(options.protocol, resolved.url));
  auto embedder = std::make_shared<RemoteEmbedder>(std::move(resolved), protocol);
  DOCPIPE_RETURN_IF_ERROR(embedder->Probe());
  return std::shared_ptr<TextEmbedder>(std::move(embedder));
}

}  // namespace docpipe::embed
