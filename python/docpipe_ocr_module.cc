// The docpipe_ocr Python module: DBNet label maps computed natively, a batch
// entry point that fans out over threads, and a shared on-disk cache.
// The GIL is held only while Python objects are converted; the native work
// runs with it released, so DataLoader threads and other Python code go on.
#include <string>
#include <vector>

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "docpipe/ocr_targets.h"
#include "ocr_convert.h"

namespace docpipe::python {

void RegisterTargetCache(py::module_& m);

namespace {

ocr::DbTargetSample ToSample(const py::handle& item, size_t index) {
  py::object polygons, ignore = py::none(), height, width;
  if (py::isinstance<py::dict>(item)) {
    py::dict d = py::reinterpret_borrow<py::dict>(item);
    if (!d.contains("polygons") || !d.contains("height") || !d.contains("width")) {
      throw py::value_error("sample " + std::to_string(index) + " needs 'polygons', 'height' and 'width'");
    }
    polygons = d["polygons"];
    height = d["height"];
    width = d["width"];
    if (d.contains("ignore")) ignore = d["ignore"];
  } else if (py::isinstance<py::tuple>(item) && py::len(item) == 4) {
    py::tuple t = py::reinterpret_borrow<py::tuple>(item);
    polygons = t[0], ignore = t[1], height = t[2], width = t[3];
  } else {
    throw py::type_error("sample " + std::to_string(index) +
                         " must be a dict or a (polygons, ignore, height, width) tuple");
  }
  ocr::DbTargetSample sample;
  sample.polygons = ToPolygons(polygons, ignore);
  sample.height = height.cast<int>();
  sample.width = width.cast<int>();
  return sample;
}

py::dict DbTargets(const py::object& polygons, const py::object& ignore, int height, int width, double shrink_ratio,
                   double min_text_size, double thresh_min, double thresh_max, const std::string& distance,
                   const std::string& mode) {
  const ocr::DbTargetOptions options = ToOptions(shrink_ratio, min_text_size, thresh_min, thresh_max, distance, mode);
  const std::vector<ocr::TextPolygon> input = ToPolygons(polygons, ignore);
  Result<ocr::DbTargetMaps> maps = Status::Internal("not run");
  {
    py::gil_scoped_release release;
    maps = ocr::ComputeDbTargets(input, height, width, options);
  }
  return ToDict(ValueOrThrow(std::move(maps)));
}

py::list DbTargetsBatch(const py::iterable& samples, int threads, double shrink_ratio, double min_text_size,
                        double thresh_min, double thresh_max, const std::string& distance, const std::string& mode) {
  const ocr::DbTargetOptions options = ToOptions(shrink_ratio, min_text_size, thresh_min, thresh_max, distance, mode);
  if (threads < 0) throw py::value_error("threads must be >= 0 (0: one per core)");
  std::vector<ocr::DbTargetSample> input;
  size_t index = 0;
  for (const py::handle& item : samples) input.push_back(ToSample(item, index++));
  Result<std::vector<ocr::DbTargetMaps>> maps = Status::Internal("not run");
  {
    py::gil_scoped_release release;
    maps = ocr::ComputeDbTargetsBatch(input, options, threads);
  }
  py::list out;
  for (const ocr::DbTargetMaps& m : ValueOrThrow(std::move(maps))) out.append(ToDict(m));
  return out;
}

py::tuple ReadAnnotations(const std::string& path) {
  Result<std::vector<ocr::TextPolygon>> polygons = Status::Internal("not run");
  {
    py::gil_scoped_release release;
    polygons = ocr::ReadTextAnnotationFile(path);
  }
  py::list arrays, ignore;
  for (const ocr::TextPolygon& p : ValueOrThrow(std::move(polygons))) {
    py::array_t<double> a({static_cast<py::ssize_t>(p.size()), py::ssize_t{2}});
    std::copy(p.xy.begin(), p.xy.end(), a.mutable_data());
    arrays.append(std::move(a));
    ignore.append(p.ignore);
  }
  return py::make_tuple(arrays, ignore);
}

}  // namespace

PYBIND11_MODULE(docpipe_ocr, m) {
  m.doc() = "DBNet training targets (shrink map, threshold map and masks) computed natively, "
            "identical to MhLiao/DB's reference; see docs/ocr_targets.md.";
  m.attr("__version__") = std::string(ocr::DbTargetsVersion());

  m.def("db_targets", &DbTargets, py::arg("polygons"), py::arg("ignore") = py::none(), py::kw_only(),
        py::arg("height"), py::arg("width"), py::arg("shrink_ratio") = 0.4, py::arg("min_text_size") = 8.0,
        py::arg("thresh_min") = 0.3, py::arg("thresh_max") = 0.7, py::arg("distance") = "reference",
        py::arg("mode") = "db",
        R"doc(Label maps of one image.

polygons: sequence of (N, 2) arrays or lists (x, y), or one (K, N, 2) array.
ignore: None or K booleans ("###" instances). height, width: the image size.
distance: "reference" (MhLiao/DB's formula) or "exact" (point-to-segment).
mode: "db" (MhLiao/DB) or "paddleocr" (PaddleOCR's order and shrink retry).
Returns {"gt", "mask", "thresh_map", "thresh_mask"}: H x W float32 arrays.
Raises ValueError / TypeError for malformed input. The GIL is released while computing.)doc");

  m.def("db_targets_batch", &DbTargetsBatch, py::arg("samples"), py::kw_only(), py::arg("threads") = 0,
        py::arg("shrink_ratio") = 0.4, py::arg("min_text_size") = 8.0, py::arg("thresh_min") = 0.3,
        py::arg("thresh_max") = 0.7, py::arg("distance") = "reference", py::arg("mode") = "db",
        R"doc(Label maps of many images on `threads` native threads (0: one per core).

samples: dicts {"polygons", "ignore" (optional), "height", "width"} or
(polygons, ignore, height, width) tuples. Returns a list of dicts as db_targets does.)doc");

  m.def("read_annotations", &ReadAnnotations, py::arg("path"),
        R"doc(Reads an ICDAR 2015 style (x1,y1,...,xn,yn,text; "###" ignored) or Total-Text
annotation file. Returns (list of (N, 2) float64 arrays, list of ignore flags).)doc");

  RegisterTargetCache(m);
}

}  // namespace docpipe::python
