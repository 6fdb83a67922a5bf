// The PDF flags shared by `convert` and `ingest`: the password, the
// per-page and per-document budgets, and table detection.
#pragma once

#include <CLI/CLI.hpp>

#include "docpipe/pdf.h"

namespace docpipe::cli {

// Adds --password, --page-timeout, --document-timeout, --max-pages,
// --pdf-memory-mb and --no-tables, writing into *options (which must outlive
// the parse).
void AddPdfOptions(CLI::App* cmd, PdfOptions* options);

}  // namespace docpipe::cli
