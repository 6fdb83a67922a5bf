// ExtractionInputReader (docpipe/extract_input.h): a few threads read files
// ahead of one consumer, who takes them in path order.
#include <algorithm>
#include <condition_variable>
#include <map>
#include <thread>

#include "core/available_cpus.h"
#include "core/mutex.h"
#include "docpipe/extract_input.h"
#include "pipeline/document_conversion.h"

namespace docpipe {
namespace {

class ThreadedInputReader final : public ExtractionInputReader {
 public:
  ThreadedInputReader(std::vector<std::string> paths, const ExtractionInputOptions& options, int workers)
      : paths_(std::move(paths)), options_(options), window_(2 * static_cast<size_t>(workers)) {
    for (int i = 0; i < workers; ++i) threads_.emplace_back([this] { ReadLoop(); });
  }

  ~ThreadedInputReader() override {
    {
      MutexLock lock(mutex_);
      stopping_ = true;
      changed_.notify_all();
    }
    for (std::thread& thread : threads_) thread.join();
  }

  Result<ExtractionInput> Next() override {
    MutexLock lock(mutex_);
    if (next_to_take_ >= paths_.size()) return Status::InvalidArgument("no more inputs to read");
    while (read_.count(next_to_take_) == 0) lock.Wait(changed_);
    auto found = read_.find(next_to_take_);
    Result<ExtractionInput> input = std::move(found->second);
    read_.erase(found);
    ++next_to_take_;
    changed_.notify_all();  // a reader may go on past the window
    return input;
  }

 private:
  void ReadLoop() {
    for (;;) {
      size_t index = 0;
      {
        MutexLock lock(mutex_);
        while (!stopping_ && next_to_read_ < paths_.size() && next_to_read_ >= next_to_take_ + window_) {
          lock.Wait(changed_);
        }
        if (stopping_ || next_to_read_ >= paths_.size()) return;
        index = next_to_read_++;
      }
      Result<ExtractionInput> input = ReadExtractionInput(paths_[index], options_, [this] { return Pdf(); });
      MutexLock lock(mutex_);
      read_.emplace(index, std::move(input));
      changed_.notify_all();
    }
  }

  // This thread's PdfWorker; the engine is made by the first thread that meets a PDF.
  Result<PdfWorker*> Pdf() {
    pipeline::WorkerResources* resources = nullptr;
    {
      MutexLock lock(pdf_mutex_);
      if (!pdf_resources_) {
        DOCPIPE_ASSIGN_OR_RETURN(std::shared_ptr<const PdfEngine> engine, PdfEngine::Make(OcrOptions{}));
        pdf_resources_ = std::make_unique<pipeline::WorkerResources>(std::move(engine));
      }
      resources = pdf_resources_.get();
    }
    return resources->Pdf();
  }

  const std::vector<std::string> paths_;
  const ExtractionInputOptions options_;
  const size_t window_;

  Mutex pdf_mutex_;
  std::unique_ptr<pipeline::WorkerResources> pdf_resources_ DOCPIPE_GUARDED_BY(pdf_mutex_);

  Mutex mutex_;
  std::condition_variable changed_;
  std::map<size_t, Result<ExtractionInput>> read_ DOCPIPE_GUARDED_BY(mutex_);  // read, not yet taken
  size_t next_to_read_ DOCPIPE_GUARDED_BY(mutex_) = 0;
  size_t next_to_take_ DOCPIPE_GUARDED_BY(mutex_) = 0;
  bool stopping_ DOCPIPE_GUARDED_BY(mutex_) = false;
  std::vector<std::thread> threads_;                // last: started after everything above exists
};

}  // namespace

Result<std::unique_ptr<ExtractionInputReader>> ExtractionInputReader::Make(
    std::vector<std::string> paths, const ExtractionInputOptions& options, int workers) {
  if (workers < 0) return Status::InvalidArgument("--workers must not be negative");
  if (workers == 0) workers = AvailableCpus();
  // No more threads than files: a short run starts no idle threads.
  workers = std::max(1, std::min(workers, static_cast<int>(std::max<size_t>(paths.size(), 1))));
  return std::unique_ptr<ExtractionInputReader>(new ThreadedInputReader(std::move(paths), options, workers));
}

}  // namespace docpipe
