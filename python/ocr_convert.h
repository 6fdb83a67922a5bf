// Conversions between Python objects and the docpipe OCR-target API, shared by
// the module's functions and its TargetCache class. All of them need the GIL.
#pragma once

#include <string>
#include <vector>

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include "docpipe/ocr_targets.h"
#include "docpipe/status.h"

namespace docpipe::python {

namespace py = pybind11;

// Raises the Python exception that matches `status` (ValueError, FileNotFoundError,
// OSError or RuntimeError) when it is not OK.
void ThrowIfError(const Status& status);

template <typename T>
T ValueOrThrow(Result<T> result) {
  ThrowIfError(result.status());
  return std::move(result).value();
}

// polygons: a sequence of (N, 2) array-likes of numbers, or one (K, N, 2) array.
// ignore: None or a sequence of K booleans.
std::vector<ocr::TextPolygon> ToPolygons(const py::handle& polygons, const py::handle& ignore);

// Keyword options shared by every entry point.
ocr::DbTargetOptions ToOptions(double shrink_ratio, double min_text_size, double thresh_min,
                               double thresh_max, const std::string& distance, const std::string& mode);

// {"gt", "mask", "thresh_map", "thresh_mask"} -> H x W float32 arrays sharing the
// maps' memory (no copy); read-only unless the maps are writable.
py::dict ToDict(const ocr::DbTargetMaps& maps);

// The inverse of ToDict (copies), for TargetCache.put.
ocr::DbTargetMaps FromDict(const py::dict& maps);

}  // namespace docpipe::python
