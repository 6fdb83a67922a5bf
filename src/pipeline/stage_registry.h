// The counters of a pipeline's stages: busy time and units per named stage,
// in one registry that the run report reads (and a metrics endpoint can).
//
// Thread-safety: Add() from one thread while the pipeline is being built;
// StageCounters::Record() from any thread at any time; Figures() from any
// thread (it reads the counters as they are at that moment).
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "core/mutex.h"
#include "docpipe/ingest.h"

namespace docpipe::pipeline {

class StageCounters {
 public:
  explicit StageCounters(std::string name) : name_(std::move(name)) {}

  const std::string& name() const { return name_; }
  void Record(double seconds, int64_t units = 1) {
    busy_ns_.fetch_add(static_cast<int64_t>(seconds * 1e9), std::memory_order_relaxed);
    units_.fetch_add(units, std::memory_order_relaxed);
  }
  StageFigures Figures() const {
    return {name_, static_cast<double>(busy_ns_.load(std::memory_order_relaxed)) / 1e9,
            units_.load(std::memory_order_relaxed)};
  }

 private:
  const std::string name_;
  std::atomic<int64_t> busy_ns_{0};
  std::atomic<int64_t> units_{0};
};

class StageRegistry {
 public:
  // The counters of stage `name`, made on first use; the reference stays valid
  // for the registry's life.
  StageCounters& Add(const std::string& name);
  // Every stage, in the order they were added.
  std::vector<StageFigures> Figures() const;

 private:
  mutable Mutex mutex_;
  std::deque<StageCounters> stages_ DOCPIPE_GUARDED_BY(mutex_);  // a deque keeps addresses stable
};

}  // namespace docpipe::pipeline
