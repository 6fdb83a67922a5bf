// Extractor: one structured record per document, from an LLM, following the
// user's JSON Schema (`docpipe extract`).
//
// A document whose chunks fit the context budget goes to the model in one
// request with structured output (OpenAI `response_format` json_schema,
// Ollama `format`). A longer one is cut into groups of whole chunks in reading
// order; each group is asked with the schema's `required` lists relaxed (a
// part of a paper need not hold every field, and the model must not invent
// one), and the partial records are merged: arrays concatenated without
// duplicates, scalars from the first group that gives one, objects member by
// member. The merged record is validated against the full schema.
//
// Every answer is validated; an invalid one gets one repair request that shows
// the model its answer and the validation error. When that fails too, or the
// client gives up (retries spent, breaker open), the document's result is
// kFailed with the reason: never dropped, never invented. Validated answers go
// to the cache, keyed by (model, schema hash, prompt version, hash of the text
// sent), so a re-run sends nothing for unchanged documents, and a run killed
// half-way resumes where it was (see OpenExtractionCacheFile).
//
// Evidence: for each leaf value, the chunks of the answering group whose text
// contains it (case-insensitive), with their pages. A value found in no chunk
// has no evidence entry, which is itself a signal for a reviewer.
//
// Threading contract: Extract() may be called from any thread and returns at
// once; `done` runs exactly once per call, on the calling thread (everything
// cached) or on the LLM client's I/O thread, and must be short. stats() is
// safe at any time. Destroy the Extractor only after every `done` has run.
#pragma once

#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "docpipe/llm_client.h"
#include "docpipe/status.h"

namespace docpipe {

// Changes whenever the prompt text or the merge rules change, so cached answers are not reused across them.
inline constexpr std::string_view kExtractionPromptVersion = "extract-v1";

// A user's schema, checked against the supported subset (docs/extract.md):
// type object/array/string/number/integer/boolean, properties, required,
// items, enum, description, title, additionalProperties (boolean), minimum,
// maximum, minItems, maxItems, minLength, maxLength. The top level is an object.
// A top-level property may carry "x-merge": "llm" (see ExtractorOptions::merge_llm);
// the mark is never sent to the model.
struct ExtractionSchema {
  std::string json;    // canonical text (keys sorted, no spaces)
  std::string sha256;  // of `json`
};

// kInvalidArgument naming the offending keyword and its JSON pointer, for
// text that is not JSON, or a schema outside the subset.
Result<ExtractionSchema> ParseExtractionSchema(std::string_view text);

// OK when `record_json` is an instance of the schema; else kInvalidArgument
// "at /authors/2: expected string".
Status ValidateRecord(const ExtractionSchema& schema, std::string_view record_json);

struct ExtractionChunk {
  int64_t id = 0;  // the chunk's ordinal in a file, or its store id
  std::string text;
  int page_start = 0, page_end = 0;  // 1-based, inclusive
};

struct ExtractionDocument {
  std::vector<ExtractionChunk> chunks;  // in reading order
};

enum class ExtractionStatus { kOk, kFailed };
std::string_view ExtractionStatusName(ExtractionStatus status);  // "ok", "failed"

struct ExtractionResult {
  ExtractionStatus status = ExtractionStatus::kFailed;
  std::string record_json = "null";  // the record when kOk
  // {"/title": [{"chunk": 3, "pages": [1, 1]}], ...}; "{}" without evidence.
  std::string evidence_json = "{}";
  std::string failure;  // why, when kFailed
  int groups = 0;       // requests' worth of text the document was cut into
  int requests = 0;     // sent for this document (repairs included)
  int cache_hits = 0;   // groups answered from the cache
  int64_t tokens_in = 0, tokens_out = 0;  // from the server's usage fields
};

struct ExtractionCacheKey {
  std::string model;
  std::string schema_sha256;
  std::string prompt_version;
  std::string content_sha256;  // of the text sent
};

// Validated answers by key. Implementations allow Get() and Put() from any
// thread; Put() runs on the LLM client's I/O thread and must be quick.
class ExtractionCache {
 public:
  virtual ~ExtractionCache() = default;
  virtual std::optional<std::string> Get(const ExtractionCacheKey& key) = 0;
  virtual void Put(const ExtractionCacheKey& key, const std::string& answer_json) = 0;
};

// A cache in an append-only JSONL file, loaded at open. Each Put() is one
// line, written and flushed before it returns, so a run killed with kill -9
// keeps every answer it had; a torn last line is ignored on the next open.
Result<std::unique_ptr<ExtractionCache>> OpenExtractionCacheFile(const std::string& path);

struct ExtractorOptions {
  ExtractionSchema schema;
  LlmClient* client = nullptr;         // not owned; required
  ExtractionCache* cache = nullptr;    // not owned; may be null
  int context_tokens = 8192;           // the model's context; a document's text gets 3/4 minus the schema
  bool evidence = false;               // compute ExtractionResult::evidence_json
  // `--merge llm`: a top-level field the schema marks "x-merge": "llm" that
  // more than one part of a long document gave a value for gets one more
  // request, which combines those values (validated, repaired once; a failure
  // fails the document). Without it, marked fields merge by the rules above.
  bool merge_llm = false;
  std::string instructions;            // extra text for the system prompt (optional)
};

struct ExtractorStats {
  int64_t documents = 0;
  int64_t succeeded = 0;
  int64_t failed = 0;
  int64_t requests = 0;          // sent (repairs included)
  int64_t repairs = 0;
  int64_t invalid_answers = 0;   // not JSON, or not an instance of the schema
  int64_t request_failures = 0;  // requests the client gave up on
  int64_t cache_hits = 0;        // groups
  int64_t tokens_in = 0, tokens_out = 0;
};

using ExtractionCallback = std::function<void(ExtractionResult)>;

class Extractor {
 public:
  static Result<std::unique_ptr<Extractor>> Make(const ExtractorOptions& options);
  virtual ~Extractor() = default;

  virtual void Extract(ExtractionDocument document, ExtractionCallback done) = 0;
  std::future<ExtractionResult> Extract(ExtractionDocument document);

  virtual ExtractorStats stats() const = 0;
};

}  // namespace docpipe
