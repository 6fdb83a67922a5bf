#!/usr/bin/env bash
# Parallel ingest on real, uneven corpora: 1 -> 2 workers speedup and the
# critical path (wall time against max(CPU time / workers, store-writer busy
# time)), from `docpipe bench ingest`.
#
#   bench/ingest/run_ingest_bench.sh BUILD_DIR [WORK_DIR] [REPEAT]
#
# Corpora, built from Debian -doc packages with bench/fetch_real_pdfs.sh:
#   uneven    r-doc-pdf (R 4.2): fullrefman.pdf (2,415 pages) with R-FAQ, R-admin,
#             R-data, R-exts, R-intro, R-ints and R-lang: 3,092 pages, the
#             reference manual 78% of them. (refman.pdf, the same pages again, is left out.)
#   balanced  pages 1-800 of fullrefman.pdf cut into 40 PDFs of 20 pages (mutool merge).
#   held-out  octave-doc and gnuplot-doc: octave.pdf (1,158 pages) with liboctave.pdf,
#             the reference cards and gnuplot.pdf: the large manual about 75% of the
#             pages. Not used while tuning; reported separately.
set -euo pipefail

build="${1:?usage: $0 BUILD_DIR [WORK_DIR] [REPEAT]}"
work="${2:-/tmp/docpipe-ingest-bench}"
repeat="${3:-3}"
docpipe="$build/bin/docpipe"
here="$(cd "$(dirname "$0")" && pwd)"

"$here/../fetch_real_pdfs.sh" "$work/real" r-doc-pdf octave-doc gnuplot-doc

uneven="$work/uneven"
if [ ! -d "$uneven" ]; then
  mkdir -p "$uneven"
  for name in fullrefman R-FAQ R-admin R-data R-exts R-intro R-ints R-lang; do
    cp "$work/real/r-doc-pdf/$name.pdf" "$uneven/"
  done
fi
balanced="$work/balanced"
if [ ! -d "$balanced" ]; then
  mkdir -p "$balanced"
  for part in $(seq 0 39); do
    first=$((part * 20 + 1))
    mutool merge -o "$balanced/part$(printf %02d "$part").pdf" "$work/real/r-doc-pdf/fullrefman.pdf" \
      "$first-$((first + 19))"
  done
fi
heldout="$work/heldout"
if [ ! -d "$heldout" ]; then
  mkdir -p "$heldout"
  cp "$work"/real/octave-doc/*.pdf "$work"/real/gnuplot-doc/*.pdf "$heldout/"
fi

for corpus in uneven balanced heldout; do
  dir="$work/$corpus"
  pages=0
  largest=0
  for pdf in "$dir"/*.pdf; do
    n=$(mutool info "$pdf" 2>/dev/null | awk '/^Pages:/ {print $2}')
    pages=$((pages + n))
    [ "$n" -gt "$largest" ] && largest=$n
  done
  echo
  echo "== $corpus: $(ls "$dir"/*.pdf | wc -l) PDFs, $pages pages, the largest $largest ($((100 * largest / pages))%)"
  echo "\$ docpipe bench ingest $dir --workers 1,2 --repeat $repeat"
  "$docpipe" bench ingest "$dir" --workers 1,2 --repeat "$repeat"
done
