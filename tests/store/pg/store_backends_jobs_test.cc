// The server's jobs on both backends: stored queued, their state, result and
// times kept, unfinished ones listed per kind, and kept across a reopen.
#include <gtest/gtest.h>

#include "backend_fixture.h"

namespace docpipe::store {
namespace {

class BackendJobsTest : public BackendTest {};

TEST_P(BackendJobsTest, JobsKeepTheirStateAndOutliveTheConnection) {
  auto first = store_->AddJob("document", R"({"source": "upload", "path": "/up/a.pdf"})");
  auto second = store_->AddJob("extract", R"({"documents": []})");
  auto third = store_->AddJob("document", R"({"source": "path", "path": "/b.md"})");
  ASSERT_TRUE(first.ok() && second.ok() && third.ok()) << first.status().ToString();
  EXPECT_LT(*first, *second);
  EXPECT_LT(*second, *third);

  auto queued = store_->FindJob(*first);
  ASSERT_TRUE(queued.ok() && queued->has_value()) << queued.status().ToString();
  EXPECT_EQ((*queued)->kind, "document");
  EXPECT_EQ((*queued)->state, "queued");
  EXPECT_NE((*queued)->request_json.find("/up/a.pdf"), std::string::npos);
  EXPECT_EQ((*queued)->created_at.size(), 24u) << (*queued)->created_at;  // 2026-01-02T03:04:05.678Z
  EXPECT_EQ((*queued)->started_at, "");

  ASSERT_TRUE(store_->UpdateJob(*first, "running", "{}", "").ok());
  ASSERT_TRUE(store_->UpdateJob(*third, "done", R"({"documents": {"ok": 1}})", "").ok());
  EXPECT_EQ(store_->UpdateJob(*first + 100, "done", "{}", "").code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->UpdateJob(*first, "paused", "{}", "").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->UpdateJob(*first, "done", "{not json", "").code(), StatusCode::kInvalidArgument);

  // A new connection (a restarted server) sees the same jobs.
  store_.reset();
  auto reopened = Store::Open(location_);
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  auto unfinished = (*reopened)->UnfinishedJobs("document");
  ASSERT_TRUE(unfinished.ok()) << unfinished.status().ToString();
  ASSERT_EQ(unfinished->size(), 1u);
  EXPECT_EQ((*unfinished)[0].id, *first);
  EXPECT_EQ((*unfinished)[0].state, "running");
  EXPECT_FALSE((*unfinished)[0].started_at.empty());
  EXPECT_EQ((*unfinished)[0].finished_at, "");
  auto extract = (*reopened)->UnfinishedJobs("extract");
  ASSERT_TRUE(extract.ok());
  ASSERT_EQ(extract->size(), 1u);
  EXPECT_EQ((*extract)[0].id, *second);

  auto done = (*reopened)->FindJob(*third);
  ASSERT_TRUE(done.ok() && done->has_value());
  EXPECT_EQ((*done)->state, "done");
  EXPECT_NE((*done)->result_json.find("\"ok\""), std::string::npos);
  EXPECT_FALSE((*done)->finished_at.empty());
  auto missing = (*reopened)->FindJob(*third + 100);
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
  // A job queued again after a stop is no longer finished.
  ASSERT_TRUE((*reopened)->UpdateJob(*third, "queued", "{}", "").ok());
  EXPECT_EQ((*(*reopened)->FindJob(*third))->finished_at, "");
}

INSTANTIATE_TEST_SUITE_P(Backends, BackendJobsTest, ::testing::Values("sqlite", "postgresql"), BackendName);

}  // namespace
}  // namespace docpipe::store
