// `docpipe convert`: one document to Markdown, JSON or plain text.
#include <cstdio>
#include <memory>

#include "command.h"
#include "docpipe/pdf.h"
#include "docpipe/render.h"
#include "docpipe/text_document.h"

namespace docpipe::cli {
namespace {

struct ConvertFlags {
  std::string input;
  std::string to = "md";
  std::string output;  // empty = stdout
  int workers = 0;
  PdfOptions pdf;
};

Result<Document> Load(const ConvertFlags& flags) {
  if (IsTextFilePath(flags.input)) return ParseTextFile(flags.input);
  DOCPIPE_ASSIGN_OR_RETURN(std::shared_ptr<const PdfEngine> engine, PdfEngine::Make());
  return ConvertPdfParallel(engine, flags.input, flags.pdf, flags.workers);
}

void RunConvert(const ConvertFlags& flags) {
  Result<Document> document = Load(flags);
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
  for (const Page& page : document->pages) {
    if (!page.error.empty()) std::fprintf(stderr, "docpipe convert: page %d: %s\n", page.number, page.error.c_str());
  }
  SetExitCode(kExitOk);
}

void RegisterConvert(CLI::App& app) {
  auto flags = std::make_shared<ConvertFlags>();
  CLI::App* cmd = app.add_subcommand("convert", "Convert one document (PDF, text, Markdown) to Markdown, JSON or text");
  cmd->footer(
      "Pages of a PDF are spread over --workers threads and reassembled in order. Pages without a\n"
      "text layer are marked as needing OCR; a page that fails or runs past --page-timeout is reported\n"
      "on stderr and the rest of the document is still converted.");
  cmd->add_option("input", flags->input, "The document")->required();
  cmd->add_option("--to", flags->to, "Output format")->check(CLI::IsMember({"md", "json", "text"}))->capture_default_str();
  cmd->add_option("-o,--output", flags->output, "Write to this file instead of stdout");
  cmd->add_option("--workers,-j", flags->workers, "Threads for the pages (0 = all cores)")->capture_default_str();
  cmd->add_option("--password", flags->pdf.password, "Password of an encrypted PDF");
  cmd->add_option("--page-timeout", flags->pdf.page_timeout_seconds, "Seconds allowed per page")->capture_default_str();
  cmd->callback([flags] { RunConvert(*flags); });
}

}  // namespace

DOCPIPE_REGISTER_COMMAND(RegisterConvert);

}  // namespace docpipe::cli
