// The PDF flags shared by `convert` and `ingest`: the password and the
// per-page and per-document budgets.
#pragma once

#include <CLI/CLI.hpp>

#include "docpipe/pdf.h"

namespace docpipe::cli {

// Adds --password, --page-timeout, --document-timeout, --max-pages and
// --pdf-memory-mb, writing into *options (which must outlive the parse).
void AddPdfOptions(CLI::App* cmd, PdfOptions* options);

}  // namespace docpipe::cli
