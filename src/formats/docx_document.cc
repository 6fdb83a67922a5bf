#include "formats/docx_document.h"

#include <pugixml.hpp>

#include <cstdlib>
#include <map>
#include <memory>
#include <vector>

#include "core/ascii_lower.h"
#include "core/iso_date.h"
#include "formats/document_builder.h"
#include "formats/table_grid.h"
#include "formats/xml_names.h"
#include "formats/zip_archive.h"

namespace docpipe::formats {
namespace {

// The value of the "w:val"-like attribute (any prefix).
std::string_view Val(const pugi::xml_node& node, std::string_view local = "val") {
  for (pugi::xml_attribute attribute = node.first_attribute(); attribute; attribute = attribute.next_attribute()) {
    std::string_view name = attribute.name();
    const size_t colon = name.find(':');
    if ((colon == std::string_view::npos ? name : name.substr(colon + 1)) == local) return attribute.value();
  }
  return {};
}

int ToInt(std::string_view text, int fallback) {
  if (text.empty()) return fallback;
  int value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return fallback;
    value = std::min(value * 10 + (c - '0'), 1'000'000);
  }
  return value;
}

Result<pugi::xml_document> ParseXml(const std::string& bytes, const std::string& part) {
  pugi::xml_document doc;
  // No DOCTYPE handling beyond skipping it: pugixml never expands custom
  // entities nor fetches external ones.
  // parse_ws_pcdata: a run of only spaces (<w:t xml:space="preserve"> </w:t>)
  // separates words and must not be dropped.
  const pugi::xml_parse_result parsed = doc.load_buffer(
      bytes.data(), bytes.size(), (pugi::parse_default | pugi::parse_ws_pcdata) & ~pugi::parse_doctype);
  if (!parsed) return Status::Corrupt(part + ": malformed XML: " + parsed.description());
  return doc;
}

// An optional part: empty document when the archive does not have it.
Result<pugi::xml_document> ReadOptionalPart(ZipArchive& zip, const std::string& part) {
  if (!zip.Has(part)) return pugi::xml_document();
  DOCPIPE_ASSIGN_OR_RETURN(std::string bytes, zip.Read(part));
  return ParseXml(bytes, part);
}

struct StyleInfo {
  int heading_level = 0;  // 0: not a heading
  bool caption = false;
  bool code = false;
  std::string num_id;  // numbering set by the style (python-docx's "List Bullet")
  int num_level = 0;   // the numbering level (ilvl) the style sets
  int name_depth = 0;  // "List Bullet 2": one level deeper than "List Bullet"
};

struct ListLevelFormats {
  std::map<std::string, std::string> num_to_abstract;
  std::map<std::pair<std::string, int>, bool> ordered;  // (abstractNumId, ilvl) -> ordered
  bool Ordered(const std::string& num_id, int level) const {
    auto abstract = num_to_abstract.find(num_id);
    if (abstract == num_to_abstract.end()) return false;
    auto it = ordered.find({abstract->second, level});
    return it != ordered.end() && it->second;
  }
};

int HeadingLevelOfStyleName(const std::string& name) {
  if (name == "title") return 1;
  if (name.rfind("heading ", 0) == 0 && name.size() == 9 && name[8] >= '1' && name[8] <= '9') return name[8] - '0';
  return 0;
}

std::map<std::string, StyleInfo> ReadStyles(const pugi::xml_document& styles) {
  std::map<std::string, StyleInfo> infos;
  std::map<std::string, std::string> based_on;
  for (pugi::xml_node style : Child(styles, "styles").children()) {
    if (LocalName(style) != "style") continue;
    const std::string id(Val(style, "styleId"));
    StyleInfo info;
    const std::string name = AsciiLower(Val(Child(style, "name")));
    info.heading_level = HeadingLevelOfStyleName(name);
    const pugi::xml_node ppr = Child(style, "pPr");
    if (pugi::xml_node outline = Child(ppr, "outlineLvl"); outline && info.heading_level == 0) {
      const int level = ToInt(Val(outline), 9);
      if (level < 9) info.heading_level = level + 1;
    }
    info.caption = name == "caption";
    if (name.rfind("list", 0) == 0 && name.size() > 2 && name[name.size() - 2] == ' ' &&
        name.back() >= '2' && name.back() <= '9') {
      info.name_depth = name.back() - '1';
    }
    info.code = name.find("code") != std::string::npos || name == "html preformatted";
    if (pugi::xml_node num = Child(ppr, "numPr")) {
      info.num_id = Val(Child(num, "numId"));
      info.num_level = ToInt(Val(Child(num, "ilvl")), 0);
    }
    if (pugi::xml_node base = Child(style, "basedOn")) based_on[id] = Val(base);
    infos[id] = std::move(info);
  }
  // Headings and numbering are inherited through basedOn (a few steps deep).
  for (auto& [id, info] : infos) {
    std::string parent = id;
    for (int step = 0; step < 8 && info.heading_level == 0; ++step) {
      auto it = based_on.find(parent);
      if (it == based_on.end()) break;
      parent = it->second;
      if (auto base = infos.find(parent); base != infos.end()) info.heading_level = base->second.heading_level;
    }
  }
  return infos;
}

ListLevelFormats ReadNumbering(const pugi::xml_document& numbering) {
  ListLevelFormats formats;
  const pugi::xml_node root = Child(numbering, "numbering");
  for (pugi::xml_node node : root.children()) {
    if (LocalName(node) == "abstractNum") {
      const std::string abstract_id(Val(node, "abstractNumId"));
      for (pugi::xml_node level : node.children()) {
        if (LocalName(level) != "lvl") continue;
        const std::string format(Val(Child(level, "numFmt")));
        formats.ordered[{abstract_id, ToInt(Val(level, "ilvl"), 0)}] =
            !format.empty() && format != "bullet" && format != "none";
      }
    } else if (LocalName(node) == "num") {
      formats.num_to_abstract[std::string(Val(node, "numId"))] = Val(Child(node, "abstractNumId"));
    }
  }
  return formats;
}

class DocxReader {
 public:
  DocxReader(std::map<std::string, StyleInfo> styles, ListLevelFormats lists)
      : styles_(std::move(styles)), lists_(std::move(lists)) {}

  // Body children in order, without recursion into the XML beyond tables.
  void ReadBody(const pugi::xml_node& body) {
    std::vector<pugi::xml_node> pending{body.first_child()};
    while (!pending.empty()) {
      pugi::xml_node node = pending.back();
      pending.pop_back();
      if (!node) continue;
      pending.push_back(node.next_sibling());
      const std::string_view name = LocalName(node);
      if (name == "p") {
        ReadParagraph(node);
      } else if (name == "tbl") {
        builder_.AddTable(ReadTable(node));
      } else if (name == "sdt") {
        pending.push_back(Child(node, "sdtContent").first_child());
      }
    }
  }

  // Footnotes or endnotes ("footnote"/"endnote" elements) as paragraphs "[n] text".
  void ReadNotes(const pugi::xml_document& notes, std::string_view element) {
    for (pugi::xml_node note : notes.first_child().children()) {
      if (LocalName(note) != element) continue;
      const std::string_view type = Val(note, "type");
      if (!type.empty() && type != "normal") continue;  // separators
      std::string text;
      for (pugi::xml_node p : note.children()) {
        if (LocalName(p) == "p") text += ParagraphText(p) + " ";
      }
      builder_.Paragraph("[" + std::string(Val(note, "id")) + "] " + text);
    }
  }

  DocumentBuilder& builder() { return builder_; }

 private:
  void ReadParagraph(const pugi::xml_node& p) {
    const pugi::xml_node ppr = Child(p, "pPr");
    const std::string style_id(Val(Child(ppr, "pStyle")));
    StyleInfo style;
    if (auto it = styles_.find(style_id); it != styles_.end()) style = it->second;
    if (pugi::xml_node outline = Child(ppr, "outlineLvl")) {
      const int level = ToInt(Val(outline), 9);
      if (level < 9) style.heading_level = level + 1;
    }
    std::string num_id = style.num_id;
    int num_level = style.num_level;
    int depth = style.num_level + style.name_depth;
    if (pugi::xml_node num = Child(ppr, "numPr")) {
      if (pugi::xml_node id = Child(num, "numId")) num_id = Val(id);
      if (pugi::xml_node level = Child(num, "ilvl")) depth = num_level = ToInt(Val(level), 0);
    }
    const std::string text = ParagraphText(p);
    if (style.heading_level > 0) {
      builder_.Heading(style.heading_level, text);
    } else if (!num_id.empty() && num_id != "0") {
      builder_.ListItem(std::min(depth, 8), lists_.Ordered(num_id, num_level), text);
    } else if (style.caption) {
      builder_.Caption(text);
    } else if (style.code) {
      builder_.Code(text);
    } else {
      builder_.LineBrokenParagraph(text);
    }
  }

  // Runs' text in order: w:t, tabs, breaks; hyperlinks, insertions, fields
  // and inline content controls entered; deletions and field codes left out.
  std::string ParagraphText(const pugi::xml_node& p) {
    std::string text;
    std::vector<pugi::xml_node> pending{p.first_child()};
    while (!pending.empty()) {
      pugi::xml_node node = pending.back();
      pending.pop_back();
      if (!node) continue;
      pending.push_back(node.next_sibling());
      const std::string_view name = LocalName(node);
      if (name == "t") {
        text += node.text().get();
      } else if (name == "tab") {
        text += '\t';
      } else if (name == "br" || name == "cr") {
        text += '\n';
      } else if (name == "footnoteReference" || name == "endnoteReference") {
        text += " [" + std::string(Val(node, "id")) + "]";
      } else if (name == "r" || name == "hyperlink" || name == "ins" || name == "smartTag" || name == "fldSimple" ||
                 name == "sdt" || name == "sdtContent" || name == "customXml" || name == "moveTo") {
        pending.push_back(node.first_child());
      }
    }
    return text;
  }

  std::string CellText(const pugi::xml_node& cell) {
    std::string text;
    for (pugi::xml_node child : cell.children()) {
      if (LocalName(child) == "p") {
        text += ParagraphText(child) + " ";
      } else if (LocalName(child) == "tbl") {
        const Table nested = ReadTable(child);
        for (const TableCell& nested_cell : nested.cells) text += nested_cell.text + " ";
      }
    }
    return CollapseSpace(text);
  }

  Table ReadTable(const pugi::xml_node& tbl) {
    if (++table_depth_ > 8) {  // nested tables past this are left out
      --table_depth_;
      return {};
    }
    TableGrid grid;
    const pugi::xml_node look = Child(Child(tbl, "tblPr"), "tblLook");
    // tblLook's firstRow, or bit 0x20 of its older hexadecimal w:val.
    const bool first_row_header =
        Val(look, "firstRow") == "1" || (std::strtol(std::string(Val(look)).c_str(), nullptr, 16) & 0x20) != 0;
    bool first = true;
    for (pugi::xml_node row : tbl.children()) {
      if (LocalName(row) != "tr") continue;
      const bool header = Child(Child(row, "trPr"), "tblHeader") || (first && first_row_header);
      first = false;
      grid.StartRow(header);
      for (pugi::xml_node cell : row.children()) {
        if (LocalName(cell) != "tc") continue;
        const pugi::xml_node tcpr = Child(cell, "tcPr");
        const int span = ToInt(Val(Child(tcpr, "gridSpan")), 1);
        const pugi::xml_node merge = Child(tcpr, "vMerge");
        if (merge && Val(merge) != "restart") {
          grid.ContinueCellAbove(span);
        } else {
          grid.AddCell(CellText(cell), span, 1, header);
        }
      }
    }
    --table_depth_;
    return grid.Finish("");
  }

  std::map<std::string, StyleInfo> styles_;
  ListLevelFormats lists_;
  DocumentBuilder builder_;
  int table_depth_ = 0;
};

DocumentMetadata ReadCoreProperties(const pugi::xml_document& core, const pugi::xml_document& app) {
  DocumentMetadata metadata;
  const pugi::xml_node properties = core.first_child();
  metadata.title = CollapseSpace(Child(properties, "title").text().get());
  metadata.author = CollapseSpace(Child(properties, "creator").text().get());
  metadata.created = IsoDate(Child(properties, "created").text().get());
  metadata.modified = IsoDate(Child(properties, "modified").text().get());
  metadata.creator = CollapseSpace(Child(app.first_child(), "Application").text().get());
  return metadata;
}

}  // namespace

Result<Document> ConvertDocx(const std::string& path, const FormatLimits& limits) {
  DOCPIPE_ASSIGN_OR_RETURN(std::unique_ptr<ZipArchive> zip, ZipArchive::Open(path, limits));
  if (!zip->Has("word/document.xml")) return Status::Corrupt("not a DOCX: no word/document.xml in the ZIP");
  DOCPIPE_ASSIGN_OR_RETURN(std::string main, zip->Read("word/document.xml"));
  DOCPIPE_ASSIGN_OR_RETURN(pugi::xml_document document, ParseXml(main, "word/document.xml"));
  main.clear();
  DOCPIPE_ASSIGN_OR_RETURN(pugi::xml_document styles, ReadOptionalPart(*zip, "word/styles.xml"));
  DOCPIPE_ASSIGN_OR_RETURN(pugi::xml_document numbering, ReadOptionalPart(*zip, "word/numbering.xml"));
  DOCPIPE_ASSIGN_OR_RETURN(pugi::xml_document footnotes, ReadOptionalPart(*zip, "word/footnotes.xml"));
  DOCPIPE_ASSIGN_OR_RETURN(pugi::xml_document endnotes, ReadOptionalPart(*zip, "word/endnotes.xml"));
  DOCPIPE_ASSIGN_OR_RETURN(pugi::xml_document core, ReadOptionalPart(*zip, "docProps/core.xml"));
  DOCPIPE_ASSIGN_OR_RETURN(pugi::xml_document app, ReadOptionalPart(*zip, "docProps/app.xml"));

  DocxReader reader(ReadStyles(styles), ReadNumbering(numbering));
  const pugi::xml_node body = Child(document.first_child(), "body");
  if (!body) return Status::Corrupt("word/document.xml has no body");
  reader.ReadBody(body);
  reader.ReadNotes(footnotes, "footnote");
  reader.ReadNotes(endnotes, "endnote");
  return reader.builder().Finish(path, ReadCoreProperties(core, app));
}

}  // namespace docpipe::formats
