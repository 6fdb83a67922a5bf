#include "formats/zip_archive.h"

#include <vector>

namespace docpipe::formats {
namespace {

struct FileCloser {
  void operator()(zip_file_t* file) const { zip_fclose(file); }
};

std::string ZipErrorText(int code) {
  zip_error_t error;
  zip_error_init_with_code(&error, code);
  std::string text = zip_error_strerror(&error);
  zip_error_fini(&error);
  return text;
}

}  // namespace

std::string NormalizeEntryPath(std::string_view path) {
  if (path.empty() || path[0] == '/' || path[0] == '\\') return "";
  if (path.size() > 1 && path[1] == ':') return "";  // "C:..."
  std::vector<std::string_view> parts;
  size_t pos = 0;
  while (pos <= path.size()) {
    size_t slash = path.find_first_of("/\\", pos);
    if (slash == std::string_view::npos) slash = path.size();
    const std::string_view part = path.substr(pos, slash - pos);
    pos = slash + 1;
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (parts.empty()) return "";
      parts.pop_back();
    } else {
      parts.push_back(part);
    }
  }
  std::string normal;
  for (std::string_view part : parts) {
    if (!normal.empty()) normal += '/';
    normal += part;
  }
  return normal;
}

Result<std::unique_ptr<ZipArchive>> ZipArchive::Open(const std::string& path, const FormatLimits& limits) {
  int code = 0;
  zip_t* raw = zip_open(path.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &code);
  if (raw == nullptr) return Status::Corrupt("not a readable ZIP archive (truncated or damaged?): " + ZipErrorText(code));
  std::unique_ptr<zip_t, Closer> archive(raw);
  const zip_int64_t entries = zip_get_num_entries(raw, 0);
  if (entries > limits.max_zip_entries) {
    return Status::ResourceExhausted("ZIP archive has " + std::to_string(entries) + " entries, more than the limit of " +
                                     std::to_string(limits.max_zip_entries));
  }
  for (zip_int64_t i = 0; i < entries; ++i) {
    const char* name = zip_get_name(raw, static_cast<zip_uint64_t>(i), ZIP_FL_ENC_GUESS);
    if (name == nullptr) return Status::Corrupt("ZIP entry " + std::to_string(i) + " has no readable name");
    const std::string_view view(name);
    if (NormalizeEntryPath(view).empty()) {
      return Status::Corrupt("ZIP entry name escapes the archive: " + std::string(view));
    }
  }
  return std::unique_ptr<ZipArchive>(new ZipArchive(std::move(archive), limits));
}

bool ZipArchive::Has(const std::string& name) const {
  return zip_name_locate(archive_.get(), name.c_str(), 0) >= 0;
}

Result<std::string> ZipArchive::Read(const std::string& name) { return ReadPrefix(name, -1); }

Result<std::string> ZipArchive::ReadPrefix(const std::string& name, int64_t max_bytes) {
  const zip_int64_t index = zip_name_locate(archive_.get(), name.c_str(), 0);
  if (index < 0) return Status::NotFound("no entry " + name + " in the ZIP archive");
  std::unique_ptr<zip_file_t, FileCloser> file(zip_fopen_index(archive_.get(), static_cast<zip_uint64_t>(index), 0));
  if (!file) {
    return Status::Corrupt("cannot open ZIP entry " + name + ": " + zip_strerror(archive_.get()));
  }
  std::string bytes;
  char buffer[65536];
  while (max_bytes < 0 || static_cast<int64_t>(bytes.size()) < max_bytes) {
    const zip_int64_t n = zip_fread(file.get(), buffer, sizeof buffer);
    if (n < 0) return Status::Corrupt("ZIP entry " + name + " does not decompress: " + zip_file_strerror(file.get()));
    if (n == 0) break;
    bytes.append(buffer, static_cast<size_t>(n));
    bytes_read_ += n;
    if (static_cast<int64_t>(bytes.size()) > limits_.max_entry_bytes) {
      return Status::ResourceExhausted("ZIP entry " + name + " decompresses to more than " +
                                       std::to_string(limits_.max_entry_bytes) + " bytes (a ZIP bomb?)");
    }
    if (bytes_read_ > limits_.max_unzipped_bytes) {
      return Status::ResourceExhausted("ZIP archive decompresses to more than " +
                                       std::to_string(limits_.max_unzipped_bytes) + " bytes (a ZIP bomb?)");
    }
  }
  if (max_bytes >= 0 && static_cast<int64_t>(bytes.size()) > max_bytes) bytes.resize(static_cast<size_t>(max_bytes));
  return bytes;
}

}  // namespace docpipe::formats
