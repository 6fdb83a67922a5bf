// The parts of the PostgreSQL connection layer that need no server: the binary
// COPY encoding, and text PostgreSQL accepts. (Passwords kept out of messages:
// tests/core/redact_test.cc.)
#include <gtest/gtest.h>

#include "store/pg_conn.h"
#include "store/pg_tsquery.h"

namespace docpipe::store {
namespace {

TEST(PgConnTest, CopyEncoderWritesBigEndianFields) {
  std::string out;
  PgCopyEncoder::Header(out);
  ASSERT_EQ(out.size(), 19u);
  EXPECT_EQ(out.substr(0, 11), std::string("PGCOPY\n\377\r\n\0", 11));
  out.clear();
  PgCopyEncoder::Row(out, 2);
  PgCopyEncoder::Int32(out, 258);
  PgCopyEncoder::Null(out);
  EXPECT_EQ(out, std::string("\0\2" "\0\0\0\4" "\0\0\1\2" "\377\377\377\377", 14));
  out.clear();
  PgCopyEncoder::Jsonb(out, "[]");
  EXPECT_EQ(out, std::string("\0\0\0\3\1[]", 7));
  out.clear();
  PgCopyEncoder::Float4(out, 1.0f);
  EXPECT_EQ(out, std::string("\0\0\0\4\x3f\x80\0\0", 8));
}

TEST(PgConnTest, PgTextReplacesInvalidUtf8AndDropsNul) {
  EXPECT_EQ(PgText("plain"), "plain");
  EXPECT_EQ(PgText(std::string("a\0b", 3)), "ab");
  EXPECT_EQ(PgText("x\xffy"), "x\xEF\xBF\xBDy");
}

TEST(PgTsQueryTest, TermsTravelAsParameters) {
  auto query = ToPgTsQuery("rank fusion", "cfg", 3);
  ASSERT_TRUE(query.ok());
  EXPECT_EQ(query->sql, "(phraseto_tsquery('cfg', $3) && phraseto_tsquery('cfg', $4))");
  EXPECT_EQ(query->terms, (std::vector<std::string>{"rank", "fusion"}));

  auto syntax = ToPgTsQuery("a OR it's* NOT \"c d\"", "cfg", 1);
  ASSERT_TRUE(syntax.ok());
  EXPECT_EQ(syntax->sql,
            "(phraseto_tsquery('cfg', $1) || (to_tsquery('cfg', $2) && !! phraseto_tsquery('cfg', $3)))");
  EXPECT_EQ(syntax->terms, (std::vector<std::string>{"a", "'it''s':*", "c d"}));
  EXPECT_TRUE(ToPgTsQuery("  ", "cfg", 1)->sql.empty());
  EXPECT_EQ(ToPgTsQuery("(a OR) b", "cfg", 1).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace docpipe::store
