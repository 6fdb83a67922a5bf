// The schema subset `docpipe extract` accepts, and record validation paths.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "docpipe/extract.h"
#include "llm/extract_merge.h"

namespace docpipe {
namespace {

using nlohmann::json;

// Every supported keyword at least once.
const char* kFullSchema = R"({
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "title": "paper", "description": "A research paper",
  "type": "object", "additionalProperties": false,
  "required": ["title", "authors"],
  "properties": {
    "title": {"type": "string", "description": "The title", "minLength": 1, "maxLength": 300},
    "authors": {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 50},
    "year": {"type": "integer", "minimum": 1900, "maximum": 2100},
    "score": {"type": "number"},
    "peer_reviewed": {"type": "boolean"},
    "kind": {"type": "string", "enum": ["article", "preprint", "thesis"]},
    "venue": {"type": "object", "required": ["name"], "additionalProperties": true,
              "properties": {"name": {"type": "string"}, "city": {"type": "string"}}},
    "datasets": {"type": "array", "items": {"type": "object", "properties": {"name": {"type": "string"}}}}
  }})";

Status SchemaStatus(const std::string& text) { return ParseExtractionSchema(text).status(); }

TEST(ExtractSchemaTest, EverySupportedKeywordIsAccepted) {
  Result<ExtractionSchema> schema = ParseExtractionSchema(kFullSchema);
  ASSERT_TRUE(schema.ok()) << schema.status().ToString();
  EXPECT_EQ(schema->sha256.size(), 64u);
  // Key order and spacing do not change the hash.
  Result<ExtractionSchema> again = ParseExtractionSchema(json::parse(kFullSchema).dump(4));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->sha256, schema->sha256);
}

TEST(ExtractSchemaTest, UnsupportedKeywordIsNamedWithItsPath) {
  Status status =
      SchemaStatus(R"({"type": "object", "properties": {"doi": {"type": "string", "pattern": "^10\\."}}})");
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("unsupported keyword \"pattern\" at /properties/doi"), std::string::npos)
      << status.message();
  status = SchemaStatus(R"({"type": "object", "properties": {"a": {"oneOf": [{"type": "string"}]}}})");
  EXPECT_NE(status.message().find("\"oneOf\""), std::string::npos) << status.message();
  status = SchemaStatus(R"({"type": "object", "$defs": {}, "properties": {"a": {"type": "string"}}})");
  EXPECT_NE(status.message().find("\"$defs\" at /"), std::string::npos) << status.message();
}

TEST(ExtractSchemaTest, InvalidSchemasAreRejectedWithTheReason) {
  struct Case {
    const char* schema;
    const char* expected;
  };
  const Case cases[] = {
      {R"({"type": "object", "properties": {"a": {"type": "string"})", "not JSON"},
      {R"({"type": "array", "items": {"type": "string"}})", "top-level schema must be an object"},
      {R"({"type": "object", "properties": {}})", "non-empty \"properties\""},
      {R"({"type": "object", "properties": {"a": {"type": "date"}}})", "invalid \"type\" at /properties/a"},
      {R"({"type": "object", "properties": {"a": {"type": ["string", "null"]}}})", "invalid \"type\""},
      {R"({"type": "object", "properties": {"a": {}}})", "\"type\" at /properties/a: missing"},
      {R"({"type": "object", "required": ["b"], "properties": {"a": {"type": "string"}}})",
       "names \"b\", which is not a property"},
      {R"({"type": "object", "properties": {"a": {"type": "array"}}})", "needs \"items\""},
      {R"({"type": "object", "properties": {"a": {"type": "string", "enum": []}}})", "invalid \"enum\""},
      {R"({"type": "object", "properties": {"a": {"type": "string", "enum": [1]}}})", "not of type string"},
      {R"({"type": "object", "properties": {"a": {"type": "string", "items": {"type": "string"}}}})",
       "\"items\" at /properties/a: only applies to arrays"},
      {R"({"type": "object", "additionalProperties": {"type": "string"}, "properties": {"a": {"type": "string"}}})",
       "only true or false"},
      {R"({"type": "object", "properties": {"a": {"type": "string", "minLength": -1}}})",
       "invalid \"minLength\""},
      {R"({"type": "object", "properties": {"a": {"type": "object", "properties": {"b": {"type": "x"}}}}})",
       "at /properties/a/properties/b"},
  };
  for (const Case& c : cases) {
    Status status = SchemaStatus(c.schema);
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << c.schema;
    EXPECT_NE(status.message().find(c.expected), std::string::npos) << c.schema << " -> " << status.message();
  }
}

TEST(ExtractSchemaTest, RecordsAreValidatedWithReadablePaths) {
  ExtractionSchema schema = ParseExtractionSchema(kFullSchema).value();
  EXPECT_TRUE(ValidateRecord(schema, R"({"title": "T", "authors": ["A"], "kind": "thesis",
                                         "venue": {"name": "V", "extra": 1}})")
                  .ok());
  struct Case {
    const char* record;
    const char* expected;
  };
  const Case cases[] = {
      {R"({"title": "T"})", "at /: missing \"authors\""},
      {R"({"title": "T", "authors": ["A", 3]})", "at /authors/1: expected string"},
      {R"({"title": "T", "authors": []})", "at /authors: too few items"},
      {R"({"title": "T", "authors": ["A"], "year": 1800})", "at /year: below minimum"},
      {R"({"title": "T", "authors": ["A"], "year": 2000.5})", "at /year: expected integer"},
      {R"({"title": "T", "authors": ["A"], "kind": "blog"})", "at /kind: value \"blog\" is not one of"},
      {R"({"title": "T", "authors": ["A"], "venue": {}})", "at /venue: missing \"name\""},
      {R"({"title": "T", "authors": ["A"], "peer_reviewed": "yes"})", "at /peer_reviewed: expected boolean"},
      {R"({"title": "T", "authors": ["A"], "pages": 3})", "unexpected member \"pages\""},
      {R"({"title": "T", "authors": ["A"], "datasets": [{"name": 1}]})",
       "at /datasets/0/name: expected string"},
      {R"({"title": "", "authors": ["A"]})", "at /title: too short"},
      {R"(not json)", "not JSON"},
  };
  for (const Case& c : cases) {
    Status status = ValidateRecord(schema, c.record);
    EXPECT_FALSE(status.ok()) << c.record;
    EXPECT_NE(status.message().find(c.expected), std::string::npos) << c.record << " -> " << status.message();
  }
}

TEST(ExtractSchemaTest, MergeMarksOnlyOnTopLevelPropertiesAndNeverSent) {
  Result<ExtractionSchema> ok = ParseExtractionSchema(
      R"({"type": "object", "properties": {"summary": {"type": "string", "x-merge": "llm"}}})");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  json schema = json::parse(ok->json);
  EXPECT_EQ(llm_internal::MergeMarkedFields(schema), std::vector<std::string>{"summary"});
  EXPECT_FALSE(llm_internal::WithoutMergeMarks(schema)["properties"]["summary"].contains("x-merge"));

  Result<ExtractionSchema> nested = ParseExtractionSchema(R"({"type": "object", "properties": {"venue":
      {"type": "object", "properties": {"name": {"type": "string", "x-merge": "llm"}}}}})");
  ASSERT_FALSE(nested.ok());
  EXPECT_NE(nested.status().message().find("invalid \"x-merge\" at /properties/venue/properties/name"),
            std::string::npos)
      << nested.status().ToString();
  Result<ExtractionSchema> root = ParseExtractionSchema(
      R"({"type": "object", "x-merge": "llm", "properties": {"a": {"type": "string"}}})");
  EXPECT_FALSE(root.ok());
  Result<ExtractionSchema> other = ParseExtractionSchema(
      R"({"type": "object", "properties": {"a": {"type": "string", "x-merge": "longest"}}})");
  ASSERT_FALSE(other.ok());
  EXPECT_NE(other.status().message().find("the only merge is \"llm\""), std::string::npos)
      << other.status().ToString();
}

TEST(ExtractMergeTest, ArraysConcatenateWithoutDuplicatesAndFirstScalarWins) {
  json merged;
  llm_internal::MergeRecord(merged,
                            json::parse(R"({"title": "", "authors": ["A", "B"], "venue": {"name": "V1"}})"));
  llm_internal::MergeRecord(merged, json::parse(R"({"title": "First", "authors": ["B", "C"], "year": 2001,
                                                    "venue": {"name": "V2", "city": "Oslo"}})"));
  llm_internal::MergeRecord(merged,
                            json::parse(R"({"title": "Second", "year": 1999, "authors": ["A", "D"]})"));
  EXPECT_EQ(merged, json::parse(R"({"title": "First", "authors": ["A", "B", "C", "D"], "year": 2001,
                                     "venue": {"name": "V1", "city": "Oslo"}})"));
}

TEST(ExtractMergeTest, RequiredIsDroppedAtEveryDepthButAPropertyNamedRequiredStays) {
  json schema = json::parse(R"({"type": "object", "required": ["required"], "properties": {
      "required": {"type": "object", "required": ["x"], "properties": {"x": {"type": "string"}}}}})");
  json relaxed = llm_internal::WithoutRequired(schema);
  EXPECT_FALSE(relaxed.contains("required"));
  ASSERT_TRUE(relaxed["properties"].contains("required"));
  EXPECT_FALSE(relaxed["properties"]["required"].contains("required"));
  EXPECT_TRUE(relaxed["properties"]["required"]["properties"].contains("x"));
}

TEST(ExtractMergeTest, EvidenceNamesTheChunksHoldingEachValue) {
  std::vector<ExtractionChunk> chunks = {{10, "Deep Parsing of PDFs, by Ada Lovelace", 1, 1},
                                         {11, "We used the ArXiv corpus (2019).", 2, 3},
                                         {12, "ada lovelace thanks the reviewers.", 4, 4}};
  std::vector<const ExtractionChunk*> pointers = {&chunks[0], &chunks[1], &chunks[2]};
  json evidence = json::object();
  llm_internal::AddEvidence(json::parse(R"({"authors": ["Ada Lovelace"], "year": 2019, "venue": "Nowhere"})"),
                            pointers, evidence);
  EXPECT_EQ(evidence["/authors/0"],
            json::parse(R"([{"chunk": 10, "pages": [1, 1]}, {"chunk": 12, "pages": [4, 4]}])"));
  EXPECT_EQ(evidence["/year"], json::parse(R"([{"chunk": 11, "pages": [2, 3]}])"));
  EXPECT_FALSE(evidence.contains("/venue"));  // a value in no chunk has no evidence
}

}  // namespace
}  // namespace docpipe
