// Helpers of the OCR tests: the scanned fixtures, their truth, and the
// measures compared against it (character error rate, word-order similarity).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "docpipe/document.h"

namespace docpipe::scan_test {

std::string ScanPdf(const std::string& name);
nlohmann::json ScanTruth(const std::string& name);

// Words separated by single spaces: line and paragraph breaks are layout.
std::string Words(std::string_view text);

// The page's block texts, in order, as Words.
std::string PageText(const Page& page);

// Levenshtein distance over bytes (the fixtures' text is ASCII) / truth length.
double CharacterErrorRate(const std::string& truth, const std::string& read);

// Of the words both texts share (lower case, punctuation stripped, counted
// with multiplicity), the share that `read` has in the truth's order: the
// longest common subsequence of the two word sequences over the shared
// count. Recognition errors do not lower it; lines read out of order do.
double WordOrderSimilarity(const std::string& truth, const std::string& read);

}  // namespace docpipe::scan_test
