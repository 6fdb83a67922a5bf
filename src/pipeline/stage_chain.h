// A chain of named stages joined by bounded queues: units come from a source,
// pass every stage in order and end in a sink. Each stage has one job and a
// mode: serial stages take one unit at a time (in whatever order units reach
// them, so one slow unit never holds back those behind it), parallel ones take
// as many as there are threads. At most `max_in_flight` units are between the
// source and the sink at once: a full chain stops the source (backpressure),
// which keeps memory flat however many inputs there are.
//
// A stage may keep a unit (hand it elsewhere) by returning null; later stages
// and the sink pass null over without calling the stage or counting it.
// Every stage's busy time and units go to the StageRegistry under its name.
//
// Built on oneTBB's parallel_pipeline: Run() uses the threads of the calling
// task arena. Thread-safety: build and Run() from one thread; stage functions
// are called from pipeline threads (serial ones by one thread at a time).
#pragma once

#include <tbb/parallel_pipeline.h>

#include <cstddef>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "core/stopwatch.h"
#include "pipeline/stage_registry.h"

namespace docpipe::pipeline {

enum class StageMode { kSerial, kParallel };

template <typename UnitPtr>
class StageChain {
 public:
  using Process = std::function<UnitPtr(UnitPtr)>;

  StageChain(StageRegistry& registry, size_t max_in_flight)
      : registry_(registry), max_in_flight_(max_in_flight < 1 ? 1 : max_in_flight) {}

  StageChain& Then(const std::string& name, StageMode mode, Process process) {
    stages_.push_back({&registry_.Add(name), mode, std::move(process)});
    return *this;
  }

  // Takes units from `source` (serially) until it returns null, and gives each
  // unit that passed every stage to `sink` (serially). Blocks until all are done.
  void Run(const std::function<UnitPtr()>& source, const std::string& sink_name,
           const std::function<void(UnitPtr)>& sink) {
    auto chain = tbb::make_filter<void, UnitPtr>(tbb::filter_mode::serial_in_order,
                                                 [&source](tbb::flow_control& control) {
                                                   UnitPtr unit = source();
                                                   if (!unit) control.stop();
                                                   return unit;
                                                 });
    for (const StageSlot& stage : stages_) {
      chain = chain & tbb::make_filter<UnitPtr, UnitPtr>(Mode(stage.mode), [&stage](UnitPtr unit) {
                if (!unit) return unit;
                Stopwatch watch;
                unit = stage.process(std::move(unit));
                stage.counters->Record(watch.Seconds());
                return unit;
              });
    }
    StageCounters& sink_counters = registry_.Add(sink_name);
    tbb::parallel_pipeline(max_in_flight_,
                           chain & tbb::make_filter<UnitPtr, void>(tbb::filter_mode::serial_out_of_order,
                                                                   [&](UnitPtr unit) {
                                                                     Stopwatch watch;
                                                                     const bool counted = unit != nullptr;
                                                                     sink(std::move(unit));
                                                                     sink_counters.Record(watch.Seconds(), counted);
                                                                   }));
  }

 private:
  struct StageSlot {
    StageCounters* counters;
    StageMode mode;
    Process process;
  };

  static tbb::filter_mode Mode(StageMode mode) {
    return mode == StageMode::kParallel ? tbb::filter_mode::parallel : tbb::filter_mode::serial_out_of_order;
  }

  StageRegistry& registry_;
  const size_t max_in_flight_;
  std::vector<StageSlot> stages_;
};

}  // namespace docpipe::pipeline
