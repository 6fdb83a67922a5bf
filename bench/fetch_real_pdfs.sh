#!/usr/bin/env bash
# Collects real-world PDFs for benchmarks from Debian documentation packages,
# using only apt (no other network access):
#
#   bench/fetch_real_pdfs.sh DIR [PACKAGE...]
#
# Default packages (Debian 12): gnuplot-doc (gnuplot.pdf, 311 pages) and
# octave-doc (octave.pdf 1,158 pages, liboctave.pdf 57 pages, three reference
# cards).
# Other -doc packages with PDFs can be named instead, e.g. r-doc-pdf (the R
# manuals) or asymptote-doc. Each package's PDFs land in DIR/<package>/; .pdf.gz
# files are decompressed. Idempotent: a package already fetched at the same
# version (DIR/<package>/.version) is skipped.
set -euo pipefail

if [ $# -lt 1 ]; then
  echo "usage: $0 DIR [PACKAGE...]" >&2
  exit 2
fi
dest="$1"
shift
packages=("$@")
[ ${#packages[@]} -eq 0 ] && packages=(gnuplot-doc octave-doc)

mkdir -p "$dest"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# apt downloads as its sandbox user (_apt), which must be able to write here.
chmod 777 "$work"

for package in "${packages[@]}"; do
  version="$(apt-cache policy "$package" | awk '/Candidate:/ {print $2}')"
  if [ -z "$version" ] || [ "$version" = "(none)" ]; then
    echo "fetch_real_pdfs: no candidate for $package (run apt-get update?)" >&2
    exit 1
  fi
  out="$dest/$package"
  if [ -f "$out/.version" ] && [ "$(cat "$out/.version")" = "$version" ]; then
    echo "fetch_real_pdfs: $package $version already in $out" >&2
    continue
  fi
  (cd "$work" && apt-get download -qq "$package")
  deb="$(ls "$work"/"${package}"_*.deb)"
  rm -rf "$work/root" && mkdir -p "$work/root"
  dpkg-deb -x "$deb" "$work/root"
  rm -rf "$out" && mkdir -p "$out"
  count=0
  while IFS= read -r -d '' file; do
    name="$(basename "$file")"
    case "$name" in
      *.pdf.gz) gzip -dc "$file" > "$out/${name%.gz}" ;;
      *) cp "$file" "$out/$name" ;;
    esac
    count=$((count + 1))
  done < <(find "$work/root" -type f \( -iname '*.pdf' -o -iname '*.pdf.gz' \) -print0)
  rm -f "$deb"
  if [ "$count" -eq 0 ]; then
    echo "fetch_real_pdfs: $package contains no PDF" >&2
    exit 1
  fi
  echo "$version" > "$out/.version"
  echo "fetch_real_pdfs: $package $version: $count PDF(s) in $out" >&2
done
