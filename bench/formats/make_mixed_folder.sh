#!/usr/bin/env bash
# A mixed real documentation folder for `docpipe bench ingest`: PDFs, HTML
# pages and images side by side, as people keep them. Everything comes from
# Debian -doc packages through apt (bench/fetch_real_pdfs.sh,
# bench/formats/fetch_real_html.sh):
#
#   bench/formats/make_mixed_folder.sh WORK_DIR [PDFS HTML IMAGES]
#   build/bin/docpipe bench ingest WORK_DIR/mixed --workers 1,2
#
#   PDFs    the first PDFS (default 30) PDFs of 40 pages or fewer of
#           texlive-humanities-doc, in name order;
#   HTML    every k-th of git-doc's HTML pages, k the smallest that gives at most HTML
#           (default 300; 242 with git-doc 2.39);
#   images  IMAGES (default 16) pages of texlive-latex-recommended-doc's PDFs
#           drawn at 200 dpi in gray, as PNG and JPEG alternately: real text
#           as a scanner or a camera would hand it over, read by OCR.
# Idempotent: an existing WORK_DIR/mixed is left as it is.
set -euo pipefail

work="${1:?usage: $0 WORK_DIR [PDFS HTML IMAGES]}"
pdfs="${2:-30}"
html="${3:-300}"
images="${4:-16}"
here="$(cd "$(dirname "$0")" && pwd)"
mixed="$work/mixed"
if [ -d "$mixed" ]; then
  echo "make_mixed_folder: $mixed exists" >&2
  exit 0
fi

"$here/../fetch_real_pdfs.sh" "$work/pdf" texlive-humanities-doc texlive-latex-recommended-doc
"$here/fetch_real_html.sh" "$work/html" git-doc

pages() { pdfinfo "$1" 2>/dev/null | awk '/^Pages:/ {print $2}'; }

mkdir -p "$mixed/pdf" "$mixed/html" "$mixed/images"
count=0
for file in $(ls "$work/pdf/texlive-humanities-doc/"*.pdf | sort); do
  [ "$count" -ge "$pdfs" ] && break
  n="$(pages "$file")"
  if [ -n "$n" ] && [ "$n" -le 40 ]; then
    cp "$file" "$mixed/pdf/"
    count=$((count + 1))
  fi
done

mapfile -t pages_html < <(find "$work/html/git-doc" -name '*.html' | sort)
step=$(( (${#pages_html[@]} + html - 1) / html ))
[ "$step" -lt 1 ] && step=1
for ((i = 0; i < ${#pages_html[@]}; i += step)); do
  cp "${pages_html[$i]}" "$mixed/html/$(printf %04d "$i")-$(basename "${pages_html[$i]}")"  # names repeat across folders
done

count=0
for file in $(ls "$work/pdf/texlive-latex-recommended-doc/"*.pdf | sort); do
  [ "$count" -ge "$images" ] && break
  name="$(basename "$file" .pdf)"
  if [ $((count % 2)) -eq 0 ]; then
    mutool draw -q -r 200 -c gray -o "$mixed/images/$name-p2.png" "$file" 2 2>/dev/null
  else
    mutool draw -q -r 200 -c gray -o "$work/page.pnm" "$file" 2 2>/dev/null
    /usr/bin/python3 -c "import sys; from PIL import Image; Image.open(sys.argv[1]).save(sys.argv[2], quality=85)" \
      "$work/page.pnm" "$mixed/images/$name-p2.jpg"
  fi
  count=$((count + 1))
done
rm -f "$work/page.pnm"
echo "make_mixed_folder: $(find "$mixed/pdf" -type f | wc -l) PDFs, $(find "$mixed/html" -type f | wc -l) HTML pages," \
  "$(find "$mixed/images" -type f | wc -l) images in $mixed" >&2
