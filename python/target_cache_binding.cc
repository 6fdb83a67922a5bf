// docpipe_ocr.TargetCache: the shared label-map cache for DataLoader workers.
// A TargetCache pickles as its settings, so each worker process (fork or
// spawn) opens its own handle on the same directory.
#include <memory>
#include <optional>
#include <string>

#include "docpipe/ocr_target_cache.h"
#include "ocr_convert.h"

namespace docpipe::python {
namespace {

using ocr::TargetCache;

struct PyTargetCache {
  std::unique_ptr<TargetCache> cache;
  double max_ram_mb = 1024;
};

std::unique_ptr<PyTargetCache> MakeCache(const py::object& path, double max_ram_mb, bool durable) {
  if (!(max_ram_mb >= 0)) throw py::value_error("max_ram_mb must be >= 0");
  ocr::TargetCacheOptions options;
  if (!path.is_none()) options.directory = py::str(py::module_::import("os").attr("fspath")(path));
  options.max_ram_bytes = static_cast<size_t>(max_ram_mb * 1024.0 * 1024.0);
  options.durable = durable;
  auto out = std::make_unique<PyTargetCache>();
  out->max_ram_mb = max_ram_mb;
  Result<std::unique_ptr<TargetCache>> cache = Status::Internal("not run");
  {
    py::gil_scoped_release release;
    cache = TargetCache::Make(options);
  }
  out->cache = ValueOrThrow(std::move(cache));
  return out;
}

#define DOCPIPE_MAP_OPTIONS                                                                               \
  double shrink_ratio, double min_text_size, double thresh_min, double thresh_max, const std::string &distance, \
      const std::string &mode

py::dict GetOrCompute(PyTargetCache& self, const py::object& polygons, const py::object& ignore, int height,
                      int width, DOCPIPE_MAP_OPTIONS) {
  const ocr::DbTargetOptions options = ToOptions(shrink_ratio, min_text_size, thresh_min, thresh_max, distance, mode);
  const std::vector<ocr::TextPolygon> input = ToPolygons(polygons, ignore);
  Result<ocr::DbTargetMaps> maps = Status::Internal("not run");
  {
    py::gil_scoped_release release;
    maps = self.cache->GetOrCompute(input, height, width, options);
  }
  return ToDict(ValueOrThrow(std::move(maps)));
}

std::string Key(const py::object& polygons, const py::object& ignore, int height, int width, DOCPIPE_MAP_OPTIONS) {
  const ocr::DbTargetOptions options = ToOptions(shrink_ratio, min_text_size, thresh_min, thresh_max, distance, mode);
  const std::vector<ocr::TextPolygon> input = ToPolygons(polygons, ignore);
  ThrowIfError(ocr::ValidateDbTargetInput(input, height, width));
  return TargetCache::Key(input, height, width, options);
}

py::object Get(PyTargetCache& self, const std::string& key) {
  Result<std::optional<ocr::DbTargetMaps>> maps = Status::Internal("not run");
  {
    py::gil_scoped_release release;
    maps = self.cache->Get(key);
  }
  std::optional<ocr::DbTargetMaps> found = ValueOrThrow(std::move(maps));
  if (!found.has_value()) return py::none();
  return ToDict(*found);
}

void Put(PyTargetCache& self, const std::string& key, const py::dict& maps) {
  const ocr::DbTargetMaps native = FromDict(maps);
  Status status;
  {
    py::gil_scoped_release release;
    status = self.cache->Put(key, native);
  }
  ThrowIfError(status);
}

py::dict Stats(const PyTargetCache& self) {
  const ocr::TargetCacheStats s = self.cache->stats();
  py::dict out;
  out["ram_hits"] = s.ram_hits;
  out["disk_hits"] = s.disk_hits;
  out["misses"] = s.misses;
  out["writes"] = s.writes;
  out["ram_bytes"] = s.ram_bytes;
  out["ram_entries"] = s.ram_entries;
  return out;
}

py::object PathOf(const PyTargetCache& self) {
  const std::string& dir = self.cache->options().directory;
  if (dir.empty()) return py::none();
  return py::str(dir);
}

}  // namespace

void RegisterTargetCache(py::module_& m) {
  py::class_<PyTargetCache>(m, "TargetCache", R"doc(Label-map cache: an in-process LRU (max_ram_mb) and, with a
path, a directory of memory-mapped entries shared by processes (one per dataset).
Safe for several DataLoader workers reading and writing at once; an entry is
published atomically, and entries made with other parameters or another
docpipe_ocr version are never returned. Maps from the cache are read-only numpy
views (copy them to modify). Pickles as its settings.)doc")
      .def(py::init(&MakeCache), py::arg("path") = py::none(), py::arg("max_ram_mb") = 1024.0,
           py::arg("durable") = false)
      .def("get_or_compute", &GetOrCompute, py::arg("polygons"), py::arg("ignore") = py::none(), py::kw_only(),
           py::arg("height"), py::arg("width"), py::arg("shrink_ratio") = 0.4, py::arg("min_text_size") = 8.0,
           py::arg("thresh_min") = 0.3, py::arg("thresh_max") = 0.7, py::arg("distance") = "reference",
           py::arg("mode") = "db", "db_targets(...) through the cache; same arguments and result.")
      .def_static("key", &Key, py::arg("polygons"), py::arg("ignore") = py::none(), py::kw_only(), py::arg("height"),
                  py::arg("width"), py::arg("shrink_ratio") = 0.4, py::arg("min_text_size") = 8.0,
                  py::arg("thresh_min") = 0.3, py::arg("thresh_max") = 0.7, py::arg("distance") = "reference",
                  py::arg("mode") = "db", "The 64-hex-digit key of these inputs.")
      .def("get", &Get, py::arg("key"), "The maps stored under key, or None.")
      .def("put", &Put, py::arg("key"), py::arg("maps"), "Stores a dict of four H x W maps under key.")
      .def("clear_memory", [](PyTargetCache& self) { self.cache->ClearMemory(); })
      .def("stats", &Stats, "Counters of this process: ram_hits, disk_hits, misses, writes, ram_bytes, ram_entries.")
      .def_property_readonly("path", &PathOf)
      .def_property_readonly("max_ram_mb", [](const PyTargetCache& self) { return self.max_ram_mb; })
      .def(py::pickle(
          [](const PyTargetCache& self) {
            return py::make_tuple(PathOf(self), self.max_ram_mb, self.cache->options().durable);
          },
          [](const py::tuple& state) {
            if (state.size() != 3) throw std::runtime_error("bad TargetCache pickle");
            return MakeCache(state[0], state[1].cast<double>(), state[2].cast<bool>());
          }));
}

}  // namespace docpipe::python
