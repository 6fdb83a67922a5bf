#!/usr/bin/env bash
# Collects real HTML manuals for bench/formats from Debian documentation
# packages, using only apt:
#
#   bench/formats/fetch_real_html.sh DIR [PACKAGE...]
#
# Default packages (Debian 12): python3.11-doc (Sphinx; the tuning set),
# cmake-doc (Sphinx) and git-doc (AsciiDoc), which were kept out of tuning.
# Each package is unpacked into DIR/<package>/. Idempotent.
set -euo pipefail

if [ $# -lt 1 ]; then
  echo "usage: $0 DIR [PACKAGE...]" >&2
  exit 2
fi
dest="$1"
shift
packages=("$@")
[ ${#packages[@]} -eq 0 ] && packages=(python3.11-doc cmake-doc git-doc)

mkdir -p "$dest"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
chmod 777 "$work"  # apt downloads as its sandbox user (_apt)

for package in "${packages[@]}"; do
  if [ -d "$dest/$package/usr" ]; then
    echo "fetch_real_html: $package already in $dest/$package" >&2
    continue
  fi
  (cd "$work" && apt-get download -q "$package" >/dev/null)
  dpkg-deb -x "$work"/"${package}"_*.deb "$dest/$package"
  echo "fetch_real_html: $package -> $dest/$package" >&2
done
