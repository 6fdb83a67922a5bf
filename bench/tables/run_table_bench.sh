#!/usr/bin/env bash
# Table benchmark: quality on the generated corpus, cost on real PDFs.
#
#   bench/tables/run_table_bench.sh BUILD_DIR REAL_PDF_DIR
#
# 1. bench/tables/make_tables.py draws the corpus (six styles, near misses)
#    into BUILD_DIR/bench_tables; score.py scores `docpipe convert --to json`.
# 2. docpipe_table_speed converts each real PDF with detection on and off,
#    alternately, and prints the ratio and tables per 100 pages.
# 3. bench/extract/compare_extractors.py: convert --to md --workers 1 against
#    mutool draw -F txt on the same PDFs.
# REAL_PDF_DIR: e.g. filled by bench/fetch_real_pdfs.sh.
set -euo pipefail
build="${1:?usage: $0 BUILD_DIR REAL_PDF_DIR}"
real="${2:?usage: $0 BUILD_DIR REAL_PDF_DIR}"
here="$(cd "$(dirname "$0")" && pwd)"
corpus="$build/bench_tables"
/usr/bin/python3 "$here/make_tables.py" --out "$corpus"
/usr/bin/python3 "$here/score.py" --corpus "$corpus" --docpipe "$build/bin/docpipe"
mapfile -t pdfs < <(find "$real" -name '*.pdf' | sort)
"$build/bin/docpipe_table_speed" --repeat 3 "${pdfs[@]}"
/usr/bin/python3 "$here/../extract/compare_extractors.py" --docpipe "$build/bin/docpipe" --repeat 3 "${pdfs[@]}"
