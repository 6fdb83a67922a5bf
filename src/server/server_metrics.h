// The server's counters and latency histograms, rendered in the Prometheus
// text exposition format for GET /metrics.
//
// Thread-safety: every method may be called from any thread (one mutex; the
// rates here are requests, not chunks or tokens, so it is never contended).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/mutex.h"
#include "docpipe/ingest.h"

namespace docpipe::server {

// Cumulative buckets over fixed upper bounds in seconds, plus sum and count.
class LatencyHistogram {
 public:
  LatencyHistogram();
  void Observe(double seconds);
  // Lines "<name>_bucket{<labels>,le="..."} n", _sum and _count.
  void Render(const std::string& name, const std::string& labels, std::string& out) const;

 private:
  std::vector<int64_t> counts_;  // one per bound, plus +Inf
  double sum_ = 0;
  int64_t count_ = 0;
};

// A gauge or counter value sampled when /metrics is rendered.
struct MetricSample {
  std::string name;  // full metric name, e.g. "docpipe_llm_in_flight"
  std::string type;  // "gauge" or "counter"
  std::string help;
  double value = 0;
};

class ServerMetrics {
 public:
  // One finished HTTP request: `route` is the matched pattern ("/jobs/:id").
  void ObserveRequest(const std::string& route, int status, double seconds);
  // Work done by one stage of /ingest or /search ("enrich", "embed", "store", ...).
  void ObserveStage(const std::string& stage, int64_t items, double seconds);
  void CountChunks(const std::string& outcome, int64_t n);  // "stored", "error", "rejected"
  // The stage counters of one finished ingest run (/documents jobs), as the
  // CLI report shows them: added to per-stage busy seconds and units.
  // Their "store" is left out: see SetStoreWriter().
  void AddPipelineStages(const std::vector<StageFigures>& stages);
  // The server's one store writer is the "store" stage, with its own busy
  // time and documents: each transaction counted once, however many jobs and
  // /ingest requests shared it. Set before Render().
  void SetStoreWriter(double busy_seconds, int64_t documents);

  // Everything, with `samples` (queue depths, in-flight calls, cache counters) appended.
  std::string Render(const std::vector<MetricSample>& samples) const;

 private:
  mutable Mutex mutex_;
  // (route, status) -> count
  std::map<std::pair<std::string, int>, int64_t> requests_ DOCPIPE_GUARDED_BY(mutex_);
  std::map<std::string, LatencyHistogram> request_seconds_ DOCPIPE_GUARDED_BY(mutex_);  // route -> latency
  std::map<std::string, LatencyHistogram> stage_seconds_ DOCPIPE_GUARDED_BY(mutex_);  // stage -> one call's latency
  std::map<std::string, int64_t> stage_items_ DOCPIPE_GUARDED_BY(mutex_);
  std::map<std::string, int64_t> chunks_ DOCPIPE_GUARDED_BY(mutex_);
  // ingest pipeline stage -> busy seconds, units
  std::map<std::string, double> pipeline_busy_seconds_ DOCPIPE_GUARDED_BY(mutex_);
  std::map<std::string, int64_t> pipeline_units_ DOCPIPE_GUARDED_BY(mutex_);
  double store_writer_seconds_ DOCPIPE_GUARDED_BY(mutex_) = 0;
  int64_t store_writer_documents_ DOCPIPE_GUARDED_BY(mutex_) = 0;
};

}  // namespace docpipe::server
