// Conversion in `docpipe extract`: the files of a directory read (converted,
// chunked, hashed) one at a time on one thread with one PdfWorker, as the
// command did before (the anchor), against ExtractionInputReader with N
// threads, in the same run. Prints both wall times and the ratio, and checks
// that both give the same chunks.
// Usage: docpipe_extract_read_bench DIR [--workers N] [--repeat R]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "docpipe/extract_input.h"
#include "docpipe/ingest.h"
#include "docpipe/pdf.h"

namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// The anchor: the loop `docpipe extract` ran before, with its one lazily made PdfWorker.
size_t ReadOneAtATime(const std::vector<std::string>& paths) {
  std::unique_ptr<docpipe::PdfWorker> worker;
  auto pdf = [&]() -> docpipe::Result<docpipe::PdfWorker*> {
    if (!worker) {
      DOCPIPE_ASSIGN_OR_RETURN(std::shared_ptr<const docpipe::PdfEngine> engine,
                               docpipe::PdfEngine::Make(docpipe::OcrOptions{}));
      DOCPIPE_ASSIGN_OR_RETURN(worker, docpipe::PdfWorker::Make(std::move(engine)));
    }
    return worker.get();
  };
  size_t chunks = 0;
  for (const std::string& path : paths) {
    docpipe::Result<docpipe::ExtractionInput> input = docpipe::ReadExtractionInput(path, {}, pdf);
    if (input.ok()) chunks += input->document.chunks.size();
  }
  return chunks;
}

size_t ReadWithReader(const std::vector<std::string>& paths, int workers) {
  auto reader = docpipe::ExtractionInputReader::Make(paths, {}, workers);
  if (!reader.ok()) {
    std::fprintf(stderr, "%s\n", reader.status().ToString().c_str());
    std::exit(1);
  }
  size_t chunks = 0;
  for (size_t i = 0; i < paths.size(); ++i) {
    docpipe::Result<docpipe::ExtractionInput> input = (*reader)->Next();
    if (input.ok()) chunks += input->document.chunks.size();
  }
  return chunks;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s DIR [--workers N] [--repeat R]\n", argv[0]);
    return 2;
  }
  int workers = 2, repeat = 3;
  for (int i = 2; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--workers") == 0) workers = std::atoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--repeat") == 0) repeat = std::atoi(argv[i + 1]);
  }
  docpipe::IngestOptions listing;
  listing.inputs = {argv[1]};
  docpipe::Result<std::vector<std::string>> paths = docpipe::CollectInputs(listing);
  if (!paths.ok() || paths->empty()) {
    std::fprintf(stderr, "no inputs in %s\n", argv[1]);
    return 2;
  }
  // Best of `repeat`, the two alternating, so both see the same load.
  double anchor = 1e300, reader = 1e300;
  size_t anchor_chunks = 0, reader_chunks = 0;
  for (int r = 0; r < repeat; ++r) {
    Clock::time_point start = Clock::now();
    anchor_chunks = ReadOneAtATime(*paths);
    anchor = std::min(anchor, Seconds(start));
    start = Clock::now();
    reader_chunks = ReadWithReader(*paths, workers);
    reader = std::min(reader, Seconds(start));
  }
  std::printf("%zu files, %zu chunks; one at a time %.3f s, reader with %d workers %.3f s; speed-up %.2fx\n",
              paths->size(), anchor_chunks, anchor, workers, reader, anchor / reader);
  if (anchor_chunks != reader_chunks) {
    std::fprintf(stderr, "chunk counts differ: %zu against %zu\n", anchor_chunks, reader_chunks);
    return 1;
  }
  return 0;
}
