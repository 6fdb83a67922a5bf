// Collects the blocks of a document read from a markup format (HTML, DOCX)
// in reading order, keeping heading paths, and assembles the Document.
// Single-threaded: one builder per conversion.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "docpipe/document.h"

namespace docpipe::formats {

// Runs of white space (spaces, tabs, line ends, non-breaking spaces) as one
// space, without leading or trailing space.
std::string CollapseSpace(std::string_view text);
// The same within each line, explicit line breaks ('\n') kept, empty lines dropped.
std::string CollapseSpaceKeepingLines(std::string_view text);

class DocumentBuilder {
 public:
  // Blocks added from now on belong to a new page (EPUB: one per spine
  // document) numbered from 1; the first is started by the constructor.
  void StartPage();

  // Texts are NFC-normalised; blocks with no visible text are dropped.
  void Heading(int level, std::string_view text);   // level clamped to 1..6
  void Paragraph(std::string_view text);            // space collapsed
  // Space collapsed within each line, explicit line breaks ('\n') kept.
  void LineBrokenParagraph(std::string_view text);
  void Code(std::string_view text);                 // kCode: line breaks and indentation kept
  void Caption(std::string_view text);
  void ListItem(int depth, bool ordered, std::string_view text);  // line breaks kept
  // Appends a further paragraph to the last list item (a second <p> in an <li>).
  void ContinueListItem(std::string_view text);
  // A table (texts of its cells already collapsed); its caption, if any, as a
  // kCaption block after it.
  void AddTable(Table table);

  bool empty() const;
  // The first heading's text, for a title when the format has none.
  std::string FirstHeading() const;

  Document Finish(const std::string& path, DocumentMetadata metadata);

 private:
  void Add(Block block);

  std::vector<Page> pages_;
  std::vector<std::pair<int, std::string>> open_headings_;  // (level, text), outermost first
};

}  // namespace docpipe::formats
