#!/usr/bin/python3
"""Single-thread PDF text extraction: docpipe against mutool and pdftotext.

Runs, on the same PDFs in the same run, one process per file:
  docpipe convert FILE --to md --workers 1   (structure included: reading order, headings, lists)
  mutool draw -F txt FILE                    (MuPDF plain text, no structure)
  pdftotext FILE                             (poppler plain text)
and prints the best total of --repeat rounds for each (the tools alternate within a round), and
docpipe's ratio to the others: CPU seconds of the child processes (user + system, steady on a
shared machine) and wall seconds.

usage: bench/extract/compare_extractors.py --docpipe build/bin/docpipe DIR_OR_PDF...
"""
import argparse
import os
import resource
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


def child_cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def total_seconds(command_for, files):
    """(CPU seconds, wall seconds) of running the command on every file."""
    start, start_cpu = time.perf_counter(), child_cpu_seconds()
    for path in files:
        subprocess.run(command_for(path), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return child_cpu_seconds() - start_cpu, time.perf_counter() - start


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
    best_cpu, best_wall = {}, {}
    for _ in range(args.repeat):
        for name, command_for in tools.items():
            cpu, wall = total_seconds(command_for, files)
            best_cpu[name] = min(best_cpu.get(name, cpu), cpu)
            best_wall[name] = min(best_wall.get(name, wall), wall)
    docpipe_name = "docpipe convert --to md --workers 1"
    cpu0, wall0 = best_cpu[docpipe_name], best_wall[docpipe_name]
    print(f"{'tool':40} {'CPU s':>8} {'pages/CPU-s':>12} {'docpipe / tool':>15} {'wall s':>8} {'wall ratio':>11}")
    for name in tools:
        cpu, wall = best_cpu[name], best_wall[name]
        print(f"{name:40} {cpu:8.3f} {pages / cpu:12.1f} {cpu0 / cpu:14.2f}x {wall:8.3f} {wall0 / wall:10.2f}x")


if __name__ == "__main__":
    main()
