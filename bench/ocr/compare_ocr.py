#!/usr/bin/python3
"""Scanned-page OCR throughput: docpipe against OCRmyPDF and the tesseract CLI.

    /usr/bin/python3 bench/ocr/compare_ocr.py --docpipe build/bin/docpipe [--jobs 2] [--repeat 3]

On one generated 20-page scanned document (tests/fixtures/make_scans.py,
"scan_20": 300 dpi, A4, three paragraphs a page), in the same run:
  docpipe convert --to text with 1 and --jobs workers (OCR in process);
  docpipe ingest with 1 and --jobs workers (the store's time included; its
  text is not scored, the row has no CER);
  ocrmypdf --sidecar with --jobs 1 and N (its text output; the PDF it writes is discarded);
  tesseract CLI on PNGs pre-rendered by mutool at 300 dpi, N processes at once
  with OMP_THREAD_LIMIT=1 (recognition only: the floor for any Tesseract user).
Prints the best wall time and the best CPU time (user + system of the child
processes, theirs included) of --repeat runs for each, pages/s, pages per
CPU-second, the character error rate against the drawn text, and the ratios
the docs quote. The CPU-time ratio against OCRmyPDF (one worker each, runs
alternated) holds on a loaded machine; the wall-time speedup from 1 to --jobs
workers needs that many idle cores.
"""

import argparse
import os
import resource
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


def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def best_of(repeat, run):
    """Best wall time and best CPU time (user + system of the child processes
    and theirs: OCRmyPDF's tesseract and Ghostscript count) of `repeat` runs."""
    times, cpus, output = [], [], None
    for _ in range(repeat):
        start, cpu = time.monotonic(), children_cpu()
        output = run()
        times.append(time.monotonic() - start)
        cpus.append(children_cpu() - cpu)
    return min(times), output, min(cpus)


def run_docpipe(docpipe, pdf, workers):
    out = subprocess.run([docpipe, "convert", pdf, "--to", "text", "-j", str(workers)],
                         check=True, capture_output=True, text=True)
    return out.stdout


def run_ingest(docpipe, pdf, workers, tmp):
    """`docpipe ingest` of the one document: its pages are tasks any idle
    worker takes (no helper started per document, unlike convert -j)."""
    db = os.path.join(tmp, f"ingest-{time.monotonic_ns()}.sqlite")
    subprocess.run([docpipe, "ingest", pdf, "--db", db, "--workers", str(workers)], check=True, capture_output=True)
    os.remove(db)
    return ""


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
        ocrmypdf = not args.skip_ocrmypdf and shutil.which("ocrmypdf")
        # One worker each, alternated, for the CPU-time comparison (valid on a
        # loaded machine too); then --jobs for wall time and scaling.
        for _ in range(args.repeat):
            add(rows, "docpipe 1 worker", best_of(1, lambda: run_docpipe(args.docpipe, pdf, 1)))
            if ocrmypdf:
                add(rows, "ocrmypdf --jobs 1", best_of(1, lambda: run_ocrmypdf(pdf, 1, tmp)))
        rows[f"docpipe {args.jobs} workers"] = best_of(args.repeat, lambda: run_docpipe(args.docpipe, pdf, args.jobs))
        for workers in (1, args.jobs):
            rows[f"docpipe ingest, {workers} workers"] = best_of(
                args.repeat, lambda: run_ingest(args.docpipe, pdf, workers, tmp))
        rows[f"tesseract CLI on PNGs, {args.jobs} at once"] = best_of(args.repeat, lambda: run_tesseract(pngs, args.jobs))
        if ocrmypdf:
            rows[f"ocrmypdf --jobs {args.jobs}"] = best_of(args.repeat, lambda: run_ocrmypdf(pdf, args.jobs, tmp))
        print(f"{n} scanned pages (A4, 300 dpi), best of {args.repeat}; CPU count {os.cpu_count()}; "
              f"load average {os.getloadavg()[0]:.1f}")
        print(f"{'':42} {'seconds':>8} {'pages/s':>8} {'CPU s':>7} {'pages/CPU-s':>11} {'CER':>7}")
        for name, (seconds, text, cpu) in rows.items():
            error = "" if name.startswith("docpipe ingest") else f"{cer(truth, words(text)) * 100:6.2f}%"
            print(f"{name:42} {seconds:8.2f} {n / seconds:8.2f} {cpu:7.2f} {n / cpu:11.3f} {error:>7}")
        dp1 = rows["docpipe 1 worker"][0]
        dpn = rows[f"docpipe {args.jobs} workers"][0]
        tess = rows[f"tesseract CLI on PNGs, {args.jobs} at once"][0]
        ingest1, ingestn = rows["docpipe ingest, 1 workers"][0], rows[f"docpipe ingest, {args.jobs} workers"][0]
        print(f"speedup 1 -> {args.jobs} workers, convert -j (wall; needs {args.jobs} idle cores): {dp1 / dpn:.2f}x")
        print(f"speedup 1 -> {args.jobs} workers, ingest (wall; needs {args.jobs} idle cores; target 1.8x): "
              f"{ingest1 / ingestn:.2f}x")
        print(f"docpipe time / tesseract CLI time (same parallelism): {dpn / tess:.2f}")
        if ocrmypdf:
            print(f"docpipe / ocrmypdf, pages per CPU-second, one worker each: "
                  f"{rows['ocrmypdf --jobs 1'][2] / rows['docpipe 1 worker'][2]:.2f}x (target 1.3x)")
            print(f"docpipe pages/s / ocrmypdf pages/s, {args.jobs} each (wall): "
                  f"{rows[f'ocrmypdf --jobs {args.jobs}'][0] / dpn:.2f}x")


def add(rows, name, result):
    """Keeps the best wall and the best CPU time seen for `name`."""
    if name not in rows:
        rows[name] = result
    else:
        seconds, text, cpu = rows[name]
        rows[name] = (min(seconds, result[0]), text, min(cpu, result[2]))


if __name__ == "__main__":
    main()
