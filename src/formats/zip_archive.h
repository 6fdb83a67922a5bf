// A ZIP file (DOCX, EPUB) read through libzip with bounds: the number of
// entries, the bytes one entry and all entries read may decompress to, and
// entry names that would escape the archive (absolute, "..") refused.
// One archive per thread; different archives are independent.
#pragma once

#include <zip.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "docpipe/formats.h"
#include "docpipe/status.h"

namespace docpipe::formats {

class ZipArchive {
 public:
  // kCorrupt for something that is not a readable ZIP (truncated, damaged) or
  // has an entry name that escapes it; kResourceExhausted past max_zip_entries.
  static Result<std::unique_ptr<ZipArchive>> Open(const std::string& path, const FormatLimits& limits);

  bool Has(const std::string& name) const;
  // The entry's bytes, stopping with kResourceExhausted once it passes
  // max_entry_bytes, or the archive's reads together pass max_unzipped_bytes
  // (declared sizes are not trusted); kNotFound when there is no such entry;
  // kCorrupt when it does not decompress.
  Result<std::string> Read(const std::string& name);
  // At most `max_bytes` of the entry (for sniffing); same errors.
  Result<std::string> ReadPrefix(const std::string& name, int64_t max_bytes);

 private:
  struct Closer {
    void operator()(zip_t* archive) const { zip_discard(archive); }
  };
  ZipArchive(std::unique_ptr<zip_t, Closer> archive, FormatLimits limits)
      : archive_(std::move(archive)), limits_(limits) {}

  std::unique_ptr<zip_t, Closer> archive_;
  FormatLimits limits_;
  int64_t bytes_read_ = 0;
};

// "a/b/../c.xhtml" -> "a/c.xhtml"; empty when the path climbs out of the
// root or is absolute. Used for EPUB hrefs relative to the package file.
std::string NormalizeEntryPath(std::string_view path);

}  // namespace docpipe::formats
