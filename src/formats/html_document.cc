#include "formats/html_document.h"

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <unordered_set>
#include <vector>

#include "core/ascii_lower.h"
#include "core/iso_date.h"
#include "formats/html5_entities.h"
#include "formats/table_grid.h"
#include "text/charset.h"

namespace docpipe::formats {
namespace {

// The value after "charset=" (or "encoding=") at `pos`, unquoted.
std::string ValueAfter(std::string_view text, size_t pos) {
  while (pos < text.size() && (text[pos] == ' ' || text[pos] == '=' || text[pos] == '"' || text[pos] == '\'')) {
    ++pos;
  }
  size_t end = pos;
  while (end < text.size() && (std::isalnum(static_cast<unsigned char>(text[end])) || text[end] == '-' ||
                               text[end] == '_' || text[end] == ':' || text[end] == '.')) {
    ++end;
  }
  return std::string(text.substr(pos, end - pos));
}

std::string Attribute(const xmlNode* node, const char* name) {
  xmlChar* value = xmlGetProp(node, reinterpret_cast<const xmlChar*>(name));
  if (value == nullptr) return "";
  std::string text(reinterpret_cast<const char*>(value));
  xmlFree(value);
  return text;
}

std::string_view Name(const xmlNode* node) { return reinterpret_cast<const char*>(node->name); }

int HeadingLevel(std::string_view name) {
  if (name.size() == 2 && name[0] == 'h' && name[1] >= '1' && name[1] <= '6') return name[1] - '0';
  return 0;
}

// Elements whose content is never document text.
const std::unordered_set<std::string_view> kSkippedElements = {
    "script", "style",  "noscript", "template", "nav",      "iframe", "object", "embed", "button",
    "select", "input",  "textarea", "form",     "footer",   "svg",    "canvas", "audio", "video",
    "map",    "dialog", "head",     "link",     "meta",     "option", "datalist"};

// Navigation, sidebars and permalink markers of common documentation
// generators (Sphinx, Doxygen, MkDocs, Read the Docs) and of sites in general.
const std::unordered_set<std::string_view> kSkippedClasses = {
    "sphinxsidebar", "sphinxsidebarwrapper", "related", "headerlink", "footer", "navpath", "navbar",
    "tabs", "tabs2", "tabs3", "breadcrumb", "breadcrumbs", "skip-link", "skiplink",
    "wy-nav-side", "rst-versions", "wy-breadcrumbs", "md-sidebar", "md-header", "md-footer",
    "site-header", "site-footer", "navigation", "nav", "menu", "toctree-wrapper-nav", "searchbox"};
const std::unordered_set<std::string_view> kSkippedIds = {
    "top", "nav-path", "side-nav", "nav-tree", "MSearchSelectWindow", "MSearchResultsWindow",
    "navrow1", "navrow2", "navrow3", "navrow4", "searchbox", "sidebar", "footer", "header"};
const std::unordered_set<std::string_view> kSkippedRoles = {"navigation", "banner", "contentinfo", "search"};

const std::unordered_set<std::string_view> kBlockElements = {
    "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details", "dir",
    "div", "dl", "dt", "fieldset", "figcaption", "figure", "header", "hgroup", "hr", "html", "legend",
    "li", "main", "menu", "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot",
    "th", "thead", "tr", "ul", "h1", "h2", "h3", "h4", "h5", "h6"};

bool AnyToken(std::string_view list, const std::unordered_set<std::string_view>& set) {
  size_t pos = 0;
  while (pos < list.size()) {
    while (pos < list.size() && std::isspace(static_cast<unsigned char>(list[pos]))) ++pos;
    size_t end = pos;
    while (end < list.size() && !std::isspace(static_cast<unsigned char>(list[end]))) ++end;
    if (end > pos && set.count(list.substr(pos, end - pos))) return true;
    pos = end;
  }
  return false;
}

bool InsideContent(const xmlNode* node) {
  for (const xmlNode* up = node->parent; up != nullptr && up->type == XML_ELEMENT_NODE; up = up->parent) {
    const std::string_view name = Name(up);
    if (name == "article" || name == "main" || name == "section") return true;
  }
  return false;
}

// The attributes that decide whether an element is left out, read in one
// pass without copies (an attribute's value is its single text child).
struct SkipAttributes {
  std::string_view id, class_list, role, style, aria_hidden;
  bool hidden = false;
};

SkipAttributes ReadSkipAttributes(const xmlNode* node) {
  SkipAttributes found;
  for (const xmlAttr* attribute = node->properties; attribute != nullptr; attribute = attribute->next) {
    const std::string_view name = reinterpret_cast<const char*>(attribute->name);
    std::string_view value;
    if (attribute->children != nullptr && attribute->children->content != nullptr) {
      value = reinterpret_cast<const char*>(attribute->children->content);
    }
    if (name == "id") found.id = value;
    else if (name == "class") found.class_list = value;
    else if (name == "role") found.role = value;
    else if (name == "style") found.style = value;
    else if (name == "aria-hidden") found.aria_hidden = value;
    else if (name == "hidden") found.hidden = true;
  }
  return found;
}

bool IsHidden(const SkipAttributes& attributes) {
  if (attributes.hidden || AsciiLower(attributes.aria_hidden) == "true") return true;
  if (attributes.style.empty()) return false;
  std::string style = AsciiLower(attributes.style);
  style.erase(std::remove(style.begin(), style.end(), ' '), style.end());
  return style.find("display:none") != std::string::npos || style.find("visibility:hidden") != std::string::npos;
}

bool IsSkipped(const xmlNode* node) {
  const std::string_view name = Name(node);
  if (kSkippedElements.count(name)) return true;
  // A page's <header> is boilerplate; an article's carries its title.
  if (name == "header" && !InsideContent(node)) return true;
  if (node->properties == nullptr) return false;
  const SkipAttributes attributes = ReadSkipAttributes(node);
  if (IsHidden(attributes)) return true;
  if (!attributes.role.empty() && AnyToken(AsciiLower(attributes.role), kSkippedRoles)) return true;
  if (!attributes.class_list.empty() && AnyToken(attributes.class_list, kSkippedClasses)) return true;
  return !attributes.id.empty() && kSkippedIds.count(attributes.id) > 0;
}

// <meta name|property|http-equiv="..." content="..."> naming a date, in the
// vocabularies found in the wild: Dublin Core, Open Graph articles, HTTP.
void ReadMetaDate(const xmlNode* meta, HtmlHead* head) {
  static const std::unordered_set<std::string_view> kCreated = {
      "date", "dc.date", "dc.date.created", "dc.date.issued", "dcterms.created", "dcterms.date", "dcterms.issued",
      "article:published_time", "citation_publication_date"};
  static const std::unordered_set<std::string_view> kModified = {
      "dc.date.modified", "dcterms.modified", "article:modified_time", "last-modified", "revised"};
  std::string key = AsciiLower(Attribute(meta, "name"));
  if (key.empty()) key = AsciiLower(Attribute(meta, "property"));
  if (key.empty()) key = AsciiLower(Attribute(meta, "http-equiv"));
  std::string* date = kCreated.count(key) ? &head->created : kModified.count(key) ? &head->modified : nullptr;
  if (date != nullptr && date->empty()) *date = IsoDate(Attribute(meta, "content"));
}

bool IsDoxygenTitle(const xmlNode* node) {
  static const std::unordered_set<std::string_view> kTitleClasses = {"headertitle"};
  return Name(node) == "div" && node->properties != nullptr &&
         AnyToken(ReadSkipAttributes(node).class_list, kTitleClasses);
}

int SpanAttribute(const xmlNode* node, const char* name) {
  const std::string value = Attribute(node, name);
  int span = 0;
  for (char c : value) {
    if (c < '0' || c > '9') break;
    span = std::min(span * 10 + (c - '0'), TableGrid::kMaxSpan);
  }
  return span <= 0 ? 1 : span;
}

struct OpenTable {
  TableGrid grid;
  std::string caption;
  bool in_head = false;
  bool in_cell = false;
  bool in_caption = false;
  int col_span = 1, row_span = 1;
  bool header_cell = false;
};

struct OpenListItem {
  bool ordered = false;
  bool emitted = false;  // its first text is out: later text continues it
};

// Walks the parsed tree in document order with explicit enter/exit events.
class HtmlWalker {
 public:
  explicit HtmlWalker(DocumentBuilder* builder) : builder_(builder) {}

  void Walk(xmlNode* root) {
    xmlNode* node = root;
    while (node != nullptr) {
      const bool entered = Enter(node);
      if (entered && node->children != nullptr) {
        node = node->children;
        continue;
      }
      if (entered && node->type == XML_ELEMENT_NODE) Exit(node);
      while (node != root && node->next == nullptr) {
        node = node->parent;
        Exit(node);
      }
      if (node == root) break;
      node = node->next;
    }
    Flush();
  }

  const HtmlHead& head() const { return head_; }

 private:
  bool InCell() const { return !tables_.empty() && tables_.back().in_cell; }

  // Outside <pre> a line end in the source is white space like any other:
  // only <br> (as '\n') breaks a line.
  void AppendText(std::string_view text) {
    if (pre_depth_ > 0) {
      text_ += text;
      return;
    }
    const size_t start = text_.size();
    text_ += text;
    std::replace(text_.begin() + static_cast<std::ptrdiff_t>(start), text_.end(), '\n', ' ');
    std::replace(text_.begin() + static_cast<std::ptrdiff_t>(start), text_.end(), '\r', ' ');
  }

  bool Enter(xmlNode* node) {
    if (node->type == XML_TEXT_NODE || node->type == XML_CDATA_SECTION_NODE) {
      if (node->content != nullptr) AppendText(reinterpret_cast<const char*>(node->content));
      return false;
    }
    if (node->type != XML_ELEMENT_NODE) return false;
    const std::string_view name = Name(node);
    if (name == "title" && head_.title.empty()) {
      head_.title = CollapseSpace(ContentOf(node));
      return false;
    }
    if (name == "head") {
      ReadHead(node);
      return false;
    }
    if (IsSkipped(node)) return false;
    if (name == "br") {
      text_ += '\n';
      return false;
    }
    if (kBlockElements.count(name)) Flush();
    EnterBlock(node, name);
    return true;
  }

  void EnterBlock(xmlNode* node, std::string_view name) {
    if (!tables_.empty() && nested_tables_ == 0) {
      if (EnterTablePart(node, name)) return;
    }
    if (name == "table") {
      if (InCell()) {
        ++nested_tables_;
      } else {
        tables_.emplace_back();
      }
    } else if (name == "pre") {
      ++pre_depth_;
    } else if (int level = HeadingLevel(name); level > 0 && !InCell() && heading_level_ == 0) {
      heading_level_ = level;
    } else if (heading_level_ == 0 && IsDoxygenTitle(node)) {
      heading_level_ = 1;  // Doxygen's page title
    } else if (name == "figcaption") {
      ++caption_depth_;
    } else if (name == "ul" || name == "ol" || name == "menu" || name == "dir") {
      lists_.push_back(name == "ol");
    } else if (name == "li") {
      items_.push_back({!lists_.empty() && lists_.back(), false});
    }
  }

  // Rows, cells and the caption of the table being read; true when handled.
  bool EnterTablePart(xmlNode* node, std::string_view name) {
    OpenTable& table = tables_.back();
    if (table.in_cell) return false;
    if (name == "thead") {
      table.in_head = true;
    } else if (name == "tr") {
      table.grid.StartRow(table.in_head);
    } else if (name == "td" || name == "th") {
      table.in_cell = true;
      table.header_cell = name == "th";
      table.col_span = SpanAttribute(node, "colspan");
      table.row_span = SpanAttribute(node, "rowspan");
      text_.clear();
    } else if (name == "caption") {
      table.in_caption = true;
      text_.clear();
    } else {
      return false;
    }
    return true;
  }

  void Exit(xmlNode* node) {
    const std::string_view name = Name(node);
    if (!tables_.empty() && ExitTablePart(name)) return;
    if (kBlockElements.count(name) && name != "pre") Flush();
    if (name == "table") {
      if (nested_tables_ > 0) {
        --nested_tables_;
      } else if (!tables_.empty()) {
        OpenTable table = std::move(tables_.back());
        tables_.pop_back();
        builder_->AddTable(table.grid.Finish(std::move(table.caption)));
        text_.clear();
      }
    } else if (name == "pre" && pre_depth_ > 0) {
      if (--pre_depth_ == 0 && !InCell()) {
        builder_->Code(text_);
        text_.clear();
      }
    } else if (HeadingLevel(name) > 0 || IsDoxygenTitle(node)) {
      EndHeading(name);
    } else if (name == "figcaption" && caption_depth_ > 0) {
      --caption_depth_;
    } else if ((name == "ul" || name == "ol" || name == "menu" || name == "dir") && !lists_.empty()) {
      lists_.pop_back();
    } else if (name == "li" && !items_.empty()) {
      items_.pop_back();
    }
  }

  void EndHeading(std::string_view name) {
    if (heading_level_ == 0) return;
    const int level = HeadingLevel(name);
    if (level != 0 && level != heading_level_) return;
    if (level == 0 && heading_level_ != 1) return;
    builder_->Heading(heading_level_, heading_text_);
    heading_text_.clear();
    heading_level_ = 0;
  }

  bool ExitTablePart(std::string_view name) {
    OpenTable& table = tables_.back();
    if (nested_tables_ > 0) return false;
    if (table.in_cell && (name == "td" || name == "th")) {
      table.grid.AddCell(CollapseSpace(text_), table.col_span, table.row_span, table.header_cell);
      table.in_cell = false;
      text_.clear();
      return true;
    }
    if (table.in_cell) return false;
    if (name == "thead") {
      table.in_head = false;
    } else if (name == "caption") {
      table.caption = CollapseSpace(text_);
      table.in_caption = false;
      text_.clear();
    } else {
      return false;
    }
    return true;
  }

  // Sends the text gathered since the last block boundary where it belongs.
  void Flush() {
    if (InCell() || pre_depth_ > 0 || (!tables_.empty() && tables_.back().in_caption)) {
      text_ += ' ';
      return;
    }
    if (heading_level_ > 0) {
      heading_text_ += text_ + ' ';
    } else if (caption_depth_ > 0) {
      builder_->Caption(text_);
    } else if (!items_.empty()) {
      OpenListItem& item = items_.back();
      if (!item.emitted) {
        const size_t before = CollapseSpace(text_).size();
        if (before > 0) {
          builder_->ListItem(static_cast<int>(items_.size()) - 1, item.ordered, text_);
          item.emitted = true;
        }
      } else {
        builder_->ContinueListItem(text_);
      }
    } else {
      builder_->LineBrokenParagraph(text_);
    }
    text_.clear();
  }

  static std::string ContentOf(xmlNode* node) {
    xmlChar* content = xmlNodeGetContent(node);
    if (content == nullptr) return "";
    std::string text(reinterpret_cast<const char*>(content));
    xmlFree(content);
    return text;
  }

  void ReadHead(xmlNode* head) {
    for (xmlNode* child = head->children; child != nullptr; child = child->next) {
      if (child->type != XML_ELEMENT_NODE) continue;
      if (Name(child) == "title" && head_.title.empty()) head_.title = CollapseSpace(ContentOf(child));
      if (Name(child) == "meta") ReadMetaDate(child, &head_);
    }
  }

  DocumentBuilder* builder_;
  std::string text_;
  std::string heading_text_;
  HtmlHead head_;
  std::vector<OpenTable> tables_;
  std::vector<bool> lists_;  // open lists, innermost last: ordered or not
  std::vector<OpenListItem> items_;
  int nested_tables_ = 0;    // tables inside a cell, read as the cell's text
  int pre_depth_ = 0;
  int heading_level_ = 0;
  int caption_depth_ = 0;
};

struct DocDeleter {
  void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};
struct ContextDeleter {
  void operator()(htmlParserCtxt* ctxt) const { htmlFreeParserCtxt(ctxt); }
};

// libxml2's HTML parser does not know DTD internal subsets and would show
// their entity declarations as text; they are cut (never expanded).
void CutInternalSubset(std::string* html) {
  const std::string head = AsciiLower(std::string_view(*html).substr(0, 1024));
  const size_t doctype = head.find("<!doctype");
  if (doctype == std::string::npos) return;
  const size_t bracket = html->find('[', doctype), close = html->find('>', doctype);
  if (bracket == std::string::npos || close == std::string::npos || bracket > close) return;
  const size_t end = html->find("]>", bracket);
  if (end == std::string::npos) return;
  html->replace(doctype, end + 2 - doctype, "<!DOCTYPE html>");
}

std::string NumericReference(char32_t code_point) {
  char reference[16];
  std::snprintf(reference, sizeof reference, "&#x%X;", static_cast<unsigned>(code_point));
  return reference;
}

// libxml2's HTML parser knows HTML 4's entities only and leaves the HTML5 ones
// ("&NotEqual;") as text; those become numeric references, which it decodes
// (never markup, so "&LT;" stays a '<' in text). A copy is made only when
// there is one to rewrite.
void RewriteHtml5Entities(std::string* html) {
  constexpr size_t kLongestName = 32;  // "CounterClockwiseContourIntegral" has 31
  std::string out;
  size_t copied = 0, pos = 0;
  while ((pos = html->find('&', pos)) != std::string::npos) {
    const size_t start = pos + 1;
    size_t end = start;
    while (end < html->size() && end - start <= kLongestName &&
           std::isalnum(static_cast<unsigned char>((*html)[end]))) {
      ++end;
    }
    pos = end;
    if (end == start || end - start > kLongestName || end >= html->size() || (*html)[end] != ';') continue;
    char name[kLongestName + 1];
    html->copy(name, end - start, start);
    name[end - start] = '\0';
    if (htmlEntityLookup(reinterpret_cast<const xmlChar*>(name)) != nullptr) continue;
    const std::optional<EntityCodePoints> points = LookupHtml5Entity(name);
    if (!points) continue;
    out.append(*html, copied, start - 1 - copied);
    out += NumericReference(points->first);
    if (points->second != 0) out += NumericReference(points->second);
    copied = end + 1;
  }
  if (copied == 0) return;
  out.append(*html, copied);
  *html = std::move(out);
}

}  // namespace

std::string DeclaredCharset(std::string_view bytes) {
  const std::string head = AsciiLower(bytes.substr(0, 4096));
  if (head.rfind("<?xml", 0) == 0) {
    const size_t end = head.find("?>");
    const size_t encoding = head.find("encoding");
    if (encoding != std::string::npos && encoding < end) return ValueAfter(head, encoding + 8);
  }
  size_t pos = 0;
  while ((pos = head.find("<meta", pos)) != std::string::npos) {
    const size_t end = head.find('>', pos);
    const std::string_view tag = std::string_view(head).substr(pos, end == std::string::npos ? end : end - pos);
    const size_t charset = tag.find("charset");
    if (charset != std::string_view::npos) {
      std::string value = ValueAfter(tag, charset + 7);
      if (!value.empty()) return value;
    }
    pos += 5;
  }
  return "";
}

Result<HtmlHead> AddHtmlBlocks(std::string_view bytes, DocumentBuilder* builder) {
  text::DecodedText decoded = text::DecodeToUtf8(bytes, DeclaredCharset(bytes));
  CutInternalSubset(&decoded.utf8);
  RewriteHtml5Entities(&decoded.utf8);
  std::unique_ptr<htmlParserCtxt, ContextDeleter> ctxt(htmlNewParserCtxt());
  if (!ctxt) return Status::ResourceExhausted("cannot make an HTML parser");
  // HUGE lifts libxml2's nesting limit of 256 (the walk below has no depth
  // bound); IGNORE_ENC keeps the bytes as the UTF-8 they now are; no network.
  const int options = HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET |
                      HTML_PARSE_IGNORE_ENC | XML_PARSE_HUGE;
  std::unique_ptr<xmlDoc, DocDeleter> doc(htmlCtxtReadMemory(ctxt.get(), decoded.utf8.data(),
                                                             static_cast<int>(decoded.utf8.size()), nullptr,
                                                             "UTF-8", options));
  if (!doc) return Status::Corrupt("not an HTML document (the parser built nothing)");
  HtmlWalker walker(builder);
  for (xmlNode* node = doc->children; node != nullptr; node = node->next) walker.Walk(node);
  return walker.head();
}

}  // namespace docpipe::formats
