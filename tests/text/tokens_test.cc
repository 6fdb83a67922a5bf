#include "text/tokens.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "docpipe/chunker.h"
#include "text/sentence_splitter.h"

namespace docpipe::text {
namespace {

std::vector<std::string> Sentences(std::string_view text) {
  std::vector<TextSpan> spans;
  SplitSentences(text, &spans);
  std::vector<std::string> out;
  for (const TextSpan& span : spans) out.emplace_back(text.substr(span.begin, span.end - span.begin));
  return out;
}

TEST(CountTokensTest, WordsAndPunctuation) {
  EXPECT_EQ(CountTokens(""), 0);
  EXPECT_EQ(CountTokens("  \n\t "), 0);
  EXPECT_EQ(CountTokens("Hello, world!"), 4);
  EXPECT_EQ(CountTokens("don't"), 3);
  EXPECT_EQ(CountTokens("3.14"), 3);
}

TEST(CountTokensTest, LongWordsCountAsPieces) {
  EXPECT_EQ(CountTokens("abcdefgh"), 1);
  EXPECT_EQ(CountTokens("abcdefghi"), 2);
  EXPECT_EQ(CountTokens("internationalization"), 3);  // 20 letters
}

TEST(CountTokensTest, UnicodeClasses) {
  EXPECT_EQ(CountTokens("caf\xC3\xA9"), 1);                           // é is a letter
  EXPECT_EQ(CountTokens("\xE2\x80\x9Cquoted\xE2\x80\x9D"), 3);        // curly quotes are marks
  EXPECT_EQ(CountTokens("\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E"), 3);  // three CJK characters
  EXPECT_EQ(CountTokens("a\xC2\xA0"
                        "b"),
            2);                           // no-break space separates
  EXPECT_EQ(CountTokens("\xFF\xFE"), 1);  // invalid bytes still count, once
}

TEST(CountTokensTest, AdditiveAtTokenBoundaries) {
  const std::string text =
      "Ein langes Wort: Donaudampfschifffahrtsgesellschaft, 3.14159 \xE6\x97\xA5\xE6\x9C\xAC!";
  std::vector<size_t> cuts;
  ForEachToken(text, [&](size_t begin, size_t end) {
    cuts.push_back(begin);
    cuts.push_back(end);
  });
  const int total = CountTokens(text);
  ASSERT_GT(total, 10);
  for (size_t cut : cuts) {
    const std::string_view view = text;
    EXPECT_EQ(CountTokens(view.substr(0, cut)) + CountTokens(view.substr(cut)), total) << "cut at " << cut;
  }
}

TEST(SentenceSplitterTest, SplitsAtSentenceEnds) {
  EXPECT_EQ(Sentences("  One two.  Three four? Five!\n Six"),
            (std::vector<std::string>{"One two.", "Three four?", "Five!", "Six"}));
  EXPECT_EQ(Sentences("He said \"stop.\" Then (he left.) Done"),
            (std::vector<std::string>{"He said \"stop.\"", "Then (he left.)", "Done"}));
  EXPECT_TRUE(Sentences(" \n ").empty());
}

TEST(SentenceSplitterTest, KeepsAbbreviationsDecimalsAndInitials) {
  EXPECT_EQ(Sentences("See e.g. Table 2. Dr. Smith agreed. Fig. 3 shows it."),
            (std::vector<std::string>{"See e.g. Table 2.", "Dr. Smith agreed.", "Fig. 3 shows it."}));
  EXPECT_EQ(Sentences("Pi is 3.14 roughly. J. R. R. Tolkien wrote it. Next."),
            (std::vector<std::string>{"Pi is 3.14 roughly.", "J. R. R. Tolkien wrote it.", "Next."}));
  EXPECT_EQ(Sentences("It costs approx. five dollars. Smith et al. (2020) agree."),
            (std::vector<std::string>{"It costs approx. five dollars.", "Smith et al. (2020) agree."}));
  EXPECT_EQ(Sentences("Apples, pears etc. Then more. See No. 5 here. I said no. Fine."),
            (std::vector<std::string>{"Apples, pears etc.", "Then more.", "See No. 5 here.", "I said no.",
                                      "Fine."}));
  EXPECT_EQ(Sentences("1. First step. Second."), (std::vector<std::string>{"1. First step.", "Second."}));
  EXPECT_EQ(Sentences("In the U.S. there are rules. In 2020. Yes."),
            (std::vector<std::string>{"In the U.S. there are rules.", "In 2020.", "Yes."}));
}

TEST(SentenceSplitterTest, EllipsesAndIdeographicStops) {
  EXPECT_EQ(Sentences("Wait... and then? No!! Fine\xE2\x80\xA6 Next"),
            (std::vector<std::string>{"Wait... and then?", "No!!", "Fine\xE2\x80\xA6", "Next"}));
  EXPECT_EQ(Sentences("\xE4\xBD\xA0\xE5\xA5\xBD\xE3\x80\x82\xE5\x86\x8D\xE8\xA7\x81\xE3\x80\x82"),
            (std::vector<std::string>{"\xE4\xBD\xA0\xE5\xA5\xBD\xE3\x80\x82",
                                      "\xE5\x86\x8D\xE8\xA7\x81\xE3\x80\x82"}));
}

TEST(SentenceSplitterTest, DotLeadersAreScannedOnce) {
  // Quadratic rescanning of the run would not finish in any reasonable time.
  const std::string leader(200000, '.');
  EXPECT_EQ(Sentences("Chapter 1 " + leader + " 5"), (std::vector<std::string>{"Chapter 1 " + leader, "5"}));
}

TEST(SentenceSplitterTest, SplitLinesTrimsAndSkipsBlanks) {
  std::vector<TextSpan> spans;
  const std::string text = " a | b \n\n  c | d\n";
  SplitLines(text, &spans);
  ASSERT_EQ(spans.size(), 2u);
  EXPECT_EQ(text.substr(spans[0].begin, spans[0].end - spans[0].begin), "a | b");
  EXPECT_EQ(text.substr(spans[1].begin, spans[1].end - spans[1].begin), "c | d");
}

}  // namespace
}  // namespace docpipe::text
