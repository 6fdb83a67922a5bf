// RedactCredentials, the one redaction of URLs and store locations that are
// shown (messages, logs, /health, reports, embedder identities in the store).
#include "core/redact.h"

#include <gtest/gtest.h>

namespace docpipe {
namespace {

TEST(RedactCredentialsTest, PostgresLocations) {
  EXPECT_EQ(RedactCredentials("postgresql://kb:s3cret@db.example:5432/kb"), "postgresql://kb:***@db.example:5432/kb");
  EXPECT_EQ(RedactCredentials("postgresql://kb@db/kb?password=s3cret&sslmode=require"),
            "postgresql://kb@db/kb?password=***&sslmode=***");
  EXPECT_EQ(RedactCredentials("host=db user=kb password=s3cret dbname=kb"), "host=db user=kb password=*** dbname=kb");
  EXPECT_EQ(RedactCredentials("postgresql://db/kb"), "postgresql://db/kb");
  EXPECT_EQ(RedactCredentials("postgresql://kb@/kb?host=/run/pg"), "postgresql://kb@/kb?host=***");
}

TEST(RedactCredentialsTest, ServerUrls) {
  EXPECT_EQ(RedactCredentials("https://u:p@h:1/v1?token=abc&x=1#model"), "https://u:***@h:1/v1?token=***&x=***#model");
  EXPECT_EQ(RedactCredentials("http://127.0.0.1:11434/api/chat"), "http://127.0.0.1:11434/api/chat");
  EXPECT_EQ(RedactCredentials("http://user@host/?key"), "http://user@host/?***");
  EXPECT_EQ(RedactCredentials("http://a:b@host"), "http://a:***@host");
  // An '@' in the password itself: the last one ends the user part.
  EXPECT_EQ(RedactCredentials("http://a:p@ss@host/v1"), "http://a:***@host/v1");
}

TEST(RedactCredentialsTest, PathsStayAsTheyAre) {
  EXPECT_EQ(RedactCredentials("/var/lib/kb.sqlite"), "/var/lib/kb.sqlite");
  EXPECT_EQ(RedactCredentials("kb.sqlite"), "kb.sqlite");
}

}  // namespace
}  // namespace docpipe
