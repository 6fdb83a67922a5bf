// The Extractor (docpipe/extract.h). One DocumentJob per Extract() call holds
// the document's groups and their answers; group callbacks run on the LLM
// client's I/O thread and meet in the job under its mutex. The last group to
// finish assembles the result and calls `done`.
#include <atomic>
#include <nlohmann/json.hpp>

#include "core/mutex.h"
#include "core/sha256.h"
#include "docpipe/extract.h"
#include "llm/extract_merge.h"
#include "llm/json_schema.h"
#include "pipeline/extraction_groups.h"

namespace docpipe {
namespace {

using llm_internal::AddEvidence;
using llm_internal::MergeRecord;
using llm_internal::ValidateJson;
using nlohmann::json;

constexpr std::string_view kTextMarker = "Document text:\n";
constexpr std::string_view kPartValuesMarker = "Part values:\n";

// A field's values from the parts of a long document ("", null, [] and {} give nothing).
// The model's invalid answer and the validation error, for its one chance to repair it.
void AddRepairTurn(std::vector<LlmMessage>& messages, std::string bad_answer, const std::string& error) {
  messages.push_back({"assistant", std::move(bad_answer)});
  messages.push_back({"user", "That answer is invalid: " + error +
                                  ". Answer again with one JSON object that follows the schema."});
}

bool GivesSomething(const json& value) {
  return !(value.is_null() || (value.is_string() && value.get_ref<const std::string&>().empty()) ||
           ((value.is_array() || value.is_object()) && value.empty()));
}

// One "field: value" line per value (per element of an array), strings as they are, others as JSON.
std::string ValueLines(const std::string& field, const std::vector<json>& values) {
  std::string out;
  auto line = [&](const json& value) {
    out += field + ": " + (value.is_string() ? value.get<std::string>() : value.dump()) + "\n";
  };
  for (const json& value : values) {
    if (value.is_array()) {
      for (const json& element : value) line(element);
    } else {
      line(value);
    }
  }
  return out;
}

struct GroupState {
  std::vector<const ExtractionChunk*> chunks;
  std::string text;
  ExtractionCacheKey key;
  json answer;          // the validated answer
  std::string failure;  // why it has none
};

// One LLM reduce of a marked field's part values (`--merge llm`).
struct ReduceState {
  std::string field;
  std::string values_text;  // the "field: value" lines the model is shown
  json schema;              // {"type": "object", "properties": {field: ...}, "required": [field]}
  ExtractionCacheKey key;
  json answer;  // the validated {field: value}
  std::string failure;
};

struct DocumentJob {
  ExtractionDocument document;
  ExtractionCallback done;
  std::vector<GroupState> groups;
  json record;                       // the rule-merged record, while reduces run
  std::vector<ReduceState> reduces;  // written before they are asked; each slot by its own callback
  Mutex mutex;
  ExtractionResult result DOCPIPE_GUARDED_BY(mutex);  // counters
  int pending DOCPIPE_GUARDED_BY(mutex) = 0;          // groups, then reduces, not yet answered
};

class RecordExtractor final : public Extractor {
 public:
  explicit RecordExtractor(const ExtractorOptions& options)
      : options_(options),
        schema_(llm_internal::WithoutMergeMarks(json::parse(options.schema.json))),
        part_schema_(llm_internal::WithoutRequired(schema_)),
        schema_text_(schema_.dump(2)),
        part_schema_json_(part_schema_.dump()),
        schema_json_(schema_.dump() == options.schema.json ? options.schema.json : schema_.dump()),
        marked_(options.merge_llm ? llm_internal::MergeMarkedFields(json::parse(options.schema.json))
                                  : std::vector<std::string>()),
        budget_(pipeline::ExtractionTextBudget(options.context_tokens, schema_text_)) {}

  void Extract(ExtractionDocument document, ExtractionCallback done) override;
  ExtractorStats stats() const override {
    MutexLock lock(stats_mutex_);
    return stats_;
  }

 private:
  void Ask(const std::shared_ptr<DocumentJob>& job, size_t index, bool repair, std::string bad_answer,
           std::string error);
  void OnAnswer(const std::shared_ptr<DocumentJob>& job, size_t index, bool repaired,
                Result<LlmResponse> reply);
  void GroupDone(const std::shared_ptr<DocumentJob>& job);
  void Finish(const std::shared_ptr<DocumentJob>& job);
  // --merge llm: the marked fields more than one part gave a value for, each asked to be combined.
  bool StartReduces(const std::shared_ptr<DocumentJob>& job);
  void AskReduce(const std::shared_ptr<DocumentJob>& job, size_t index, bool repair, std::string bad_answer,
                 std::string error);
  void OnReduce(const std::shared_ptr<DocumentJob>& job, size_t index, bool repaired,
                Result<LlmResponse> reply);
  void ReduceDone(const std::shared_ptr<DocumentJob>& job);
  void Complete(DocumentJob& job, Status status);
  std::vector<LlmMessage> Messages(const DocumentJob& job, size_t index) const;
  // Counts one request to the server (a repair among them) for the job and the extractor.
  void CountRequest(DocumentJob& job, bool repair);
  // Counts the answer's tokens, then parses it into `answer` and checks it against `schema`.
  Status TakeAnswer(DocumentJob& job, const LlmResponse& reply, const json& schema, json& answer);
  const json& GroupSchema(const DocumentJob& job) const {
    return job.groups.size() > 1 ? part_schema_ : schema_;
  }
  template <typename F>
  void Count(F f) {
    MutexLock lock(stats_mutex_);
    f(stats_);
  }

  const ExtractorOptions options_;
  const json schema_;
  const json part_schema_;
  const std::string schema_text_;
  const std::string part_schema_json_;
  const std::string schema_json_;          // sent as the structured-output schema (merge marks removed)
  const std::vector<std::string> marked_;  // fields to reduce with the LLM; empty without --merge llm
  const int budget_;
  mutable Mutex stats_mutex_;
  ExtractorStats stats_ DOCPIPE_GUARDED_BY(stats_mutex_);
};

void RecordExtractor::CountRequest(DocumentJob& job, bool repair) {
  {
    MutexLock lock(job.mutex);
    ++job.result.requests;
  }
  Count([repair](ExtractorStats& s) {
    ++s.requests;
    s.repairs += repair;
  });
}

Status RecordExtractor::TakeAnswer(DocumentJob& job, const LlmResponse& reply, const json& schema,
                                   json& answer) {
  {
    MutexLock lock(job.mutex);
    job.result.tokens_in += reply.prompt_tokens;
    job.result.tokens_out += reply.completion_tokens;
  }
  Count([&](ExtractorStats& s) {
    s.tokens_in += reply.prompt_tokens;
    s.tokens_out += reply.completion_tokens;
  });
  answer = json::parse(reply.content, nullptr, /*allow_exceptions=*/false);
  Status valid = answer.is_discarded() ? Status::InvalidArgument("the answer is not JSON")
                                       : ValidateJson(answer, schema);
  if (!valid.ok()) Count([](ExtractorStats& s) { ++s.invalid_answers; });
  return valid;
}

void RecordExtractor::Extract(ExtractionDocument document, ExtractionCallback done) {
  auto job = std::make_shared<DocumentJob>();
  job->document = std::move(document);
  job->done = std::move(done);
  Count([](ExtractorStats& s) { ++s.documents; });
  for (auto& members : pipeline::GroupChunks(job->document.chunks, budget_)) {
    GroupState group;
    group.chunks = std::move(members);
    for (const ExtractionChunk* chunk : group.chunks) {
      if (!group.text.empty()) group.text += "\n\n";
      group.text += chunk->text;
    }
    group.key = {options_.client->options().model, options_.schema.sha256,
                 std::string(kExtractionPromptVersion), Sha256Hex(group.text)};
    job->groups.push_back(std::move(group));
  }
  {
    // Uncontended (nothing is asked yet); taken so the lock rule holds without exceptions.
    MutexLock lock(job->mutex);
    job->result.groups = static_cast<int>(job->groups.size());
    job->pending = static_cast<int>(job->groups.size());
  }
  if (job->groups.empty()) {
    Finish(job);
    return;
  }
  std::vector<size_t> to_ask;
  for (size_t i = 0; i < job->groups.size(); ++i) {
    GroupState& group = job->groups[i];
    std::optional<std::string> cached = options_.cache ? options_.cache->Get(group.key) : std::nullopt;
    json answer = cached ? json::parse(*cached, nullptr, false) : json();
    if (cached && !answer.is_discarded() && ValidateJson(answer, GroupSchema(*job)).ok()) {
      group.answer = std::move(answer);
      {
        MutexLock lock(job->mutex);
        ++job->result.cache_hits;
      }
      Count([](ExtractorStats& s) { ++s.cache_hits; });
    } else {
      to_ask.push_back(i);
    }
  }
  size_t answered = job->groups.size() - to_ask.size();
  bool all_cached = false;
  {
    MutexLock lock(job->mutex);
    job->pending -= static_cast<int>(answered);
    all_cached = job->pending == 0;
  }
  if (all_cached) {
    Finish(job);
    return;
  }
  for (size_t index : to_ask) Ask(job, index, false, {}, {});
}

std::vector<LlmMessage> RecordExtractor::Messages(const DocumentJob& job, size_t index) const {
  std::string system =
      "You extract one structured record from a document. Answer with a single JSON object that follows this "
      "JSON "
      "schema, and nothing else. Use only what the text says: leave out a field the text does not give; "
      "never "
      "guess.\nSchema:\n" +
      (job.groups.size() > 1 ? part_schema_.dump(2) : schema_text_);
  if (job.groups.size() > 1) {
    system += "\nThe text is part " + std::to_string(index + 1) + " of " + std::to_string(job.groups.size()) +
              " of the document, in reading order; give the fields this part supports.";
  }
  if (!options_.instructions.empty()) system += "\n" + options_.instructions;
  return {{"system", system}, {"user", std::string(kTextMarker) + job.groups[index].text}};
}

void RecordExtractor::Ask(const std::shared_ptr<DocumentJob>& job, size_t index, bool repair,
                          std::string bad_answer, std::string error) {
  LlmRequest request;
  request.messages = Messages(*job, index);
  if (repair) AddRepairTurn(request.messages, std::move(bad_answer), error);
  request.schema_json = job->groups.size() > 1 ? part_schema_json_ : schema_json_;
  request.schema_name = "record";
  CountRequest(*job, repair);
  options_.client->Submit(std::move(request), [this, job, index, repair](Result<LlmResponse> reply) {
    OnAnswer(job, index, repair, std::move(reply));
  });
}

void RecordExtractor::OnAnswer(const std::shared_ptr<DocumentJob>& job, size_t index, bool repaired,
                               Result<LlmResponse> reply) {
  GroupState& group = job->groups[index];
  if (!reply.ok()) {
    Count([](ExtractorStats& s) { ++s.request_failures; });
    group.failure = reply.status().ToString();
    GroupDone(job);
    return;
  }
  json answer;
  const Status valid = TakeAnswer(*job, *reply, GroupSchema(*job), answer);
  if (!valid.ok()) {
    if (!repaired) {
      Ask(job, index, true, reply->content, valid.message());
      return;
    }
    group.failure = "invalid answer after one repair: " + valid.message();
    GroupDone(job);
    return;
  }
  if (options_.cache) options_.cache->Put(group.key, answer.dump());
  group.answer = std::move(answer);
  GroupDone(job);
}

void RecordExtractor::GroupDone(const std::shared_ptr<DocumentJob>& job) {
  {
    MutexLock lock(job->mutex);
    if (--job->pending > 0) return;
  }
  Finish(job);
}

// Runs once, after every group has an answer or a failure; no other thread touches the job then.
void RecordExtractor::Finish(const std::shared_ptr<DocumentJob>& job) {
  Status status = job->groups.empty() ? Status::InvalidArgument("the document has no text") : Status::Ok();
  for (size_t i = 0; i < job->groups.size() && status.ok(); ++i) {
    const GroupState& group = job->groups[i];
    if (!group.failure.empty()) {
      std::string where = job->groups.size() > 1 ? "part " + std::to_string(i + 1) + " of " +
                                                       std::to_string(job->groups.size()) + ": "
                                                 : "";
      status = Status::Unavailable(where + group.failure);
    } else {
      MergeRecord(job->record, group.answer);
    }
  }
  if (status.ok() && job->record.is_null()) job->record = json::object();
  if (status.ok() && StartReduces(job)) return;
  Complete(*job, status);
}

bool RecordExtractor::StartReduces(const std::shared_ptr<DocumentJob>& job) {
  if (marked_.empty() || job->groups.size() < 2) return false;
  for (const std::string& field : marked_) {
    std::vector<json> values;
    for (const GroupState& group : job->groups) {
      if (group.answer.contains(field) && GivesSomething(group.answer[field]))
        values.push_back(group.answer[field]);
    }
    if (values.size() < 2) continue;  // nothing to combine: the rule merge has the one value
    ReduceState reduce;
    reduce.field = field;
    reduce.values_text = ValueLines(field, values);
    reduce.schema = {{"type", "object"},
                     {"properties", {{field, schema_["properties"][field]}}},
                     {"required", {field}},
                     {"additionalProperties", false}};
    reduce.key = {options_.client->options().model, options_.schema.sha256,
                  std::string(kExtractionPromptVersion) + "+merge",
                  Sha256Hex(field + "\n" + reduce.values_text)};
    job->reduces.push_back(std::move(reduce));
  }
  if (job->reduces.empty()) return false;
  std::vector<size_t> to_ask;
  for (size_t i = 0; i < job->reduces.size(); ++i) {
    ReduceState& reduce = job->reduces[i];
    std::optional<std::string> cached = options_.cache ? options_.cache->Get(reduce.key) : std::nullopt;
    json answer = cached ? json::parse(*cached, nullptr, false) : json();
    if (cached && !answer.is_discarded() && ValidateJson(answer, reduce.schema).ok()) {
      reduce.answer = std::move(answer);
      {
        MutexLock lock(job->mutex);
        ++job->result.cache_hits;
      }
      Count([](ExtractorStats& s) { ++s.cache_hits; });
    } else {
      to_ask.push_back(i);
    }
  }
  if (to_ask.empty()) {
    ReduceDone(job);  // pending is 0: completes now
    return true;
  }
  {
    MutexLock lock(job->mutex);
    job->pending = static_cast<int>(to_ask.size());
  }
  for (size_t index : to_ask) AskReduce(job, index, false, {}, {});
  return true;
}

void RecordExtractor::AskReduce(const std::shared_ptr<DocumentJob>& job, size_t index, bool repair,
                                std::string bad_answer, std::string error) {
  const ReduceState& reduce = job->reduces[index];
  LlmRequest request;
  std::string system = "The parts of one document, read in order, gave these values for the field \"" +
                       reduce.field +
                       "\" of a record. Combine them into the one value for the whole document: keep what "
                       "they say, drop repeats, "
                       "add nothing. Answer with a single JSON object that follows this JSON schema, and "
                       "nothing else.\nSchema:\n" +
                       reduce.schema.dump(2);
  if (!options_.instructions.empty()) system += "\n" + options_.instructions;
  request.messages = {{"system", system}, {"user", std::string(kPartValuesMarker) + reduce.values_text}};
  if (repair) AddRepairTurn(request.messages, std::move(bad_answer), error);
  request.schema_json = reduce.schema.dump();
  request.schema_name = "merge";
  CountRequest(*job, repair);
  options_.client->Submit(std::move(request), [this, job, index, repair](Result<LlmResponse> reply) {
    OnReduce(job, index, repair, std::move(reply));
  });
}

void RecordExtractor::OnReduce(const std::shared_ptr<DocumentJob>& job, size_t index, bool repaired,
                               Result<LlmResponse> reply) {
  ReduceState& reduce = job->reduces[index];
  if (!reply.ok()) {
    Count([](ExtractorStats& s) { ++s.request_failures; });
    reduce.failure = reply.status().ToString();
    ReduceDone(job);
    return;
  }
  json answer;
  const Status valid = TakeAnswer(*job, *reply, reduce.schema, answer);
  if (!valid.ok()) {
    if (!repaired) {
      AskReduce(job, index, true, reply->content, valid.message());
      return;
    }
    reduce.failure = "invalid answer after one repair: " + valid.message();
    ReduceDone(job);
    return;
  }
  if (options_.cache) options_.cache->Put(reduce.key, answer.dump());
  reduce.answer = std::move(answer);
  ReduceDone(job);
}

void RecordExtractor::ReduceDone(const std::shared_ptr<DocumentJob>& job) {
  {
    MutexLock lock(job->mutex);
    if (job->pending > 0 && --job->pending > 0) return;
  }
  // Every reduce has its answer or failure; the combined values replace the rule-merged ones.
  Status status = Status::Ok();
  for (const ReduceState& reduce : job->reduces) {
    if (!reduce.failure.empty()) {
      status = Status::Unavailable("merging \"" + reduce.field + "\": " + reduce.failure);
      break;
    }
    job->record[reduce.field] = reduce.answer[reduce.field];
  }
  Complete(*job, status);
}

void RecordExtractor::Complete(DocumentJob& job, Status status) {
  ExtractionResult result;
  {
    MutexLock lock(job.mutex);
    result = job.result;
  }
  const json& record = job.record;
  if (status.ok()) {
    // A merged record may lack a required field no part gave: a failure, not an invention.
    Status valid = ValidateJson(record, schema_);
    if (!valid.ok()) status = Status::InvalidArgument("merged record: " + valid.message());
  }
  if (status.ok()) {
    result.status = ExtractionStatus::kOk;
    result.record_json = record.dump();
    if (options_.evidence) {
      std::vector<const ExtractionChunk*> chunks;
      for (const ExtractionChunk& chunk : job.document.chunks) chunks.push_back(&chunk);
      json evidence = json::object();
      AddEvidence(record, chunks, evidence);
      result.evidence_json = evidence.dump();
    }
  } else {
    result.status = ExtractionStatus::kFailed;
    result.failure = status.message();
  }
  Count([&](ExtractorStats& s) { ++(status.ok() ? s.succeeded : s.failed); });
  ExtractionCallback done = std::move(job.done);
  done(std::move(result));
}

}  // namespace

Result<std::unique_ptr<Extractor>> Extractor::Make(const ExtractorOptions& options) {
  if (options.client == nullptr) return Status::InvalidArgument("extract: an LLM client is required");
  if (options.context_tokens < 512)
    return Status::InvalidArgument("extract: --llm-context-tokens must be >= 512");
  if (options.schema.json.empty()) return Status::InvalidArgument("extract: a schema is required");
  DOCPIPE_RETURN_IF_ERROR(ParseExtractionSchema(options.schema.json).status());
  return std::unique_ptr<Extractor>(std::make_unique<RecordExtractor>(options));
}

std::future<ExtractionResult> Extractor::Extract(ExtractionDocument document) {
  auto promise = std::make_shared<std::promise<ExtractionResult>>();
  std::future<ExtractionResult> future = promise->get_future();
  Extract(std::move(document), [promise](ExtractionResult result) { promise->set_value(std::move(result)); });
  return future;
}

}  // namespace docpipe
