// The server's jobs on both backends: stored queued, their state, result and
// times kept, unfinished ones listed per kind, and kept across a reopen.
#include <gtest/gtest.h>

#include "backend_fixture.h"

namespace docpipe::store {
namespace {

class BackendJobsTest : public BackendTest {};

JobRecord Job(int64_t id, const std::string& state, const std::string& request_json) {
  JobRecord job;
  job.id = id;
  job.kind = "document";
  job.state = state;
  job.request_json = request_json;
  return job;
}

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

// Jobs taken over from an earlier server keep their ids and what they held;
// an id already there is left alone, a bad job stores none, and new ids go on
// after the imported ones.
TEST_P(BackendJobsTest, ImportedJobsKeepTheirIds) {
  auto existing = store_->AddJob("document", R"({"source": "upload", "path": "/up/now.pdf"})");
  ASSERT_TRUE(existing.ok()) << existing.status().ToString();
  JobRecord done = Job(40, "done", R"({"path": "/a.pdf"})");
  done.result_json = R"({"documents": {"ok": 1}})";
  done.created_at = "2026-11-20T08:30:00.000Z";
  done.updated_at = "2026-11-20T08:31:00.000Z";
  const JobRecord queued = Job(41, "queued", R"({"path": "/b.pdf"})");
  const JobRecord clash = Job(*existing, "failed", R"({"path": "/c.pdf"})");

  JobRecord bad = queued;
  bad.id = 50;
  bad.state = "paused";
  EXPECT_EQ(store_->ImportJobs({done, bad}).code(), StatusCode::kInvalidArgument);
  auto none = store_->FindJob(40);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());

  ASSERT_TRUE(store_->ImportJobs({done, queued, clash}).ok());
  auto imported = store_->FindJob(40);
  ASSERT_TRUE(imported.ok() && imported->has_value()) << imported.status().ToString();
  EXPECT_EQ((*imported)->state, "done");
  EXPECT_NE((*imported)->result_json.find("\"ok\""), std::string::npos);
  EXPECT_EQ((*imported)->created_at, "2026-11-20T08:30:00.000Z");
  EXPECT_EQ((*imported)->updated_at, "2026-11-20T08:31:00.000Z");
  auto kept = store_->FindJob(*existing);
  ASSERT_TRUE(kept.ok() && kept->has_value());
  EXPECT_EQ((*kept)->state, "queued");
  EXPECT_NE((*kept)->request_json.find("/up/now.pdf"), std::string::npos);
  auto unfinished = store_->UnfinishedJobs("document");
  ASSERT_TRUE(unfinished.ok());
  ASSERT_EQ(unfinished->size(), 2u);
  EXPECT_EQ((*unfinished)[1].id, 41);

  auto next = store_->AddJob("extract", R"({"documents": []})");
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_GT(*next, 41);
}

INSTANTIATE_TEST_SUITE_P(Backends, BackendJobsTest, ::testing::Values("sqlite", "postgresql"), BackendName);

}  // namespace
}  // namespace docpipe::store
