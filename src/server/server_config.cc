#include "docpipe/server_config.h"

#include <cctype>
#include <charconv>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/redact.h"

namespace docpipe {
namespace {

using Json = nlohmann::json;

Status ParseInteger(const std::string& name, const std::string& text, int64_t min, int64_t max, int64_t& out) {
  int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) {
    return Status::InvalidArgument(name + ": expected an integer, got \"" + text + "\"");
  }
  if (value < min || value > max) {
    return Status::InvalidArgument(name + ": " + text + " is outside [" + std::to_string(min) + ", " +
                                   std::to_string(max) + "]");
  }
  out = value;
  return Status::Ok();
}

template <typename T>
ConfigSetting IntSetting(std::string name, std::string help, T ServerConfig::*member, int64_t min, int64_t max) {
  ConfigSetting setting{name, std::move(help), false, {}, {}};
  setting.set = [name, member, min, max](ServerConfig& config, const std::string& text) {
    int64_t value = 0;
    DOCPIPE_RETURN_IF_ERROR(ParseInteger(name, text, min, max, value));
    config.*member = static_cast<T>(value);
    return Status::Ok();
  };
  setting.get = [member](const ServerConfig& config) { return std::to_string(config.*member); };
  return setting;
}

ConfigSetting TextSetting(std::string name, std::string help, std::string ServerConfig::*member,
                          bool secret = false) {
  ConfigSetting setting{std::move(name), std::move(help), secret, {}, {}};
  setting.set = [member](ServerConfig& config, const std::string& text) {
    config.*member = text;
    return Status::Ok();
  };
  setting.get = [member](const ServerConfig& config) { return config.*member; };
  return setting;
}

// Settings of the enrichment options, which live one level down.
template <typename T>
ConfigSetting EnrichSetting(std::string name, std::string help, T IngestEnrichOptions::*member, bool secret = false) {
  ConfigSetting setting{name, std::move(help), secret, {}, {}};
  setting.set = [name, member](ServerConfig& config, const std::string& text) {
    if constexpr (std::is_same_v<T, std::string>) {
      config.enrich.*member = text;
    } else if constexpr (std::is_same_v<T, double>) {
      char* end = nullptr;
      double value = std::strtod(text.c_str(), &end);
      if (text.empty() || *end != '\0' || !(value > 0)) {
        return Status::InvalidArgument(name + ": expected a positive number, got \"" + text + "\"");
      }
      config.enrich.*member = value;
    } else {
      int64_t value = 0;
      DOCPIPE_RETURN_IF_ERROR(ParseInteger(name, text, 0, 4096, value));
      config.enrich.*member = static_cast<T>(value);
    }
    return Status::Ok();
  };
  setting.get = [member](const ServerConfig& config) {
    if constexpr (std::is_same_v<T, std::string>) {
      return config.enrich.*member;
    } else {
      std::ostringstream out;
      out << config.enrich.*member;
      return out.str();
    }
  };
  return setting;
}

ConfigSetting AllowedPathsSetting() {
  ConfigSetting setting{"allow-path", "Directory /documents may read files from by path (comma-separated list)",
                        false, {}, {}};
  setting.set = [](ServerConfig& config, const std::string& text) {
    config.allowed_paths.clear();
    std::stringstream in(text);
    std::string item;
    while (std::getline(in, item, ',')) {
      if (!item.empty()) config.allowed_paths.push_back(item);
    }
    return Status::Ok();
  };
  setting.get = [](const ServerConfig& config) {
    std::string out;
    for (const std::string& path : config.allowed_paths) out += (out.empty() ? "" : ",") + path;
    return out;
  };
  return setting;
}

std::vector<ConfigSetting> MakeSettings() {
  using C = ServerConfig;
  using E = IngestEnrichOptions;
  return {
      TextSetting("db", "Store location: a SQLite file", &C::db),
      TextSetting("host", "Address to bind (default 127.0.0.1; 0.0.0.0 when --api-key is set)", &C::host),
      IntSetting("port", "TCP port (0: any free port)", &C::port, 0, 65535),
      TextSetting("api-key", "Bearer token required by every endpoint except /health", &C::api_key, true),
      IntSetting("http-threads", "Requests handled at once", &C::http_threads, 1, 4096),
      IntSetting("max-body-bytes", "Largest request body (413 past it)", &C::max_body_bytes, 1024, int64_t{1} << 40),
      IntSetting("max-chunks-per-request", "Most chunks in one /ingest (413 past it)", &C::max_chunks_per_request, 1,
                 1 << 20),
      IntSetting("max-chunk-bytes", "Longest chunk text (a per-chunk error past it)", &C::max_chunk_bytes, 1,
                 int64_t{1} << 32),
      IntSetting("max-pending-chunks", "Chunks accepted and not yet stored (503 past it)", &C::max_pending_chunks, 1,
                 1 << 24),
      IntSetting("max-queued-jobs", "/documents jobs waiting (503 past it)", &C::max_queued_jobs, 1, 1 << 20),
      IntSetting("max-connections", "Connections open at once (more are answered 503 and closed)", &C::max_connections,
                 1, 1 << 20),
      IntSetting("header-timeout", "Seconds to receive a request's headers (and to wait for the next on an idle connection)",
                 &C::header_timeout_seconds, 1, 3600),
      IntSetting("read-timeout", "Seconds to receive a request body", &C::read_timeout_seconds, 1, 3600),
      IntSetting("write-timeout", "Seconds to send a response", &C::write_timeout_seconds, 1, 3600),
      IntSetting("retry-after", "Seconds a 503 asks the client to wait", &C::retry_after_seconds, 1, 3600),
      TextSetting("upload-dir", "Where uploaded documents are kept (default <db>.uploads)", &C::upload_dir),
      AllowedPathsSetting(),
      IntSetting("job-workers", "Ingest workers per /documents job (0: all cores)", &C::job_workers, 0, 1024),
      TextSetting("embed-model", "Sentence-transformers model folder for vectors and /v1/embeddings", &C::embed_model),
      TextSetting("embed-precision", "fp32, bf16 or int8 for the embed-model's linear layers", &C::embed_precision),
      TextSetting("embed-url", "Remote embedding server (OpenAI-compatible /v1 or Ollama)", &C::embed_url),
      TextSetting("embed-remote-model", "Model name on the remote embedding server", &C::embed_remote_model),
      TextSetting("embed-api-key", "Bearer token of the remote embedding server", &C::embed_api_key, true),
      EnrichSetting("llm", "LLM server base URL for tags and entities, and for POST /extract; none: the heuristic tagger",
                    &E::llm_url),
      EnrichSetting("llm-model", "Model name on the LLM server", &E::llm_model),
      EnrichSetting("llm-protocol", "auto, ollama, ollama-generate or openai", &E::llm_protocol),
      EnrichSetting("llm-api-key", "Bearer token of the LLM server", &E::llm_api_key, true),
      EnrichSetting("llm-concurrency", "Most LLM requests in flight at once", &E::llm_concurrency),
      EnrichSetting("llm-batch", "Chunks per LLM request", &E::llm_batch),
      EnrichSetting("llm-timeout", "Seconds per LLM request attempt", &E::llm_timeout_seconds),
      EnrichSetting("llm-retries", "Retries per LLM request", &E::llm_retries),
  };
}

const ConfigSetting* FindSetting(std::string name) {
  for (char& c : name) c = c == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const ConfigSetting& setting : ServerSettings()) {
    if (setting.name == name) return &setting;
  }
  return nullptr;
}

}  // namespace

std::string ConfigSetting::EnvName() const {
  std::string env = "DOCPIPE_";
  for (char c : name) env += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return env;
}

const std::vector<ConfigSetting>& ServerSettings() {
  static const std::vector<ConfigSetting> settings = MakeSettings();
  return settings;
}

Status ApplyConfigFile(const std::string& path, ServerConfig& config) {
  std::ifstream in(path);
  if (!in) return Status::NotFound("config file " + path + " cannot be read");
  Json json = Json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return Status::InvalidArgument(path + ": not valid JSON");
  if (!json.is_object()) return Status::InvalidArgument(path + ": expected a JSON object of settings");
  for (const auto& [key, value] : json.items()) {
    const ConfigSetting* setting = FindSetting(key);
    if (setting == nullptr) return Status::InvalidArgument(path + ": unknown setting \"" + key + "\"");
    std::string text;
    if (value.is_string()) {
      text = value.get<std::string>();
    } else if (value.is_number_integer() || value.is_number_float()) {
      text = value.dump();
    } else if (value.is_array() && setting->name == "allow-path") {
      for (const Json& item : value) {
        if (!item.is_string()) return Status::InvalidArgument(path + ": " + key + ": expected a list of strings");
        text += (text.empty() ? "" : ",") + item.get<std::string>();
      }
    } else {
      return Status::InvalidArgument(path + ": " + key + ": expected a string or a number");
    }
    DOCPIPE_RETURN_IF_ERROR(setting->set(config, text).WithContext(path));
  }
  return Status::Ok();
}

Status ApplyEnvironment(ServerConfig& config, const std::function<const char*(const std::string&)>& lookup) {
  for (const ConfigSetting& setting : ServerSettings()) {
    const char* value = lookup(setting.EnvName());
    if (value != nullptr) DOCPIPE_RETURN_IF_ERROR(setting.set(config, value).WithContext(setting.EnvName()));
  }
  return Status::Ok();
}

Status ApplySettings(const std::map<std::string, std::string>& values, ServerConfig& config) {
  for (const auto& [name, value] : values) {
    const ConfigSetting* setting = FindSetting(name);
    if (setting == nullptr) return Status::InvalidArgument("unknown setting \"" + name + "\"");
    DOCPIPE_RETURN_IF_ERROR(setting->set(config, value));
  }
  return Status::Ok();
}

Status FinishConfig(ServerConfig& config) {
  if (config.db.empty()) return Status::InvalidArgument("db: a store location is required");
  if (config.host.empty()) config.host = config.api_key.empty() ? "127.0.0.1" : "0.0.0.0";
  if (config.upload_dir.empty()) {
    // Beside a SQLite file; a server database has no "beside", so the working directory.
    config.upload_dir = IsServerDatabase(config.db) ? std::string("docpipe-uploads") : config.db + ".uploads";
  }
  if (!config.embed_model.empty() && !config.embed_url.empty()) {
    return Status::InvalidArgument("embed-model and embed-url: give one embedder, not both");
  }
  if (config.enrich.llm_concurrency < 1) return Status::InvalidArgument("llm-concurrency: must be at least 1");
  if (config.enrich.llm_batch < 1) return Status::InvalidArgument("llm-batch: must be at least 1");
  return Status::Ok();
}

std::string DescribeConfig(const ServerConfig& config) {
  std::string out;
  for (const ConfigSetting& setting : ServerSettings()) {
    std::string value = setting.get(config);
    value = setting.secret ? (value.empty() ? "(none)" : "****") : RedactCredentials(value);
    out += setting.name + " = " + value + "\n";
  }
  return out;
}

}  // namespace docpipe
