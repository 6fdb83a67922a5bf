#include "ocr_convert.h"

#include <cstring>
#include <memory>

namespace docpipe::python {
namespace {

std::string Describe(const py::array& a) {
  std::string shape = "(";
  for (py::ssize_t d = 0; d < a.ndim(); ++d) shape += (d ? ", " : "") + std::to_string(a.shape(d));
  return shape + (a.ndim() == 1 ? ",)" : ")") + " of dtype " + std::string(py::str(a.dtype()));
}

ocr::TextPolygon ToPolygon(const py::handle& item, size_t index) {
  py::array raw = py::array::ensure(item);
  if (!raw) throw py::type_error("polygon " + std::to_string(index) + " is not array-like");
  const char kind = raw.dtype().kind();
  if (kind != 'i' && kind != 'u' && kind != 'f') {
    throw py::type_error("polygon " + std::to_string(index) + " must hold numbers, got " + Describe(raw));
  }
  if (raw.ndim() != 2 || raw.shape(1) != 2 || raw.shape(0) < 1) {
    throw py::value_error("polygon " + std::to_string(index) + " must have shape (N, 2) with N >= 1, got " +
                          Describe(raw));
  }
  auto coords = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(raw);
  ocr::TextPolygon polygon;
  polygon.xy.assign(coords.data(), coords.data() + coords.size());
  return polygon;
}

}  // namespace

void ThrowIfError(const Status& status) {
  if (status.ok()) return;
  const std::string message = status.message();
  switch (status.code()) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kCorrupt:
      throw py::value_error(message);
    case StatusCode::kNotFound:
      PyErr_SetString(PyExc_FileNotFoundError, message.c_str());
      throw py::error_already_set();
    case StatusCode::kIoError:
    case StatusCode::kPermissionDenied:
    case StatusCode::kResourceExhausted:
      PyErr_SetString(PyExc_OSError, message.c_str());
      throw py::error_already_set();
    default:
      throw std::runtime_error(status.ToString());
  }
}

std::vector<ocr::TextPolygon> ToPolygons(const py::handle& polygons, const py::handle& ignore) {
  std::vector<ocr::TextPolygon> out;
  if (py::isinstance<py::array>(polygons)) {
    py::array stacked = py::reinterpret_borrow<py::array>(polygons);
    if (stacked.ndim() != 3) {
      throw py::value_error("an array of polygons must have shape (K, N, 2), got " + Describe(stacked));
    }
    for (py::ssize_t k = 0; k < stacked.shape(0); ++k) out.push_back(ToPolygon(stacked[py::int_(k)], k));
  } else if (py::isinstance<py::sequence>(polygons) && !py::isinstance<py::str>(polygons)) {
    size_t k = 0;
    for (const py::handle& item : polygons) out.push_back(ToPolygon(item, k++));
  } else {
    throw py::type_error("polygons must be a sequence of (N, 2) arrays or a (K, N, 2) array");
  }
  if (!ignore.is_none()) {
    if (!py::isinstance<py::sequence>(ignore) && !py::isinstance<py::array>(ignore)) {
      throw py::type_error("ignore must be None or a sequence of booleans");
    }
    size_t k = 0;
    for (const py::handle& flag : ignore) {
      if (k >= out.size()) break;
      out[k++].ignore = py::bool_(py::reinterpret_borrow<py::object>(flag));
    }
    if (k != out.size() || py::len(ignore) != out.size()) {
      throw py::value_error("ignore has " + std::to_string(py::len(ignore)) + " flags for " +
                            std::to_string(out.size()) + " polygons");
    }
  }
  return out;
}

ocr::DbTargetOptions ToOptions(double shrink_ratio, double min_text_size, double thresh_min, double thresh_max,
                               const std::string& distance, const std::string& mode) {
  ocr::DbTargetOptions options;
  options.shrink_ratio = shrink_ratio;
  options.min_text_size = min_text_size;
  options.thresh_min = thresh_min;
  options.thresh_max = thresh_max;
  if (distance == "reference") {
    options.distance = ocr::BorderDistance::kReference;
  } else if (distance == "exact") {
    options.distance = ocr::BorderDistance::kExact;
  } else {
    throw py::value_error("distance must be 'reference' or 'exact', got '" + distance + "'");
  }
  if (mode == "db") {
    options.convention = ocr::TargetConvention::kDb;
  } else if (mode == "paddleocr") {
    options.convention = ocr::TargetConvention::kPaddleOcr;
  } else {
    throw py::value_error("mode must be 'db' or 'paddleocr', got '" + mode + "'");
  }
  ThrowIfError(ocr::ValidateDbTargetOptions(options));
  return options;
}

py::dict ToDict(const ocr::DbTargetMaps& maps) {
  // The capsule keeps the maps' memory (heap block or file mapping) alive for numpy.
  auto* keep = new std::shared_ptr<const void>(maps.owner());
  py::capsule owner(keep, [](void* p) { delete static_cast<std::shared_ptr<const void>*>(p); });
  py::dict out;
  const py::ssize_t h = maps.height(), w = maps.width();
  for (int p = 0; p < ocr::kDbPlaneCount; ++p) {
    const auto plane = static_cast<ocr::DbPlane>(p);
    py::array_t<float> array({h, w}, {static_cast<py::ssize_t>(w * sizeof(float)), py::ssize_t{sizeof(float)}},
                             maps.plane(plane), owner);
    if (!maps.writable()) {
      py::setattr(array.attr("flags"), "writeable", py::bool_(false));
    }
    out[py::str(std::string(ocr::DbPlaneName(plane)))] = std::move(array);
  }
  return out;
}

ocr::DbTargetMaps FromDict(const py::dict& dict) {
  int height = -1, width = -1;
  std::vector<py::array_t<float, py::array::c_style | py::array::forcecast>> planes;
  for (int p = 0; p < ocr::kDbPlaneCount; ++p) {
    const std::string name(ocr::DbPlaneName(static_cast<ocr::DbPlane>(p)));
    if (!dict.contains(name)) throw py::value_error("maps need a '" + name + "' array");
    auto plane = py::array_t<float, py::array::c_style | py::array::forcecast>::ensure(dict[name.c_str()]);
    if (!plane || plane.ndim() != 2) throw py::value_error("'" + name + "' must be a 2-D float array");
    if (height < 0) height = static_cast<int>(plane.shape(0)), width = static_cast<int>(plane.shape(1));
    if (plane.shape(0) != height || plane.shape(1) != width) throw py::value_error("the four maps differ in shape");
    planes.push_back(std::move(plane));
  }
  if (height < 1 || width < 1) throw py::value_error("maps must not be empty");
  ocr::DbTargetMaps maps = ocr::DbTargetMaps::Allocate(height, width);
  for (int p = 0; p < ocr::kDbPlaneCount; ++p) {
    std::memcpy(maps.mutable_plane(static_cast<ocr::DbPlane>(p)), planes[p].data(), maps.plane_size() * sizeof(float));
  }
  return maps;
}

}  // namespace docpipe::python
