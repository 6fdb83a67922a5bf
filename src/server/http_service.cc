#include "server/http_service.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "core/sha256.h"
#include "core/stopwatch.h"
#include "docpipe/search.h"
#include "docpipe/chunker.h"
#include "docpipe/extraction_records.h"
#include "server/allowed_path.h"
#include "server/document_jobs.h"
#include "server/earlier_job_file.h"
#include "server/extract_api.h"
#include "server/job_api.h"
#include "server/request_json.h"

namespace docpipe::server {
namespace {

using Json = nlohmann::json;
namespace fs = std::filesystem;

// Longest file name kept for an upload, well under every file system's 255.
constexpr size_t kMaxUploadName = 120;

// The extension a file of this content gets when its name has none to give.
std::string ExtensionFromContent(const std::string& content) {
  return content.rfind("%PDF-", 0) == 0 ? ".pdf" : "";
}

// A file name safe to keep in the upload folder: its last path part, with
// anything but letters, digits, '.', '-' and '_' replaced, shortened to
// kMaxUploadName keeping the extension, and never "", "." or "..".
std::string SafeFileName(const std::string& name, const std::string& content) {
  std::string base = fs::path(name).filename().string();
  for (char& c : base) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_') c = '_';
  }
  if (base.find_first_not_of('.') == std::string::npos) base = "upload" + ExtensionFromContent(content);
  if (base.size() > kMaxUploadName) {
    std::string extension = fs::path(base).extension().string();
    if (extension.size() > 16) extension.clear();
    base = base.substr(0, kMaxUploadName - extension.size()) + extension;
  }
  return base;
}


}  // namespace

Reply JsonReply(const Json& body, int status) {
  return {status, body.dump(-1, ' ', false, Json::error_handler_t::replace), "application/json", 0};
}

Reply ErrorReply(const Status& status, int retry_after_seconds) {
  Reply reply{500, ErrorBody(status), "application/json", 0};
  switch (status.code()) {
    case StatusCode::kInvalidArgument: reply.status = 400; break;
    case StatusCode::kNotFound: reply.status = 404; break;
    case StatusCode::kPermissionDenied: reply.status = 403; break;
    case StatusCode::kResourceExhausted: reply.status = 413; break;
    case StatusCode::kUnsupported: reply.status = 400; break;
    case StatusCode::kUnavailable:
    case StatusCode::kCancelled:
      reply.status = 503;
      reply.retry_after_seconds = retry_after_seconds;
      break;
    case StatusCode::kTimeout: reply.status = 504; break;
    default: break;
  }
  return reply;
}

Result<std::unique_ptr<HttpService>> HttpService::Make(const ServerConfig& config) {
  auto service = std::unique_ptr<HttpService>(new HttpService(config));
  HttpService& s = *service;
  Result<std::unique_ptr<Store>> store = Store::Open(config.db);
  if (!store.ok()) return store.status().WithContext("db " + Store::DisplayLocation(config.db));
  s.store_ = std::move(store).value();
  DOCPIPE_RETURN_IF_ERROR(ImportEarlierJobFile(config, *s.store_));
  DOCPIPE_ASSIGN_OR_RETURN(s.vectors_, VectorStage::Make(config));
  DOCPIPE_ASSIGN_OR_RETURN(s.writing_, Store::Open(config.db));
  DOCPIPE_ASSIGN_OR_RETURN(s.sink_, pipeline::StoreSink::Make(*s.writing_));
  DOCPIPE_ASSIGN_OR_RETURN(s.ingest_, ChunkIngest::Make(config, *s.store_, *s.sink_, *s.vectors_, s.metrics_));
  IngestOptions job_options;
  job_options.workers = config.job_workers;
  job_options.enrich = config.enrich;
  job_options.embedder = s.vectors_->embedder();
  DOCPIPE_ASSIGN_OR_RETURN(
      s.jobs_, JobRunner::Make(config, "document", "jobs",
                               std::make_unique<DocumentJobWork>(config, job_options, s.metrics_, *s.sink_)));
  auto extract_work = std::make_unique<ExtractJobWork>(config);
  s.extract_work_ = extract_work.get();
  DOCPIPE_ASSIGN_OR_RETURN(s.extract_jobs_,
                           JobRunner::Make(config, "extract", "extraction jobs", std::move(extract_work)));
  if (s.vectors_->enabled()) {
    s.index_cache_ = std::make_unique<SearchIndexCache>(*s.store_, DefaultIndexDirectory(config.db));
  }
  return service;
}

HttpService::~HttpService() { Stop(); }

void HttpService::Stop() {
  // The running job stops first (its documents go through the sink); then the
  // sink writes everything accepted and stops.
  if (jobs_) jobs_->Stop();
  if (extract_jobs_) extract_jobs_->Stop();
  if (sink_) sink_->Stop();
}

Reply HttpService::Ingest(const std::string& body) {
  Result<IngestRequest> request = ParseIngestRequest(body, config_.max_chunks_per_request);
  if (!request.ok()) return ErrorReply(request.status(), config_.retry_after_seconds);
  Result<Json> response = ingest_->Ingest(*request);
  if (!response.ok()) return ErrorReply(response.status(), config_.retry_after_seconds);
  return JsonReply(*response);
}

Reply HttpService::DocumentByPath(const std::string& body) {
  Result<std::string> path = ParseDocumentPathRequest(body);
  if (!path.ok()) return ErrorReply(path.status(), config_.retry_after_seconds);
  if (config_.allowed_paths.empty()) {
    return ErrorReply(Status::PermissionDenied("path: this server reads no server-side paths (see --allow-path); "
                                               "upload the file as multipart field \"file\" instead"),
                      0);
  }
  // The job reads the real path, and checks it again before reading.
  Result<std::string> real = ResolveAllowedFile(*path, config_.allowed_paths);
  if (!real.ok()) return ErrorReply(real.status(), 0);
  Result<int64_t> id = jobs_->Submit(DocumentJobWork::Request("path", *real));
  if (!id.ok()) return ErrorReply(id.status(), config_.retry_after_seconds);
  return JsonReply({{"job_id", std::to_string(*id)}, {"state", "queued"}}, 202);
}

Reply HttpService::DocumentUpload(const std::string& filename, const std::string& content) {
  if (content.empty()) return ErrorReply(Status::InvalidArgument("file: the uploaded file is empty"), 0);
  // Named by content so a re-upload of the same file lands on the same path,
  // which ingest then recognises and skips.
  const std::string dir = config_.upload_dir + "/" + Sha256Hex(content).substr(0, 16);
  const std::string path = dir + "/" + SafeFileName(filename, content);
  std::error_code error;
  fs::create_directories(dir, error);
  bool kept = !error;
  if (kept) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    kept = static_cast<bool>(out);
  }
  if (!kept) {
    // Nothing half-made stays behind, and the reply does not show server paths.
    fs::remove(path, error);
    fs::remove(dir, error);
    return ErrorReply(Status::IoError("file: the server could not keep the upload"), 0);
  }
  Result<int64_t> id = jobs_->Submit(DocumentJobWork::Request("upload", path));
  if (!id.ok()) return ErrorReply(id.status(), config_.retry_after_seconds);
  return JsonReply({{"job_id", std::to_string(*id)}, {"state", "queued"}}, 202);
}

Reply HttpService::Job(const std::string& id_text) { return GetJob(*jobs_, id_text, "job"); }

Reply HttpService::CancelJob(const std::string& id_text) { return server::CancelJob(*jobs_, id_text, "job"); }

Reply HttpService::SubmitExtract(const std::string& body) {
  Result<std::unique_ptr<Store>> reader = TakeReader();
  if (!reader.ok()) return ErrorReply(reader.status(), config_.retry_after_seconds);
  Reply reply = SubmitExtractJob(*extract_jobs_, *extract_work_, **reader, body, config_.retry_after_seconds);
  ReturnReader(std::move(reader).value());
  return reply;
}

Result<std::unique_ptr<Store>> HttpService::TakeReader() {
  {
    MutexLock lock(readers_mutex_);
    if (!readers_.empty()) {
      std::unique_ptr<Store> reader = std::move(readers_.back());
      readers_.pop_back();
      return reader;
    }
  }
  return store_->OpenReader();
}

void HttpService::ReturnReader(std::unique_ptr<Store> reader) {
  MutexLock lock(readers_mutex_);
  readers_.push_back(std::move(reader));
}

std::vector<std::string> HttpService::SearchModes() const {
  if (vectors_->enabled()) return {"lexical", "vector", "hybrid"};
  return {"lexical"};
}

Result<std::vector<SearchHit>> HttpService::RunSearch(Store& reader, const SearchRequest& request) {
  QueryOptions options;
  DOCPIPE_ASSIGN_OR_RETURN(options.mode, ParseSearchMode(request.mode));
  options.search.k = request.k;
  options.search.filter.has_table = request.has_table;
  Stopwatch watch;
  std::shared_ptr<const VectorIndex> index;
  if (index_cache_ && options.mode != SearchMode::kLexical) {
    index = index_cache_->Current(reader, vectors_->embedder()->Identity().Key());
  }
  Result<std::vector<RankedHit>> ranked =
      SearchChunks(reader, request.query, vectors_->embedder().get(), options, index.get());
  metrics_.ObserveStage("search_" + request.mode, 1, watch.Seconds());
  // A store with no vectors of this model yet has nothing to find by vector, which is not an error.
  if (!ranked.ok() && ranked.status().code() == StatusCode::kNotFound) return std::vector<SearchHit>();
  if (!ranked.ok()) return ranked.status();
  std::vector<SearchHit> hits;
  for (RankedHit& hit : *ranked) hits.push_back(std::move(hit.hit));
  return hits;
}

Reply HttpService::Search(const std::string& body) {
  Result<SearchRequest> request = ParseSearchRequest(body);
  if (!request.ok()) return ErrorReply(request.status(), 0);
  std::vector<std::string> modes = SearchModes();
  if (std::find(modes.begin(), modes.end(), request->mode) == modes.end()) {
    std::string list;
    for (const std::string& mode : modes) list += (list.empty() ? "" : ", ") + mode;
    return ErrorReply(Status::InvalidArgument("mode: \"" + request->mode +
                                              "\" is not available on this server (available: " + list + ")"),
                      0);
  }
  Stopwatch watch;
  Result<std::unique_ptr<Store>> reader = TakeReader();
  if (!reader.ok()) return ErrorReply(reader.status(), config_.retry_after_seconds);
  Result<std::vector<SearchHit>> hits = RunSearch(**reader, *request);
  Result<std::map<int64_t, std::string>> records = std::map<int64_t, std::string>();
  if (hits.ok() && request->with_records) {
    std::vector<int64_t> documents;
    for (const SearchHit& hit : *hits) documents.push_back(hit.document_id);
    records = ExtractionRecordsOf(**reader, documents);
  }
  ReturnReader(std::move(reader).value());
  if (!hits.ok()) return ErrorReply(hits.status(), 0);
  if (!records.ok()) return ErrorReply(records.status(), 0);
  Json results = Json::array();
  for (const SearchHit& hit : *hits) {
    results.push_back(Json::parse(SearchHitJson(hit)));
    if (request->with_records) results.back()["records"] = Json::parse((*records)[hit.document_id]);
  }
  return JsonReply({{"mode", request->mode}, {"hits", std::move(results)}, {"took_seconds", watch.Seconds()}});
}

Reply HttpService::DocumentRecords(int64_t document_id) {
  Result<std::unique_ptr<Store>> reader = TakeReader();
  if (!reader.ok()) return ErrorReply(reader.status(), config_.retry_after_seconds);
  Result<std::vector<StoredExtraction>> records = (*reader)->ExtractionsOf(document_id);
  ReturnReader(std::move(reader).value());
  if (!records.ok()) return ErrorReply(records.status(), 0);
  return JsonReply({{"document_id", document_id}, {"records", Json::parse(ExtractionRecordsJson(*records))}});
}

}  // namespace docpipe::server
