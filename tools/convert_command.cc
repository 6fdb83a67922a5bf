// `docpipe convert`: one document to Markdown, JSON or plain text.
#include <cstdio>
#include <memory>

#include "command.h"
#include "docpipe/document_problems.h"
#include "docpipe/formats.h"
#include "docpipe/pdf.h"
#include "docpipe/render.h"
#include "ocr_flags.h"
#include "pdf_flags.h"

namespace docpipe::cli {
namespace {

struct ConvertFlags {
  std::string input;
  std::string to = "md";
  std::string output;  // empty = stdout
  int workers = 0;
  PdfOptions pdf;
  OcrOptions ocr;
  std::string ocr_mode = "auto";
};

Result<std::shared_ptr<const PdfEngine>> MakeEngine(const ConvertFlags& flags) {
  OcrOptions ocr = flags.ocr;
  DOCPIPE_ASSIGN_OR_RETURN(ocr.mode, ParseOcrMode(flags.ocr_mode));
  return PdfEngine::Make(ocr);
}

// PDFs spread their pages over --workers; every other format goes through
// ConvertFile, images with a PDF worker of their own (they are OCR'd pages).
Result<Document> ConvertInput(const ConvertFlags& flags, FileFormat format,
                              const std::shared_ptr<const PdfEngine>& engine) {
  if (format == FileFormat::kPdf) return ConvertPdfParallel(engine, flags.input, flags.pdf, flags.workers);
  std::unique_ptr<PdfWorker> worker;
  return ConvertFile(flags.input, {.limits = {}, .pdf = flags.pdf}, [&]() -> Result<PdfWorker*> {
    if (!worker) {
      DOCPIPE_ASSIGN_OR_RETURN(worker, PdfWorker::Make(engine));
    }
    return worker.get();
  });
}

void RunConvert(const ConvertFlags& flags) {
  const FileFormat format = DetectFileFormat(flags.input).format;
  std::shared_ptr<const PdfEngine> engine;
  if (format == FileFormat::kPdf || format == FileFormat::kImage) {
    // Set-up problems (an OCR language not installed) are usage errors, told once.
    Result<std::shared_ptr<const PdfEngine>> made = MakeEngine(flags);
    if (!made.ok()) {
      std::fprintf(stderr, "docpipe convert: %s\n", made.status().ToString().c_str());
      SetExitCode(kExitUsage);
      return;
    }
    engine = std::move(made).value();
  }
  Result<Document> document = ConvertInput(flags, format, engine);
  if (!document.ok()) {
    std::fprintf(stderr, "docpipe convert: %s: %s\n", flags.input.c_str(), document.status().ToString().c_str());
    SetExitCode(kExitInputFailed);
    return;
  }
  std::string rendered = flags.to == "json" ? RenderJson(*document)
                         : flags.to == "text" ? RenderText(*document)
                                              : RenderMarkdown(*document);
  FILE* out = stdout;
  if (!flags.output.empty()) {
    out = std::fopen(flags.output.c_str(), "wb");
    if (out == nullptr) {
      std::fprintf(stderr, "docpipe convert: cannot write %s\n", flags.output.c_str());
      SetExitCode(kExitError);
      return;
    }
  }
  bool written = std::fwrite(rendered.data(), 1, rendered.size(), out) == rendered.size();
  if (out != stdout) written = (std::fclose(out) == 0) && written;
  if (!written) {
    std::fprintf(stderr, "docpipe convert: writing the output failed\n");
    SetExitCode(kExitError);
    return;
  }
  for (const std::string& problem : DocumentProblems(*document)) {
    std::fprintf(stderr, "docpipe convert: %s\n", problem.c_str());
  }
  SetExitCode(kExitOk);
}

void RegisterConvert(CLI::App& app) {
  auto flags = std::make_shared<ConvertFlags>();
  CLI::App* cmd = app.add_subcommand("convert", "Convert one document (PDF, HTML, EPUB, DOCX, image, text, Markdown) to Markdown, JSON or text");
  cmd->footer(
      "Pages of a PDF are spread over --workers threads and reassembled in order. Pages without a\n"
      "text layer are recognised with Tesseract (--ocr auto); a page that fails or runs past\n"
      "--page-timeout is reported on stderr and the rest of the document is still converted; a document\n"
      "past --document-timeout or --max-pages fails with the reason.\n"
      "The type comes from the content: HTML, EPUB and DOCX are read by their structure (headings,\n"
      "lists, tables), images are OCR'd as one page each (TIFF: one per image).");
  cmd->add_option("input", flags->input, "The document")->required();
  cmd->add_option("--to", flags->to, "Output format")->check(CLI::IsMember({"md", "json", "text"}))->capture_default_str();
  cmd->add_option("-o,--output", flags->output, "Write to this file instead of stdout");
  cmd->add_option("--workers,-j", flags->workers, "Threads for the pages (0 = all cores)")->capture_default_str();
  AddPdfOptions(cmd, &flags->pdf);
  AddOcrOptions(cmd, &flags->ocr_mode, &flags->ocr);
  cmd->callback([flags] { RunConvert(*flags); });
}

}  // namespace

DOCPIPE_REGISTER_COMMAND(RegisterConvert);

}  // namespace docpipe::cli
