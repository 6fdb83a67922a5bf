// Shared by the format tests: fixture paths, conversion without a PDF worker,
// word recall against a truth file.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "docpipe/document.h"
#include "docpipe/formats.h"

namespace docpipe::formats_test {

std::string Fixture(const std::string& name);  // DOCPIPE_FORMATS_CORPUS_DIR/name
nlohmann::json Truth(const std::string& name);  // name.truth.json

// ConvertFile with a PDF worker made on demand (no OCR: kNever).
Result<Document> Convert(const std::string& path, const ConvertFileOptions& options = {});
// The same with OCR on (English), as images need.
Result<Document> ConvertWithOcr(const std::string& path);

// Tokens as tests/fixtures/word_metrics.py makes them: split on white space,
// punctuation stripped from both ends, case kept.
// The text of fixture `name` converted; a failed conversion fails the test and gives "".
std::string TextOf(const std::string& name);

std::vector<std::string> Words(const std::string& text);
// Share of `truth` words (as a multiset) found in `text`.
double WordRecall(const std::string& truth, const std::string& text);

// Every truth block's text (table cells included), joined by newlines.
std::string TruthText(const nlohmann::json& truth);

std::vector<const Block*> BlocksOf(const Document& document, BlockType type);

}  // namespace docpipe::formats_test
