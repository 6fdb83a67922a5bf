#!/usr/bin/python3
"""Single-thread PDF text extraction: docpipe against mutool and pdftotext.

Runs, on the same PDFs in the same run, one process per file:
  docpipe convert FILE --to md --workers 1   (structure included: reading order, headings, lists)
  mutool draw -F txt FILE                    (MuPDF plain text, no structure)
  pdftotext FILE                             (poppler plain text)
and prints the best total time of --repeat rounds for each, and docpipe's ratio to the others.

usage: bench/extract/compare_extractors.py --docpipe build/bin/docpipe DIR_OR_PDF...
"""
import argparse
import os
import shutil
import subprocess
import sys
import time


def pdfs_in(paths):
    found = []
    for path in paths:
        if os.path.isdir(path):
            for root, _, names in os.walk(path):
                found += [os.path.join(root, n) for n in names if n.lower().endswith(".pdf")]
        else:
            found.append(path)
    return sorted(found)


def total_seconds(command_for, files):
    start = time.perf_counter()
    for path in files:
        subprocess.run(command_for(path), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("inputs", nargs="+")
    parser.add_argument("--docpipe", default="build/bin/docpipe")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    files = pdfs_in(args.inputs)
    if not files:
        sys.exit("no PDFs found")
    pages = 0
    for path in files:
        info = subprocess.run(["pdfinfo", path], capture_output=True, text=True).stdout
        pages += next((int(l.split()[-1]) for l in info.splitlines() if l.startswith("Pages:")), 0)
    size_mb = sum(os.path.getsize(f) for f in files) / 1e6
    print(f"{len(files)} PDFs, {pages} pages, {size_mb:.1f} MB; best of {args.repeat} rounds, one process per file")

    tools = {
        "docpipe convert --to md --workers 1": lambda p: [args.docpipe, "convert", p, "--to", "md", "--workers", "1"],
        "mutool draw -F txt": lambda p: ["mutool", "draw", "-q", "-F", "txt", "-o", "/dev/null", p],
        "pdftotext": lambda p: ["pdftotext", p, "/dev/null"],
    }
    for name in list(tools):
        if shutil.which(tools[name]("x")[0]) is None and not os.path.exists(tools[name]("x")[0]):
            sys.exit(f"missing tool for '{name}'")
    best = {}
    for _ in range(args.repeat):
        for name, command_for in tools.items():
            seconds = total_seconds(command_for, files)
            best[name] = min(best.get(name, seconds), seconds)
    docpipe = best["docpipe convert --to md --workers 1"]
    print(f"{'tool':40} {'seconds':>9} {'pages/s':>9} {'docpipe / tool':>15}")
    for name, seconds in best.items():
        print(f"{name:40} {seconds:9.3f} {pages / seconds:9.1f} {docpipe / seconds:14.2f}x")


if __name__ == "__main__":
    main()
