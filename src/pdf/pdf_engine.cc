#include "docpipe/pdf.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <limits>
#include <system_error>
#include <thread>

#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include "core/available_cpus.h"
#include "core/iso_date.h"
#include "pdf/document_budget.h"
#include "pdf/document_structurer.h"
#include "pdf/image_signature.h"
#include "pdf/mupdf_handles.h"
#include "pdf/page_extractor.h"
#include "pdf/page_tree.h"
#include "pdf/scanned_page.h"
#include "pdf/webp_image.h"

namespace docpipe {
namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

class PdfEngineImpl final : public PdfEngine {
 public:
  static Result<std::shared_ptr<const PdfEngineImpl>> MakeImpl(const OcrOptions& ocr) {
    const auto start = Clock::now();
    auto engine = std::make_shared<PdfEngineImpl>();
    engine->ocr_mode_ = ocr.mode;
    engine->ocr_dpi_ = ocr.dpi;
    if (ocr.mode != OcrMode::kNever) {
      DOCPIPE_ASSIGN_OR_RETURN(engine->ocr_model_, OcrModel::Make(ocr));
    }
    engine->make_seconds_ = SecondsSince(start);
    return std::shared_ptr<const PdfEngineImpl>(std::move(engine));
  }

  std::shared_ptr<const OcrModel> ocr_model() const override { return ocr_model_; }
  OcrMode ocr_mode() const override { return ocr_mode_; }
  int ocr_dpi() const { return ocr_dpi_; }

  double setup_seconds() const override {
    const int workers = workers_made_.load();
    const double per_worker = workers == 0 ? 0 : worker_seconds_.load() / workers;
    return make_seconds_ + per_worker;
  }

  // Workers report their setup time here; the engine is otherwise immutable.
  void RecordWorkerSetup(double seconds) const {
    double old = worker_seconds_.load();
    while (!worker_seconds_.compare_exchange_weak(old, old + seconds)) {
    }
    workers_made_.fetch_add(1);
  }

 private:
  double make_seconds_ = 0;
  OcrMode ocr_mode_ = OcrMode::kNever;
  int ocr_dpi_ = 300;
  std::shared_ptr<const OcrModel> ocr_model_;
  mutable std::atomic<double> worker_seconds_{0};
  mutable std::atomic<int> workers_made_{0};
};

// Extraction time measured around the page loop includes the pages'
// rendering and recognition, which are reported as stages of their own. (With
// pages on several threads the loop's wall time is less than their sum.)
void SplitOutOcrTime(StageSeconds* seconds) {
  seconds->extract = std::max(0.0, seconds->extract - seconds->render - seconds->ocr);
}

// Structure in one range: these paths promise the whole document on the calling thread.
constexpr int kWholeDocument = std::numeric_limits<int>::max();

bool Cancelled(const PdfOptions& options) { return options.cancel != nullptr && options.cancel->cancelled(); }

Status CancelledConversion(const std::string& path) { return Status::Cancelled("conversion of " + path + " cancelled"); }

// An open document on one worker's context.
struct OpenedDocument {
  pdf::DocumentPtr doc;
  int page_count = 0;
  // A broken page tree, repaired (pdf/page_tree.h): told once, as a problem
  // of the first page, since the document model has no place for the document's own.
  std::string problem;
};

// A page not started because its document ran out of time: the document
// fails as a whole (DocumentBudget::ExpiredStatus), so it is never seen.
pdf::RawPage SkippedPage(int index) {
  pdf::RawPage page;
  page.number = index + 1;
  page.error = "skipped: the document's time budget ran out";
  return page;
}

class PdfWorkerImpl final : public PdfWorker {
 public:
  static Result<std::unique_ptr<PdfWorkerImpl>> MakeImpl(std::shared_ptr<const PdfEngine> engine) {
    if (!engine) return Status::InvalidArgument("PdfWorker needs an engine");
    const auto start = Clock::now();
    auto worker = std::make_unique<PdfWorkerImpl>();
    worker->engine_ = std::static_pointer_cast<const PdfEngineImpl>(std::move(engine));
    DOCPIPE_ASSIGN_OR_RETURN(worker->ctx_, pdf::NewWorkerContext(&worker->warnings_, &worker->memory_));
    DOCPIPE_ASSIGN_OR_RETURN(worker->watchdog_, pdf::PageWatchdog::Make());
    worker->ocr_.mode = worker->engine_->ocr_model() ? worker->engine_->ocr_mode() : OcrMode::kNever;
    worker->ocr_.dpi = worker->engine_->ocr_dpi();
    worker->ocr_.session = [w = worker.get()] { return w->Session(); };
    worker->engine_->RecordWorkerSetup(SecondsSince(start));
    return worker;
  }

  // The Tesseract instance, initialised the first time a page needs it: a
  // worker that only sees digital pages never pays for it. A failed start is
  // remembered, so the pages after it fail at once with the same reason.
  Result<OcrSession*> Session() {
    if (!ocr_session_ && session_error_.ok()) {
      Result<std::unique_ptr<OcrSession>> session = OcrSession::Make(engine_->ocr_model());
      if (session.ok()) {
        ocr_session_ = std::move(session).value();
      } else {
        session_error_ = session.status();
      }
    }
    if (!ocr_session_) return session_error_;
    return ocr_session_.get();
  }

  // The reader follows the content, never the file's name. MuPDF 1.21 reads
  // no WebP: such a picture is decoded first, and one whose gray pixels alone
  // would not fit the worker's memory is refused unread.
  Result<pdf::DocumentPtr> OpenFile(const std::string& path, const PdfOptions& options) {
    const std::string head = pdf::FileHead(path);
    if (!pdf::IsWebp(head)) {
      const auto reader = pdf::ImageSignature(head).empty() ? pdf::MupdfReader::kPdf : pdf::MupdfReader::kImage;
      return pdf::OpenDocument(ctx_.get(), path, reader, options.password);
    }
    const int64_t max_pixels = options.worker_memory_bytes > 0 ? static_cast<int64_t>(options.worker_memory_bytes)
                                                                : std::numeric_limits<int64_t>::max();
    DOCPIPE_ASSIGN_OR_RETURN(const std::string pgm, pdf::WebpAsPgm(path, max_pixels));
    return pdf::OpenDocumentFromMemory(ctx_.get(), "pgm", pgm);
  }

  Result<OpenedDocument> Open(const std::string& path, const PdfOptions& options) {
    std::error_code error;
    if (!std::filesystem::is_regular_file(path, error)) {
      return Status::NotFound("no such PDF file: " + path);
    }
    memory_.set_limit(options.worker_memory_bytes);
    OpenedDocument opened;
    DOCPIPE_ASSIGN_OR_RETURN(opened.doc, OpenFile(path, options));
    DOCPIPE_ASSIGN_OR_RETURN(pdf::PageTree tree, pdf::PreparePageTree(ctx_.get(), opened.doc, options.max_pages));
    opened.page_count = tree.pages;
    opened.problem = std::move(tree.problem);
    if (opened.page_count <= 0) return Status::Corrupt("PDF has no pages: " + path);
    return opened;
  }

  DocumentMetadata Metadata(const OpenedDocument& opened) {
    DocumentMetadata metadata;
    fz_document* doc = opened.doc.get();
    metadata.title = pdf::LookupMetadata(ctx_.get(), doc, FZ_META_INFO_TITLE);
    metadata.author = pdf::LookupMetadata(ctx_.get(), doc, FZ_META_INFO_AUTHOR);
    metadata.producer = pdf::LookupMetadata(ctx_.get(), doc, FZ_META_INFO_PRODUCER);
    metadata.creator = pdf::LookupMetadata(ctx_.get(), doc, FZ_META_INFO_CREATOR);
    metadata.created = IsoDate(pdf::LookupMetadata(ctx_.get(), doc, FZ_META_INFO_CREATIONDATE));
    metadata.modified = IsoDate(pdf::LookupMetadata(ctx_.get(), doc, FZ_META_INFO_MODIFICATIONDATE));
    metadata.page_count = opened.page_count;
    return metadata;
  }

  pdf::RawPage Extract(const OpenedDocument& opened, int index, const PdfOptions& options,
                       const pdf::DocumentBudget& budget) {
    if (budget.Expired()) return SkippedPage(index);
    pdf::RawPage page = pdf::ExtractPage(ctx_.get(), opened.doc.get(), index,
                                         budget.PageSeconds(options.page_timeout_seconds), watchdog_.get(),
                                         &warnings_, ocr_, options.detect_tables);
    if (index == 0 && !opened.problem.empty()) {
      page.error = page.error.empty() ? opened.problem : opened.problem + "; " + page.error;
    }
    return page;
  }

  Result<Document> Convert(const std::string& path, const PdfOptions& options) override {
    const auto start = Clock::now();
    const pdf::DocumentBudget budget(options.document_timeout_seconds);
    DOCPIPE_ASSIGN_OR_RETURN(OpenedDocument opened, Open(path, options));
    return ConvertOpened(opened, path, options, SecondsSince(start), budget);
  }

  // Every page on this thread, then the document-level passes.
  Result<Document> ConvertOpened(const OpenedDocument& opened, const std::string& path, const PdfOptions& options,
                                 double open_seconds, const pdf::DocumentBudget& budget) {
    Document document;
    document.path = path;
    document.metadata = Metadata(opened);
      document.seconds.open = open_seconds;
    auto start = Clock::now();
    std::vector<pdf::RawPage> pages;
    pages.reserve(opened.page_count);
    for (int i = 0; i < opened.page_count; ++i) {
      if (Cancelled(options)) return CancelledConversion(path);
      pages.push_back(Extract(opened, i, options, budget));
    }
    if (budget.Expired()) return budget.ExpiredStatus();
    document.seconds.extract = SecondsSince(start);
    start = Clock::now();
    pdf::StructureDocument(std::move(pages), &document, kWholeDocument);
    document.seconds.structure = SecondsSince(start);
    SplitOutOcrTime(&document.seconds);
    return document;
  }

  // Page `index` of the document of conversion `conversion`, opening it on
  // this worker's context the first time and keeping it open for the next
  // page of the same conversion (a new conversion of the same path reopens:
  // the file may have changed).
  Result<pdf::RawPage> ExtractOne(uint64_t conversion, const std::string& path, const PdfOptions& options,
                                  const pdf::DocumentBudget& budget, int index) {
    if (cached_conversion_ != conversion || !cached_.doc) {
      cached_ = OpenedDocument{};
      cached_conversion_ = 0;
      DOCPIPE_ASSIGN_OR_RETURN(cached_, Open(path, options));
      cached_conversion_ = conversion;
    }
    return Extract(cached_, index, options, budget);
  }

  Result<DocumentMetadata> ReadMetadata(const std::string& path, const PdfOptions& options) override {
    DOCPIPE_ASSIGN_OR_RETURN(OpenedDocument opened, Open(path, options));
    return Metadata(opened);
  }

 private:
  std::shared_ptr<const PdfEngineImpl> engine_;
  pdf::WarningLog warnings_;  // written by MuPDF through ctx_, so declared before it
  pdf::MemoryBudget memory_;  // ctx_'s allocator, so declared before it
  // The document handles opened with ctx_ are dropped before it (locals of
  // the calls above), and the watchdog never touches the context.
  pdf::ContextPtr ctx_;
  std::unique_ptr<pdf::PageWatchdog> watchdog_;
  pdf::PageOcr ocr_;
  std::unique_ptr<OcrSession> ocr_session_;
  Status session_error_;
  // The document ExtractOne() last opened; declared after ctx_ so it is dropped first.
  uint64_t cached_conversion_ = 0;
  OpenedDocument cached_;
};

// The document-level passes over pages extracted since `extract_start`.
Document Structure(std::vector<pdf::RawPage> pages, Document document, Clock::time_point extract_start,
                   int range_pages) {
  document.seconds.extract = SecondsSince(extract_start);
  const auto start = Clock::now();
  pdf::StructureDocument(std::move(pages), &document, range_pages);
  document.seconds.structure = SecondsSince(start);
  SplitOutOcrTime(&document.seconds);
  return document;
}

// One helper thread of ConvertPdfParallel: its own worker (cloned context)
// and its own handle on the document; takes pages from a shared counter.
// A helper that cannot start just takes no pages: the calling thread keeps
// taking them until none are left, so every page is extracted either way.
void ExtractShare(const std::shared_ptr<const PdfEngine>& engine, const std::string& path,
                  const PdfOptions& options, const pdf::DocumentBudget& budget, std::atomic<int>* next_page,
                  std::vector<pdf::RawPage>* pages) {
  auto worker = PdfWorkerImpl::MakeImpl(engine);
  if (!worker.ok()) return;
  auto opened = (*worker)->Open(path, options);
  if (!opened.ok()) return;
  const int count = static_cast<int>(pages->size());
  for (int i = next_page->fetch_add(1); i < count; i = next_page->fetch_add(1)) {
    (*pages)[i] = (*worker)->Extract(*opened, i, options, budget);
  }
}

}  // namespace

Result<std::shared_ptr<const PdfEngine>> PdfEngine::Make() {
  OcrOptions off;
  off.mode = OcrMode::kNever;
  return Make(off);
}

Result<std::shared_ptr<const PdfEngine>> PdfEngine::Make(const OcrOptions& ocr) {
  DOCPIPE_ASSIGN_OR_RETURN(auto engine, PdfEngineImpl::MakeImpl(ocr));
  return std::shared_ptr<const PdfEngine>(std::move(engine));
}

Result<std::unique_ptr<PdfWorker>> PdfWorker::Make(std::shared_ptr<const PdfEngine> engine) {
  DOCPIPE_ASSIGN_OR_RETURN(auto worker, PdfWorkerImpl::MakeImpl(std::move(engine)));
  return std::unique_ptr<PdfWorker>(std::move(worker));
}

Result<Document> ConvertPdfParallel(std::shared_ptr<const PdfEngine> engine, const std::string& path,
                                    const PdfOptions& options, int workers) {
  if (workers <= 0) workers = AvailableCpus();
  DOCPIPE_ASSIGN_OR_RETURN(auto lead, PdfWorkerImpl::MakeImpl(engine));
  Document document;
  document.path = path;
  auto start = Clock::now();
  const pdf::DocumentBudget budget(options.document_timeout_seconds);
  DOCPIPE_ASSIGN_OR_RETURN(OpenedDocument opened, lead->Open(path, options));
  document.metadata = lead->Metadata(opened);
  document.seconds.open = SecondsSince(start);
  workers = std::min(workers, opened.page_count);
  if (workers <= 1) return lead->ConvertOpened(opened, path, options, document.seconds.open, budget);
  start = Clock::now();
  std::vector<pdf::RawPage> pages(opened.page_count);
  std::atomic<int> next_page{0};
  {
    std::vector<std::jthread> helpers;
    helpers.reserve(workers - 1);
    try {
      for (int t = 1; t < workers; ++t) {
        helpers.emplace_back([&] { ExtractShare(engine, path, options, budget, &next_page, &pages); });
      }
    } catch (const std::system_error&) {
      // Fewer threads than asked for: the pages still all get extracted.
    }
    const int count = opened.page_count;
    for (int i = next_page.fetch_add(1); i < count; i = next_page.fetch_add(1)) {
      pages[i] = lead->Extract(opened, i, options, budget);
    }
  }
  if (budget.Expired()) return budget.ExpiredStatus();
  return Structure(std::move(pages), std::move(document), start, kWholeDocument);
}

Result<Document> ConvertPdfInArena(const std::string& path, const PdfOptions& options,
                                   const PdfWorkerForThread& worker_for_thread) {
  DOCPIPE_ASSIGN_OR_RETURN(PdfWorker* lead_worker, worker_for_thread());
  auto* lead = static_cast<PdfWorkerImpl*>(lead_worker);
  Document document;
  document.path = path;
  auto start = Clock::now();
  const pdf::DocumentBudget budget(options.document_timeout_seconds);
  DOCPIPE_ASSIGN_OR_RETURN(OpenedDocument opened, lead->Open(path, options));
  document.metadata = lead->Metadata(opened);
  document.seconds.open = SecondsSince(start);
  if (opened.page_count <= 1) return lead->ConvertOpened(opened, path, options, document.seconds.open, budget);
  start = Clock::now();
  static std::atomic<uint64_t> conversions{0};
  const uint64_t conversion = ++conversions;
  std::vector<pdf::RawPage> pages(opened.page_count);
  std::vector<Status> failures(opened.page_count);
  // Isolated: while it waits, the calling thread takes only pages of this
  // document, never another pipeline task that would use its worker.
  tbb::this_task_arena::isolate([&] {
    tbb::parallel_for(0, opened.page_count, [&](int index) {
      if (Cancelled(options)) {
        failures[index] = CancelledConversion(path);
        return;
      }
      Result<PdfWorker*> worker = worker_for_thread();
      if (!worker.ok()) {
        failures[index] = worker.status();
        return;
      }
      auto* impl = static_cast<PdfWorkerImpl*>(*worker);
      if (impl == lead) {
        pages[index] = lead->Extract(opened, index, options, budget);
        return;
      }
      Result<pdf::RawPage> page = impl->ExtractOne(conversion, path, options, budget, index);
      if (page.ok()) {
        pages[index] = std::move(page).value();
      } else {
        failures[index] = page.status();
      }
    });
  });
  if (Cancelled(options)) return CancelledConversion(path);
  // A helper that could not open the document (it opened for the lead, so
  // this is rare: memory, a file replaced meanwhile) leaves its pages to the lead.
  for (int index = 0; index < opened.page_count; ++index) {
    if (!failures[index].ok()) pages[index] = lead->Extract(opened, index, options, budget);
  }
  if (budget.Expired()) return budget.ExpiredStatus();
  // Structured by page ranges on the arena's threads: see StructureDocument.
  return Structure(std::move(pages), std::move(document), start, options.range_pages);
}

}  // namespace docpipe
