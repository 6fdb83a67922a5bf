// Hostile PDFs, written at test time: small files that once made a conversion
// run for minutes, take gigabytes or flood the report. Each is what an
// attacker would send, built from the PDF syntax up (no PDF library), so the
// fixture cannot be "fixed" by the library that reads it.
#pragma once

#include <cstddef>
#include <string>

namespace docpipe::hostile {

// One page object (with a line of text) listed `repeats` times in the root's
// /Kids, and /Count saying so: page lookup that walks the tree each time is
// quadratic in `repeats`.
std::string RepeatedPagePdf(int repeats);

// A one-page tree whose /Count claims `claimed` pages.
std::string LyingCountPdf(int claimed);

// One page whose content stream is `uncompressed_bytes` of text-showing
// operators, Flate-compressed (about 1000:1).
std::string FlateBombPdf(size_t uncompressed_bytes);

// A chain of `depth` /Pages nodes, each the only kid of the one above, with a
// page at the bottom.
std::string DeepTreePdf(int depth);

// A /Pages node that lists itself among its kids, besides one real page.
std::string CyclicTreePdf();

// `pages` pages, each painting a Form XObject that paints the next one ten
// times, nine levels deep: every page takes practically forever.
std::string SlowPagesPdf(int pages);

// Writes `bytes` to `path`; returns `path`.
std::string WriteFixture(const std::string& path, const std::string& bytes);

}  // namespace docpipe::hostile
