// Taxonomy loading, the JSON-schema validator, extract kinds and result JSON.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "docpipe/llm_cache.h"
#include "docpipe/taxonomy.h"
#include "llm/extraction_prompt.h"
#include "llm/json_schema.h"

namespace docpipe {
namespace {

using nlohmann::json;

TEST(TaxonomyTest, DefaultHasTheDocumentedSize) {
  auto taxonomy = Taxonomy::Default();
  ASSERT_NE(taxonomy, nullptr);
  EXPECT_EQ(taxonomy->domains().size(), 16u);
  EXPECT_EQ(taxonomy->tasks().size(), 32u);
  EXPECT_EQ(taxonomy->modifiers().size(), 64u);
  EXPECT_EQ(taxonomy->fingerprint().size(), 12u);
}

TEST(TaxonomyTest, ShippedFileMatchesTheBuiltInOne) {
  auto file = Taxonomy::FromFile(std::string(DOCPIPE_SOURCE_DIR) + "/data/taxonomy/default.json");
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  EXPECT_EQ((*file)->fingerprint(), Taxonomy::Default()->fingerprint());
}

TEST(TaxonomyTest, UserTaxonomyReplacesTheDefault) {
  auto taxonomy = Taxonomy::FromJson(R"({"domains":[{"name":"cooking","keywords":["recipe","oven"]}],
      "tasks":[{"name":"instruct","keywords":["preheat"]}], "modifiers":[{"name":"quick"}]})");
  ASSERT_TRUE(taxonomy.ok()) << taxonomy.status().ToString();
  EXPECT_EQ((*taxonomy)->fallback_domain(), "cooking");
  HeuristicTagger tagger(*taxonomy);
  EXPECT_EQ(tagger.Tags("Preheat the oven for this recipe.").domain.label, "cooking");
  EXPECT_NE((*taxonomy)->fingerprint(), Taxonomy::Default()->fingerprint());
}

// The tagger matches keywords against lower-cased text: a keyword written with
// capitals in the file still matches.
TEST(TaxonomyTest, KeywordsAreLowerCasedAsTheyAreRead) {
  auto taxonomy = Taxonomy::FromJson(R"({"domains":[{"name":"astronomy","keywords":["Red Giant","NASA"]}],
      "tasks":[{"name":"describe"}], "modifiers":[{"name":"plain"}]})");
  ASSERT_TRUE(taxonomy.ok()) << taxonomy.status().ToString();
  EXPECT_EQ((*taxonomy)->domains().front().keywords, (std::vector<std::string>{"red giant", "nasa"}));
  HeuristicTagger tagger(*taxonomy);
  TagSet tags = tagger.Tags("A red giant was observed by NASA.");
  EXPECT_EQ(tags.domain.label, "astronomy");
  EXPECT_FLOAT_EQ(tags.domain.confidence, 0.5f) << "both keywords counted";
}

TEST(TaxonomyTest, RejectsBrokenFiles) {
  EXPECT_FALSE(Taxonomy::FromJson("not json").ok());
  EXPECT_FALSE(Taxonomy::FromJson(R"({"domains":[],"tasks":[{"name":"a"}],"modifiers":[{"name":"b"}]})").ok());
  EXPECT_FALSE(Taxonomy::FromJson(
                   R"({"domains":[{"name":"a"},{"name":"a"}],"tasks":[{"name":"t"}],"modifiers":[{"name":"m"}]})")
                   .ok());
  EXPECT_FALSE(Taxonomy::FromJson(
                   R"({"fallback_domain":"x","domains":[{"name":"a"}],"tasks":[{"name":"t"}],"modifiers":[{"name":"m"}]})")
                   .ok());
  EXPECT_EQ(Taxonomy::FromFile("/nonexistent/taxonomy.json").status().code(), StatusCode::kNotFound);
}

TEST(JsonSchemaTest, ChecksTypesRequiredEnumsAndRanges) {
  json schema = json::parse(R"({"type":"object","required":["id","n"],"additionalProperties":false,
      "properties":{"id":{"type":"string","enum":["a","b"]},"n":{"type":"integer","minimum":0,"maximum":9},
      "xs":{"type":"array","maxItems":2,"items":{"type":"number"}}}})");
  using llm_internal::ValidateJson;
  EXPECT_TRUE(ValidateJson(json::parse(R"({"id":"a","n":3,"xs":[1.5]})"), schema).ok());
  EXPECT_TRUE(ValidateJson(json::parse(R"({"id":"a","n":3.0})"), schema).ok());
  Status missing = ValidateJson(json::parse(R"({"id":"a"})"), schema);
  EXPECT_NE(missing.message().find("missing \"n\""), std::string::npos);
  EXPECT_FALSE(ValidateJson(json::parse(R"({"id":"c","n":1})"), schema).ok());
  EXPECT_FALSE(ValidateJson(json::parse(R"({"id":"a","n":1.5})"), schema).ok());
  EXPECT_FALSE(ValidateJson(json::parse(R"({"id":"a","n":10})"), schema).ok());
  EXPECT_FALSE(ValidateJson(json::parse(R"({"id":"a","n":1,"zz":1})"), schema).ok());
  Status deep = ValidateJson(json::parse(R"({"id":"a","n":1,"xs":[1,"x"]})"), schema);
  EXPECT_NE(deep.message().find("/xs/1"), std::string::npos) << deep.message();
  EXPECT_FALSE(ValidateJson(json::parse(R"({"id":"a","n":1,"xs":[1,2,3]})"), schema).ok());
}

TEST(EntityAlignmentTest, AcceptsBytesCodePointsOrNearestOccurrence) {
  std::string text = "Zürich and Bern, then Bern again";
  Entity bytes{"Bern", "location", 12, 16, 1};
  bool realigned = true;
  ASSERT_TRUE(llm_internal::AlignEntity(text, bytes, realigned));
  EXPECT_FALSE(realigned);
  Entity code_points{"Bern", "location", 11, 15, 1};  // "ü" counted as one character
  ASSERT_TRUE(llm_internal::AlignEntity(text, code_points, realigned));
  EXPECT_EQ(code_points.start, 12);
  Entity nearest{"Bern", "location", 25, 29, 1};
  ASSERT_TRUE(llm_internal::AlignEntity(text, nearest, realigned));
  EXPECT_TRUE(realigned);
  EXPECT_EQ(text.substr(nearest.start, 4), "Bern");
  EXPECT_EQ(nearest.start, 23);
  Entity absent{"Basel", "location", 0, 5, 1};
  EXPECT_FALSE(llm_internal::AlignEntity(text, absent, realigned));
}

TEST(ExtractKindsTest, Parses) {
  EXPECT_TRUE(ExtractKinds::Parse("tags, entities")->entities);
  EXPECT_FALSE(ExtractKinds::Parse("tags")->entities);
  EXPECT_EQ(ExtractKinds::Parse("entities")->ToString(), "entities");
  EXPECT_FALSE(ExtractKinds::Parse("tags,colours").ok());
  EXPECT_FALSE(ExtractKinds::Parse("").ok());
}

TEST(EnrichmentResultTest, JsonRoundTrips) {
  EnrichmentResult result;
  result.id = "doc1#3";
  result.has_tags = true;
  result.tags = {{"physics", 0.75f}, {"explain", 0.5f}, {{"quantitative", 0.25f}}};
  result.has_entities = true;
  result.entities = {{"CERN", "organization", 4, 8, 0.5f}};
  result.source = EnrichmentSource::kFallback;
  result.producer = "heuristic";
  result.error = "timeout";
  Result<EnrichmentResult> back = EnrichmentResultFromJson(EnrichmentResultToJson(result));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(EnrichmentResultToJson(*back), EnrichmentResultToJson(result));
  EXPECT_EQ(back->entities[0].end, 8);
  EXPECT_EQ(back->source, EnrichmentSource::kFallback);
  EXPECT_FALSE(EnrichmentResultFromJson("{\"id\":1}").ok());
}

TEST(EnrichmentCacheTest, KeyedByModelPromptAndText) {
  InMemoryEnrichmentCache cache;
  EnrichmentResult result;
  result.id = "x";
  cache.Put({"m1", "v1", "abc"}, result);
  EXPECT_TRUE(cache.Get({"m1", "v1", "abc"}).has_value());
  EXPECT_FALSE(cache.Get({"m2", "v1", "abc"}).has_value());
  EXPECT_FALSE(cache.Get({"m1", "v2", "abc"}).has_value());
  EXPECT_FALSE(cache.Get({"m1", "v1", "abd"}).has_value());
}

}  // namespace
}  // namespace docpipe
