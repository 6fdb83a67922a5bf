#include "ocr_convert.h"
namespace docpipe::python {
void RegisterTargetCache(py::module_&) {}
}  // namespace docpipe::python
