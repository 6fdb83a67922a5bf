#include "pipeline/stage_registry.h"

namespace docpipe::pipeline {

StageCounters& StageRegistry::Add(const std::string& name) {
  MutexLock lock(mutex_);
  for (StageCounters& stage : stages_) {
    if (stage.name() == name) return stage;
  }
  return stages_.emplace_back(name);
}

std::vector<StageFigures> StageRegistry::Figures() const {
  MutexLock lock(mutex_);
  std::vector<StageFigures> figures;
  figures.reserve(stages_.size());
  for (const StageCounters& stage : stages_) figures.push_back(stage.Figures());
  return figures;
}

}  // namespace docpipe::pipeline
