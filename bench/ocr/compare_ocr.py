#!/usr/bin/python3
"""Scanned-page OCR throughput: docpipe against OCRmyPDF and the tesseract CLI.

    /usr/bin/python3 bench/ocr/compare_ocr.py --docpipe build/bin/docpipe [--jobs 2] [--repeat 3]

On one generated 20-page scanned document (tests/fixtures/make_scans.py,
"scan_20": 300 dpi, A4, three paragraphs a page), in the same run:
  docpipe convert --to text with 1 and --jobs workers (OCR in process);
  ocrmypdf --sidecar --jobs N (its text output; the PDF it writes is discarded);
  tesseract CLI on PNGs pre-rendered by mutool at 300 dpi, N processes at once
  with OMP_THREAD_LIMIT=1 (recognition only: the floor for any Tesseract user).
Prints the best wall time of --repeat runs for each, pages/s, the character
error rate against the drawn text, and the ratios the docs quote.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "..", "tests", "fixtures")


def words(text):
    return " ".join(text.split())


def cer(truth, read):
    """Levenshtein distance / truth length. The common head and tail are cut
    first: the texts are long (~30k characters) and mostly identical."""
    head = 0
    while head < min(len(truth), len(read)) and truth[head] == read[head]:
        head += 1
    tail = 0
    while tail < min(len(truth), len(read)) - head and truth[-1 - tail] == read[-1 - tail]:
        tail += 1
    length = max(1, len(truth))
    truth, read = truth[head:len(truth) - tail], read[head:len(read) - tail]
    previous = list(range(len(read) + 1))
    for i, t in enumerate(truth, 1):
        current = [i] + [0] * len(read)
        for j, r in enumerate(read, 1):
            current[j] = min(previous[j - 1] + (t != r), previous[j] + 1, current[j - 1] + 1)
        previous = current
    return previous[-1] / length


def best_of(repeat, run):
    times, output = [], None
    for _ in range(repeat):
        start = time.monotonic()
        output = run()
        times.append(time.monotonic() - start)
    return min(times), output


def run_docpipe(docpipe, pdf, workers):
    out = subprocess.run([docpipe, "convert", pdf, "--to", "text", "-j", str(workers)],
                         check=True, capture_output=True, text=True)
    return out.stdout


def run_ocrmypdf(pdf, jobs, tmp):
    sidecar = os.path.join(tmp, "sidecar.txt")
    subprocess.run(["ocrmypdf", "--quiet", "--jobs", str(jobs), "--sidecar", sidecar, "--output-type", "pdf",
                    "--optimize", "0", pdf, os.path.join(tmp, "ocrmypdf.pdf")], check=True)
    with open(sidecar, encoding="utf-8") as f:
        return f.read()


def run_tesseract(pngs, jobs):
    env = dict(os.environ, OMP_THREAD_LIMIT="1")

    def one(png):
        return subprocess.run(["tesseract", png, "-", "-l", "eng", "--dpi", "300"], check=True,
                              capture_output=True, text=True, env=env).stdout

    with ThreadPoolExecutor(jobs) as pool:
        return "\n".join(pool.map(one, pngs))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docpipe", required=True)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-ocrmypdf", action="store_true")
    args = parser.parse_args()
    import json
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, os.path.join(FIXTURES, "make_scans.py"), "--out", tmp, "--only", "scan_20"],
                       check=True)
        pdf = os.path.join(tmp, "scan_20.pdf")
        with open(os.path.join(tmp, "scan_20.truth.json"), encoding="utf-8") as f:
            pages = json.load(f)["pages"]
        truth = words(" ".join(p["text"] for p in pages))
        n = len(pages)
        subprocess.run(["mutool", "draw", "-q", "-r", "300", "-c", "gray", "-o", os.path.join(tmp, "p%03d.png"), pdf],
                       check=True, capture_output=True)
        pngs = sorted(os.path.join(tmp, p) for p in os.listdir(tmp) if p.endswith(".png"))
        rows = {}
        rows["docpipe 1 worker"] = best_of(args.repeat, lambda: run_docpipe(args.docpipe, pdf, 1))
        rows[f"docpipe {args.jobs} workers"] = best_of(args.repeat, lambda: run_docpipe(args.docpipe, pdf, args.jobs))
        rows[f"tesseract CLI on PNGs, {args.jobs} at once"] = best_of(args.repeat, lambda: run_tesseract(pngs, args.jobs))
        if not args.skip_ocrmypdf and shutil.which("ocrmypdf"):
            rows[f"ocrmypdf --jobs {args.jobs}"] = best_of(args.repeat, lambda: run_ocrmypdf(pdf, args.jobs, tmp))
        print(f"{n} scanned pages (A4, 300 dpi), best of {args.repeat}; CPU count {os.cpu_count()}")
        print(f"{'':42} {'seconds':>8} {'pages/s':>8} {'CER':>7}")
        for name, (seconds, text) in rows.items():
            print(f"{name:42} {seconds:8.2f} {n / seconds:8.2f} {cer(truth, words(text)) * 100:6.2f}%")
        dp1 = rows["docpipe 1 worker"][0]
        dpn = rows[f"docpipe {args.jobs} workers"][0]
        tess = rows[f"tesseract CLI on PNGs, {args.jobs} at once"][0]
        print(f"speedup 1 -> {args.jobs} workers: {dp1 / dpn:.2f}x")
        print(f"docpipe time / tesseract CLI time (same parallelism): {dpn / tess:.2f}")
        if f"ocrmypdf --jobs {args.jobs}" in rows:
            print(f"docpipe pages/s / ocrmypdf pages/s: {rows[f'ocrmypdf --jobs {args.jobs}'][0] / dpn:.2f}x")


if __name__ == "__main__":
    main()
