// Text-level rules of the structurer: list markers, caption prefixes, and
// joining wrapped lines (hyphenated breaks, soft hyphens).
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace docpipe::pdf {

struct ListMarker {
  bool found = false;
  bool ordered = false;
  size_t length = 0;  // bytes to strip: the marker and the spaces after it
};

// "• item", "- item", "3. item", "b) item", "(iv) item".
ListMarker ParseListMarker(std::string_view text);

// "Figure 3: ...", "Fig. 2. ...", "Table 1 ...", "Tab. 1", "TABLE II. ...".
bool IsCaption(std::string_view text);

// A caption of a table: "Table 3: ...", "Tab. 1 ...", "TABLE II. ...".
bool IsTableCaption(std::string_view text);

// Lower-case words of the document that occur whole (not split at a line
// end); decides whether "well-" + "known" was a compound or a broken word.
class Vocabulary {
 public:
  // Adds the words of one line; `after_break` skips its first word (the tail
  // of a word broken on the line before), and a last word broken by a hyphen
  // is skipped too.
  void AddLine(std::string_view text, bool after_break);
  bool Contains(std::string_view word) const { return words_.count(std::string(word)) > 0; }
  // Adds the words of `other` (vocabularies of parts of a document, built apart).
  void Merge(Vocabulary&& other) { words_.merge(other.words_); }

 private:
  std::unordered_set<std::string> words_;
};

// True when `line` ends with a hyphen that may be a line-break hyphen.
bool EndsWithHyphen(std::string_view line);

// Joins the lines of one block into its text. A line ending in letter + '-'
// followed by a lower-case start is joined without the hyphen, unless the
// fragment is already a compound ("state-of-" + "the-art") or the document
// spells the word with a hyphen elsewhere; before an upper-case letter or a
// digit the hyphen stays. Soft hyphens are dropped. `vocabulary` may be null.
std::string JoinLines(const std::vector<std::string_view>& lines, const Vocabulary* vocabulary);

}  // namespace docpipe::pdf
