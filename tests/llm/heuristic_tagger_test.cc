// The heuristic tagger: taxonomy keyword tags and pattern entities with exact offsets.
#include <gtest/gtest.h>

#include "docpipe/tagging.h"

namespace docpipe {
namespace {

struct Found {
  std::string text, type;
};

std::vector<Found> EntitiesOf(std::string_view text) {
  HeuristicTagger tagger(Taxonomy::Default());
  std::vector<Found> found;
  for (const Entity& e : tagger.Entities(text)) {
    EXPECT_EQ(text.substr(e.start, e.end - e.start), e.text);  // offsets are exact
    found.push_back({e.text, e.type});
  }
  return found;
}

bool Has(const std::vector<Found>& found, std::string_view text, std::string_view type) {
  for (const Found& f : found) {
    if (f.text == text && f.type == type) return true;
  }
  return false;
}

TEST(HeuristicTaggerTest, EiffelTower) {
  std::vector<Found> found = EntitiesOf("The Eiffel Tower was built in 1889.");
  ASSERT_EQ(found.size(), 2u);
  EXPECT_TRUE(Has(found, "Eiffel Tower", "location"));
  EXPECT_TRUE(Has(found, "1889", "date"));
}

TEST(HeuristicTaggerTest, Dates) {
  std::vector<Found> found = EntitiesOf("Released on 2024-03-15, updated 15 March 2024 and again on June 3, 2025; "
                                        "planned for October 2026.");
  EXPECT_TRUE(Has(found, "2024-03-15", "date"));
  EXPECT_TRUE(Has(found, "15 March 2024", "date"));
  EXPECT_TRUE(Has(found, "June 3, 2025", "date"));
  EXPECT_TRUE(Has(found, "October 2026", "date"));
}

TEST(HeuristicTaggerTest, Quantities) {
  std::vector<Found> found = EntitiesOf("It cost $1.5 million, ran 5 km at 20% grade, weighs 3kg and draws 40 W.");
  EXPECT_TRUE(Has(found, "$1.5 million", "quantity"));
  EXPECT_TRUE(Has(found, "5 km", "quantity"));
  EXPECT_TRUE(Has(found, "20%", "quantity"));
  EXPECT_TRUE(Has(found, "3kg", "quantity"));
  EXPECT_TRUE(Has(found, "40 W", "quantity"));
}

TEST(HeuristicTaggerTest, OrganisationsPeoplePlacesTerms) {
  std::vector<Found> found = EntitiesOf(
      "Dr. Jane Smith of the University of Cambridge joined Acme Widgets Inc. in London. "
      "Marie Curie used the GPU cluster. Then Blue Harbor Analytics hired her.");
  EXPECT_TRUE(Has(found, "Jane Smith", "person"));
  EXPECT_TRUE(Has(found, "University of Cambridge", "organization"));
  EXPECT_TRUE(Has(found, "Acme Widgets Inc", "organization"));
  EXPECT_TRUE(Has(found, "London", "location"));
  EXPECT_TRUE(Has(found, "Marie Curie", "person"));
  EXPECT_TRUE(Has(found, "GPU", "term"));
  EXPECT_TRUE(Has(found, "Blue Harbor Analytics", "other"));
}

TEST(HeuristicTaggerTest, NonAsciiTextKeepsByteOffsets) {
  std::vector<Found> found = EntitiesOf("Café prices rose 12 % in Zürich Lake Region during 2021 — €30 each.");
  EXPECT_TRUE(Has(found, "12 %", "quantity"));
  EXPECT_TRUE(Has(found, "2021", "date"));
  EXPECT_TRUE(Has(found, "€30", "quantity"));
}

TEST(HeuristicTaggerTest, TagsComeFromTheTaxonomy) {
  HeuristicTagger tagger(Taxonomy::Default());
  TagSet tags = tagger.Tags("The patient received a new drug; clinical treatment reduced the disease symptoms.");
  EXPECT_EQ(tags.domain.label, "medicine");
  EXPECT_GT(tags.domain.confidence, 0.3f);
  EXPECT_TRUE(Taxonomy::Default()->Contains(TaxonomyAxis::kTask, tags.task.label));
  for (const Tag& m : tags.modifiers) EXPECT_TRUE(Taxonomy::Default()->Contains(TaxonomyAxis::kModifier, m.label));

  TagSet code = tagger.Tags("We propose a novel algorithm for the compiler; our method runs on the GPU.");
  EXPECT_EQ(code.domain.label, "computer_science");
  EXPECT_EQ(code.task.label, "propose_method");
}

// Keywords of every shape the index files differently: single words (each
// counted up to three times, a keyword listed twice counting twice), phrases
// (found only as whole words), and keywords that start or end with a
// non-word byte.
TEST(HeuristicTaggerTest, KeywordsOfEveryShapeAreCounted) {
  auto taxonomy = Taxonomy::FromJson(R"({"name": "t", "version": "1",
    "fallback_domain": "general", "fallback_task": "describe",
    "domains": [{"name": "general", "description": "g", "keywords": []},
                {"name": "phrases", "description": "p", "keywords": ["beta gamma", "Delta"]},
                {"name": "words", "description": "w", "keywords": ["alpha", "alpha"]}],
    "tasks": [{"name": "describe", "description": "d", "keywords": []},
              {"name": "dotnet", "description": "n", "keywords": [".net", "c++"]}],
    "modifiers": [{"name": "m1", "description": "m", "keywords": ["alpha"]},
                  {"name": "m2", "description": "m", "keywords": ["gamma", "beta"]},
                  {"name": "m3", "description": "m", "keywords": ["omega"]}]})");
  ASSERT_TRUE(taxonomy.ok()) << taxonomy.status().ToString();
  HeuristicTagger tagger(*taxonomy);
  const TagSet tags = tagger.Tags(
      "Alpha alpha ALPHA alpha alphabet; beta gamma and Beta Gamma, beta-gamma; delta. "
      "Use .NET or c++ here, not x.net.");
  // "alpha" four times as a word (not in "alphabet"): three, twice.
  EXPECT_EQ(tags.domain.label, "words");
  EXPECT_FLOAT_EQ(tags.domain.confidence, 0.9f);
  // ".net" twice (its end is a word's end), "c++" once.
  EXPECT_EQ(tags.task.label, "dotnet");
  EXPECT_FLOAT_EQ(tags.task.confidence, 0.6f);
  // m2: "gamma" and "beta" three times each; m1: "alpha" three; m3 nothing.
  ASSERT_EQ(tags.modifiers.size(), 2u);
  EXPECT_EQ(tags.modifiers[0].label, "m2");
  EXPECT_FLOAT_EQ(tags.modifiers[0].confidence, 0.8f);
  EXPECT_EQ(tags.modifiers[1].label, "m1");
  EXPECT_FLOAT_EQ(tags.modifiers[1].confidence, 0.5f);

  // The phrase as a whole word twice ("beta-gamma" is not it), "delta" once:
  // three hits, fewer than "alpha"'s six but the domain without it.
  const TagSet phrases = tagger.Tags("beta gamma and Beta Gamma, beta-gamma; delta; betagamma");
  EXPECT_EQ(phrases.domain.label, "phrases");
  EXPECT_FLOAT_EQ(phrases.domain.confidence, 0.6f);
}

TEST(HeuristicTaggerTest, NothingMatchedUsesTheFallbackLabels) {
  HeuristicTagger tagger(Taxonomy::Default());
  TagSet tags = tagger.Tags("zzz qqq");
  EXPECT_EQ(tags.domain.label, "general");
  EXPECT_EQ(tags.task.label, "describe");
  EXPECT_LT(tags.domain.confidence, 0.3f);
  EXPECT_TRUE(tags.modifiers.empty());
}

TEST(HeuristicTaggerTest, TagHonoursExtractKinds) {
  HeuristicTagger tagger(nullptr);
  EnrichmentResult only_entities = tagger.Tag("id", "Paris in 1900.", ExtractKinds{false, true});
  EXPECT_FALSE(only_entities.has_tags);
  EXPECT_TRUE(only_entities.has_entities);
  EXPECT_EQ(only_entities.entities.size(), 2u);
  EXPECT_EQ(only_entities.source, EnrichmentSource::kHeuristic);
}

}  // namespace
}  // namespace docpipe
