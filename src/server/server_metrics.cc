#include "server/server_metrics.h"

#include <fmt/format.h>

#include <array>

namespace docpipe::server {
namespace {

// From 1 ms (a cached search) to 60 s (a slow LLM with retries).
constexpr std::array<double, 14> kBounds = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                            0.25,  0.5,    1.0,   2.5,  5.0,   10.0, 60.0};

void Header(std::string& out, const std::string& name, const char* type, const char* help) {
  out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

}  // namespace

LatencyHistogram::LatencyHistogram() : counts_(kBounds.size() + 1, 0) {}

void LatencyHistogram::Observe(double seconds) {
  size_t i = 0;
  while (i < kBounds.size() && seconds > kBounds[i]) ++i;
  ++counts_[i];
  sum_ += seconds;
  ++count_;
}

void LatencyHistogram::Render(const std::string& name, const std::string& labels, std::string& out) const {
  std::string prefix = labels.empty() ? "" : labels + ",";
  int64_t cumulative = 0;
  for (size_t i = 0; i < kBounds.size(); ++i) {
    cumulative += counts_[i];
    out += fmt::format("{}_bucket{{{}le=\"{}\"}} {}\n", name, prefix, kBounds[i], cumulative);
  }
  cumulative += counts_.back();
  out += fmt::format("{}_bucket{{{}le=\"+Inf\"}} {}\n", name, prefix, cumulative);
  std::string braces = labels.empty() ? "" : "{" + labels + "}";
  out += fmt::format("{}_sum{} {}\n{}_count{} {}\n", name, braces, sum_, name, braces, count_);
}

void ServerMetrics::ObserveRequest(const std::string& route, int status, double seconds) {
  MutexLock lock(mutex_);
  ++requests_[{route, status}];
  request_seconds_[route].Observe(seconds);
}

void ServerMetrics::ObserveStage(const std::string& stage, int64_t items, double seconds) {
  MutexLock lock(mutex_);
  stage_seconds_[stage].Observe(seconds);
  stage_items_[stage] += items;
}

void ServerMetrics::CountChunks(const std::string& outcome, int64_t n) {
  MutexLock lock(mutex_);
  chunks_[outcome] += n;
}

void ServerMetrics::AddPipelineStages(const std::vector<StageFigures>& stages) {
  MutexLock lock(mutex_);
  for (const StageFigures& stage : stages) {
    if (stage.name == "store") continue;  // the shared writer's own figures stand for it
    pipeline_busy_seconds_[stage.name] += stage.busy_seconds;
    pipeline_units_[stage.name] += stage.units;
  }
}

void ServerMetrics::SetStoreWriter(double busy_seconds, int64_t documents) {
  MutexLock lock(mutex_);
  store_writer_seconds_ = busy_seconds;
  store_writer_documents_ = documents;
}

std::string ServerMetrics::Render(const std::vector<MetricSample>& samples) const {
  std::string out;
  {
    MutexLock lock(mutex_);
    Header(out, "docpipe_http_requests_total", "counter", "HTTP requests by route and status");
    for (const auto& [key, count] : requests_) {
      out += fmt::format("docpipe_http_requests_total{{route=\"{}\",status=\"{}\"}} {}\n", key.first, key.second,
                         count);
    }
    Header(out, "docpipe_http_request_seconds", "histogram", "HTTP request latency by route");
    for (const auto& [route, histogram] : request_seconds_) {
      histogram.Render("docpipe_http_request_seconds", fmt::format("route=\"{}\"", route), out);
    }
    Header(out, "docpipe_stage_seconds", "histogram", "Time of one stage call (one request's batch)");
    for (const auto& [stage, histogram] : stage_seconds_) {
      histogram.Render("docpipe_stage_seconds", fmt::format("stage=\"{}\"", stage), out);
    }
    Header(out, "docpipe_stage_items_total", "counter", "Items (chunks, texts, queries) through each stage");
    for (const auto& [stage, items] : stage_items_) {
      out += fmt::format("docpipe_stage_items_total{{stage=\"{}\"}} {}\n", stage, items);
    }
    std::map<std::string, double> stage_busy = pipeline_busy_seconds_;
    std::map<std::string, int64_t> stage_units = pipeline_units_;
    stage_busy["store"] = store_writer_seconds_;
    stage_units["store"] = store_writer_documents_;
    Header(out, "docpipe_pipeline_stage_busy_seconds_total", "counter",
           "Busy time of each ingest pipeline stage over /documents jobs and /ingest (the run report's stages)");
    for (const auto& [stage, seconds] : stage_busy) {
      out += fmt::format("docpipe_pipeline_stage_busy_seconds_total{{stage=\"{}\"}} {}\n", stage, seconds);
    }
    Header(out, "docpipe_pipeline_stage_units_total", "counter",
           "Units (documents) through each ingest pipeline stage over /documents jobs and /ingest");
    for (const auto& [stage, units] : stage_units) {
      out += fmt::format("docpipe_pipeline_stage_units_total{{stage=\"{}\"}} {}\n", stage, units);
    }
    Header(out, "docpipe_ingest_chunks_total", "counter", "Chunks sent to /ingest by outcome");
    for (const auto& [outcome, n] : chunks_) {
      out += fmt::format("docpipe_ingest_chunks_total{{outcome=\"{}\"}} {}\n", outcome, n);
    }
  }
  for (const MetricSample& sample : samples) {
    Header(out, sample.name, sample.type.c_str(), sample.help.c_str());
    out += fmt::format("{} {}\n", sample.name, sample.value);
  }
  return out;
}

}  // namespace docpipe::server
