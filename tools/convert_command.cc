// `docpipe convert`: documents to Markdown, JSON or plain text, without a store.
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

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
  std::vector<std::string> inputs;
  std::string to = "md";
  std::string output;      // one input: empty = stdout
  std::string output_dir;  // several inputs: one file each, named after it
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
// The engine is made once, for the first PDF or image, and shared by the
// rest of the run, as is the image worker.
class Converter {
 public:
  explicit Converter(const ConvertFlags& flags) : flags_(flags) {}

  // A set-up problem (an OCR language not installed) is `usage_error`.
  Result<Document> Convert(const std::string& input, bool* usage_error) {
    const FileFormat format = DetectFileFormat(input).format;
    if ((format == FileFormat::kPdf || format == FileFormat::kImage) && !engine_) {
      Result<std::shared_ptr<const PdfEngine>> made = MakeEngine(flags_);
      if (!made.ok()) {
        *usage_error = true;
        return made.status();
      }
      engine_ = std::move(made).value();
    }
    if (format == FileFormat::kPdf) return ConvertPdfParallel(engine_, input, flags_.pdf, flags_.workers);
    return ConvertFile(input, {.limits = {}, .pdf = flags_.pdf}, [&]() -> Result<PdfWorker*> {
      if (!image_worker_) {
        DOCPIPE_ASSIGN_OR_RETURN(image_worker_, PdfWorker::Make(engine_));
      }
      return image_worker_.get();
    });
  }

 private:
  const ConvertFlags& flags_;
  std::shared_ptr<const PdfEngine> engine_;
  std::unique_ptr<PdfWorker> image_worker_;
};

std::string Render(const Document& document, const std::string& to) {
  return to == "json" ? RenderJson(document) : to == "text" ? RenderText(document) : RenderMarkdown(document);
}

bool WriteOutput(const std::string& rendered, const std::string& path) {
  FILE* out = stdout;
  if (!path.empty()) {
    out = std::fopen(path.c_str(), "wb");
    if (out == nullptr) {
      std::fprintf(stderr, "docpipe convert: cannot write %s\n", path.c_str());
      return false;
    }
  }
  bool written = std::fwrite(rendered.data(), 1, rendered.size(), out) == rendered.size();
  if (out != stdout) written = (std::fclose(out) == 0) && written;
  if (!written) std::fprintf(stderr, "docpipe convert: writing %s failed\n", path.empty() ? "the output" : path.c_str());
  return written;
}

// Where each input's rendering goes: stdout or --output for one input, else
// <output-dir>/<input's name without extension>.<md|json|txt>. Two inputs
// that would write one file are a usage error, found before any work.
Result<std::vector<std::string>> OutputPaths(const ConvertFlags& flags) {
  if (flags.inputs.size() == 1 && flags.output_dir.empty()) return std::vector<std::string>{flags.output};
  if (flags.output_dir.empty()) {
    return Status::InvalidArgument("several inputs need --output-dir (one output file each)");
  }
  if (!flags.output.empty()) return Status::InvalidArgument("--output and --output-dir exclude each other");
  const std::string extension = flags.to == "text" ? ".txt" : "." + flags.to;
  std::vector<std::string> paths;
  std::map<std::string, std::string> taken;  // output path -> input
  for (const std::string& input : flags.inputs) {
    const std::string path =
        (std::filesystem::path(flags.output_dir) / std::filesystem::path(input).stem()).string() + extension;
    const auto [it, fresh] = taken.emplace(path, input);
    if (!fresh) return Status::InvalidArgument(input + " and " + it->second + " would both be written to " + path);
    paths.push_back(path);
  }
  return paths;
}

void RunConvert(const ConvertFlags& flags) {
  Result<std::vector<std::string>> outputs = OutputPaths(flags);
  if (!outputs.ok()) {
    std::fprintf(stderr, "docpipe convert: %s\n", outputs.status().message().c_str());
    SetExitCode(kExitUsage);
    return;
  }
  if (!flags.output_dir.empty()) {
    std::error_code error;
    std::filesystem::create_directories(flags.output_dir, error);
    if (error) {
      std::fprintf(stderr, "docpipe convert: cannot create %s: %s\n", flags.output_dir.c_str(), error.message().c_str());
      SetExitCode(kExitError);
      return;
    }
  }
  // A document that fails is reported and the others are still converted.
  Converter converter(flags);
  int exit_code = kExitOk;
  for (size_t i = 0; i < flags.inputs.size(); ++i) {
    const std::string& input = flags.inputs[i];
    bool usage_error = false;
    Result<Document> document = converter.Convert(input, &usage_error);
    if (!document.ok()) {
      std::fprintf(stderr, "docpipe convert: %s: %s\n", input.c_str(), document.status().ToString().c_str());
      if (usage_error) {
        SetExitCode(kExitUsage);
        return;
      }
      exit_code = kExitInputFailed;
      continue;
    }
    if (!WriteOutput(Render(*document, flags.to), (*outputs)[i])) {
      SetExitCode(kExitError);
      return;
    }
    for (const std::string& problem : DocumentProblems(*document)) {
      std::fprintf(stderr, "docpipe convert: %s%s%s\n", flags.inputs.size() > 1 ? input.c_str() : "",
                   flags.inputs.size() > 1 ? ": " : "", problem.c_str());
    }
  }
  SetExitCode(exit_code);
}

void RegisterConvert(CLI::App& app) {
  auto flags = std::make_shared<ConvertFlags>();
  CLI::App* cmd = app.add_subcommand("convert", "Convert documents (PDF, HTML, EPUB, DOCX, image, text, Markdown) to Markdown, JSON or text");
  cmd->footer(
      "Pages of a PDF are spread over --workers threads and reassembled in order. Pages without a\n"
      "text layer are recognised with Tesseract (--ocr auto); a page that fails or runs past\n"
      "--page-timeout is reported on stderr and the rest of the document is still converted; a document\n"
      "past --document-timeout or --max-pages fails with the reason.\n"
      "The type comes from the content: HTML, EPUB and DOCX are read by their structure (headings,\n"
      "lists, tables), images are OCR'd as one page each (TIFF: one per image).\n"
      "Several inputs are converted in one process (one engine, no start-up per file) into --output-dir,\n"
      "one file each named after its input; a document that fails is reported and the rest converted.");
  cmd->add_option("inputs", flags->inputs, "The documents")->required();
  cmd->add_option("--to", flags->to, "Output format")->check(CLI::IsMember({"md", "json", "text"}))->capture_default_str();
  cmd->add_option("-o,--output", flags->output, "Write to this file instead of stdout (one input)");
  cmd->add_option("--output-dir", flags->output_dir, "Write one file per input into this folder");
  cmd->add_option("--workers,-j", flags->workers, "Threads for the pages (0 = the CPUs this process may run on)")->capture_default_str();
  AddPdfOptions(cmd, &flags->pdf);
  AddOcrOptions(cmd, &flags->ocr_mode, &flags->ocr);
  cmd->callback([flags] { RunConvert(*flags); });
}

}  // namespace

DOCPIPE_REGISTER_COMMAND(RegisterConvert);

}  // namespace docpipe::cli
