#include "formats/epub_document.h"

#include <pugixml.hpp>

#include <map>
#include <memory>
#include <vector>

#include "core/iso_date.h"
#include "formats/document_builder.h"
#include "formats/html_document.h"
#include "formats/xml_names.h"
#include "formats/zip_archive.h"

namespace docpipe::formats {
namespace {

Result<pugi::xml_document> ReadXml(ZipArchive& zip, const std::string& part) {
  DOCPIPE_ASSIGN_OR_RETURN(std::string bytes, zip.Read(part));
  pugi::xml_document doc;
  const pugi::xml_parse_result parsed = doc.load_buffer(bytes.data(), bytes.size(), pugi::parse_default);
  if (!parsed) return Status::Corrupt(part + ": malformed XML: " + parsed.description());
  return doc;
}

// "%20" and friends in hrefs; the archive's names are not escaped.
std::string PercentDecode(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

Result<std::string> PackagePath(ZipArchive& zip) {
  DOCPIPE_ASSIGN_OR_RETURN(pugi::xml_document container, ReadXml(zip, "META-INF/container.xml"));
  const pugi::xml_node rootfile = Child(Child(Child(container, "container"), "rootfiles"), "rootfile");
  const std::string path = NormalizeEntryPath(rootfile.attribute("full-path").value());
  if (path.empty()) return Status::Corrupt("EPUB container names no package document");
  return path;
}

struct Package {
  DocumentMetadata metadata;
  std::vector<std::string> spine;  // archive entry names, in reading order
};

// EPUB 3 names the last change in <meta property="dcterms:modified">; EPUB 2
// tells dates apart by opf:event; an untyped <dc:date> is the publication,
// taken as the creation date.
void ReadPackageDate(const pugi::xml_node& item, DocumentMetadata* metadata) {
  const std::string_view name = LocalName(item);
  std::string_view event;
  for (const pugi::xml_attribute& attribute : item.attributes()) {
    const std::string_view attribute_name = attribute.name();
    if (attribute_name == "event" || attribute_name.ends_with(":event")) event = attribute.value();
  }
  const bool modified = (name == "meta" && std::string_view(item.attribute("property").value()) == "dcterms:modified") ||
                        (name == "date" && event == "modification");
  if (modified) {
    if (metadata->modified.empty()) metadata->modified = IsoDate(item.text().get());
  } else if (name == "date" && metadata->created.empty()) {
    metadata->created = IsoDate(item.text().get());
  }
}

Result<Package> ReadPackage(ZipArchive& zip, const std::string& opf_path) {
  DOCPIPE_ASSIGN_OR_RETURN(pugi::xml_document opf, ReadXml(zip, opf_path));
  const pugi::xml_node root = Child(opf, "package");
  Package package;
  for (pugi::xml_node item : Child(root, "metadata").children()) {
    const std::string_view name = LocalName(item);
    if (name == "title" && package.metadata.title.empty()) {
      package.metadata.title = CollapseSpace(item.text().get());
    } else if (name == "creator") {
      if (!package.metadata.author.empty()) package.metadata.author += "; ";
      package.metadata.author += CollapseSpace(item.text().get());
    } else {
      ReadPackageDate(item, &package.metadata);
    }
  }
  const std::string base = opf_path.find('/') == std::string::npos ? "" : opf_path.substr(0, opf_path.rfind('/') + 1);
  std::map<std::string, std::string> manifest;
  for (pugi::xml_node item : Child(root, "manifest").children()) {
    if (LocalName(item) != "item") continue;
    std::string href = PercentDecode(item.attribute("href").value());
    href = href.substr(0, href.find('#'));
    manifest[item.attribute("id").value()] = NormalizeEntryPath(base + href);
  }
  for (pugi::xml_node ref : Child(root, "spine").children()) {
    if (LocalName(ref) != "itemref") continue;
    auto it = manifest.find(ref.attribute("idref").value());
    if (it == manifest.end()) continue;  // a dangling reference: nothing to read
    if (it->second.empty()) return Status::Corrupt("EPUB spine item escapes the archive");
    package.spine.push_back(it->second);
  }
  return package;
}

}  // namespace

Result<Document> ConvertEpub(const std::string& path, const FormatLimits& limits) {
  DOCPIPE_ASSIGN_OR_RETURN(std::unique_ptr<ZipArchive> zip, ZipArchive::Open(path, limits));
  if (!zip->Has("META-INF/container.xml")) return Status::Corrupt("not an EPUB: no META-INF/container.xml");
  DOCPIPE_ASSIGN_OR_RETURN(std::string opf_path, PackagePath(*zip));
  Result<Package> read = ReadPackage(*zip, opf_path);
  if (!read.ok()) return read.status().WithContext(opf_path);
  Package package = std::move(read).value();
  DocumentBuilder builder;
  bool first = true;
  for (const std::string& entry : package.spine) {
    Result<std::string> bytes = zip->Read(entry);
    if (!bytes.ok()) {
      if (bytes.status().code() == StatusCode::kNotFound) continue;  // listed but absent: skipped
      return bytes.status().WithContext(entry);
    }
    if (!first) builder.StartPage();
    first = false;
    Result<HtmlHead> head = AddHtmlBlocks(*bytes, &builder);
    if (!head.ok()) return head.status().WithContext(entry);
  }
  return builder.Finish(path, std::move(package.metadata));
}

}  // namespace docpipe::formats
