// The tiny reference models the build generates (make_reference_models.py).
#pragma once

#include <string>

namespace docpipe::embed_test {

inline std::string ModelFolder(const std::string& name) {
  return std::string(DOCPIPE_EMBED_REFERENCE_DIR) + "/" + name;
}

}  // namespace docpipe::embed_test
