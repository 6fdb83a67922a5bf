#include "pipeline/input_listing.h"

#include <fnmatch.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "docpipe/formats.h"
#include "docpipe/shard.h"
#include "docpipe/text_document.h"

namespace docpipe {
namespace {

namespace fs = std::filesystem;

bool MatchesAny(const std::vector<std::string>& globs, const std::string& name, const std::string& relative) {
  for (const std::string& glob : globs) {
    if (fnmatch(glob.c_str(), name.c_str(), 0) == 0) return true;
    if (fnmatch(glob.c_str(), relative.c_str(), 0) == 0) return true;
  }
  return false;
}

bool Selected(const IngestOptions& options, const fs::path& file, const fs::path& root) {
  std::string name = file.filename().string();
  std::string relative = file.lexically_relative(root).string();
  if (!options.include_globs.empty() && !MatchesAny(options.include_globs, name, relative)) return false;
  return !MatchesAny(options.exclude_globs, name, relative);
}

void WalkDirectory(const IngestOptions& options, const fs::path& root, const fs::path& dir,
                   InputListing& listing) {
  std::error_code error;
  fs::directory_iterator it(dir, error);
  if (error) {
    listing.problems.push_back({dir.string(), "cannot read directory: " + error.message()});
    return;
  }
  std::vector<fs::path> files, subdirs;
  for (; it != fs::directory_iterator(); it.increment(error)) {
    if (error) {
      listing.problems.push_back({dir.string(), "cannot read directory: " + error.message()});
      break;
    }
    std::error_code type_error;
    fs::file_status status = it->status(type_error);  // follows symlinks
    if (fs::is_directory(status)) {
      subdirs.push_back(it->path());
    } else if (fs::is_regular_file(status) || type_error) {
      // An entry whose type cannot be read is listed anyway, so its failure is reported.
      files.push_back(it->path());
    }
  }
  std::sort(files.begin(), files.end());
  std::sort(subdirs.begin(), subdirs.end());
  for (const fs::path& file : files) {
    if (!Selected(options, file, root)) continue;
    if (!InShard(file.lexically_relative(root).generic_string(), options.shard)) continue;
    listing.files.push_back(file.string());
  }
  for (const fs::path& subdir : subdirs) WalkDirectory(options, root, subdir, listing);
}

Status AddInput(const IngestOptions& options, const std::string& input, InputListing& listing) {
  std::error_code error;
  fs::file_status status = fs::status(input, error);
  if (error || !fs::exists(status)) return Status::NotFound("input not found: " + input);
  if (fs::is_directory(status)) {
    WalkDirectory(options, input, input, listing);
  } else if (InShard(fs::path(input).lexically_normal().generic_string(), options.shard)) {
    listing.files.push_back(input);
  }
  return Status::Ok();
}

Status AddListFile(const IngestOptions& options, std::istream& in, InputListing& listing) {
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    DOCPIPE_RETURN_IF_ERROR(AddInput(options, line, listing));
  }
  return Status::Ok();
}

}  // namespace

Result<InputListing> ListInputs(const IngestOptions& options) {
  InputListing listing;
  for (const std::string& list_file : options.list_files) {
    std::ifstream in(list_file);
    if (!in) return Status::NotFound("cannot open list file: " + list_file);
    DOCPIPE_RETURN_IF_ERROR(AddListFile(options, in, listing).WithContext(list_file));
  }
  for (const std::string& input : options.inputs) {
    if (input == "-") {
      DOCPIPE_RETURN_IF_ERROR(AddListFile(options, std::cin, listing).WithContext("stdin"));
    } else {
      DOCPIPE_RETURN_IF_ERROR(AddInput(options, input, listing));
    }
  }
  if (options.inputs.empty() && options.list_files.empty()) {
    return Status::InvalidArgument("no inputs given");
  }
  return listing;
}

InputType DetectInputType(const std::string& path) {
  switch (DetectFileFormat(path).format) {
    case FileFormat::kPdf: return InputType::kPdf;
    case FileFormat::kUnknown: return InputType::kUnsupported;
    default: return InputType::kOther;
  }
}

std::string UnsupportedReason(const std::string& path) {
  return "unsupported file type: " + DetectFileFormat(path).description;
}

Result<std::vector<std::string>> CollectInputs(const IngestOptions& options) {
  DOCPIPE_ASSIGN_OR_RETURN(InputListing listing, ListInputs(options));
  return std::move(listing.files);
}

}  // namespace docpipe
