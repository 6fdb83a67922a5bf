// Element lookup by local name in pugixml trees: OOXML and OPF parts carry a
// namespace prefix ("w:", "opf:") that is the writer's choice.
// Pure functions; thread-safe.
#pragma once

#include <pugixml.hpp>

#include <string_view>

namespace docpipe::formats {

inline std::string_view LocalName(const pugi::xml_node& node) {
  std::string_view name = node.name();
  const size_t colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

// The first element child with this local name; empty when there is none.
inline pugi::xml_node Child(const pugi::xml_node& node, std::string_view local) {
  for (pugi::xml_node child = node.first_child(); child; child = child.next_sibling()) {
    if (child.type() == pugi::node_element && LocalName(child) == local) return child;
  }
  return {};
}

}  // namespace docpipe::formats
