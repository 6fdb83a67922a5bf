// Shared helpers for the PDF extractor tests: the generated fixture corpus,
// its ground truth, the fixture scorer, and small hand-written PDFs for
// cases the corpus does not cover (a page that never finishes, a damaged page).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "docpipe/document.h"

namespace docpipe::pdf_test {

// Path of NAME.pdf in the generated corpus.
std::string CorpusPdf(const std::string& name);

// NAME.truth.json of the corpus.
nlohmann::json Truth(const std::string& name);

// A fresh scratch directory NAME under the build tree, private to the running test.
std::string ScratchDir(const std::string& name);

// All blocks of a document in reading order.
std::vector<const Block*> AllBlocks(const Document& document);

// Runs tests/fixtures/word_metrics.py on `document` against NAME's truth and
// returns its JSON report (recall, precision, order, removed, ...).
nlohmann::json WordMetrics(const std::string& name, const Document& document);

// Writes a minimal PDF whose pages have the given content streams (Helvetica
// as /F1, Helvetica-Bold as /F2); `forms` are extra Form XObjects /X0, /X1, ... available on every
// page, each with the same resources; every page has /Rotate `rotate` when it is not 0. Returns the file's path.
std::string WritePdf(const std::string& path, const std::vector<std::string>& page_contents,
                     const std::vector<std::string>& forms = {}, int rotate = 0);

// Same blocks (type, text, level, ordered, page, heading path) in the same order.
void ExpectSameBlocks(const Document& a, const Document& b);

}  // namespace docpipe::pdf_test
