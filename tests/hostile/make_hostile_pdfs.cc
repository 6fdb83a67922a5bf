// Writes the hostile PDFs of the tests into a folder:
//   docpipe_make_hostile_pdfs OUT_DIR
#include <cstdio>
#include <string>

#include "hostile_pdfs.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUT_DIR\n", argv[0]);
    return 2;
  }
  using namespace docpipe::hostile;
  const std::string dir = argv[1];
  for (int repeats : {10'000, 30'000, 100'000}) {
    WriteFixture(dir + "/repeated_page_" + std::to_string(repeats) + ".pdf", RepeatedPagePdf(repeats));
  }
  WriteFixture(dir + "/lying_count.pdf", LyingCountPdf(1'000'000));
  WriteFixture(dir + "/flate_bomb.pdf", FlateBombPdf(size_t{640} << 20));
  WriteFixture(dir + "/deep_tree.pdf", DeepTreePdf(10'000));
  WriteFixture(dir + "/cyclic_tree.pdf", CyclicTreePdf());
  WriteFixture(dir + "/slow_pages.pdf", SlowPagesPdf(20));
  return 0;
}
