#!/usr/bin/python3
"""Pictures inside digital PDFs: what `--ocr auto` costs and what it reads.

    /usr/bin/python3 bench/ocr/digital_pictures.py --docpipe build/bin/docpipe \\
        --set tuned=tuned.list --set holdout=holdout.list [--workers 1] [--rounds 3] \\
        [--sample 40 --sample-dir DIR]

Each list file names PDFs, one a line (real digital documents, e.g. Debian -doc
packages unpacked by bench/fetch_real_pdfs.sh). For each set, in the same run:
  docpipe ingest --ocr never, then --ocr auto (a fresh store each), one after
  the other, --rounds times, CPU time (user + system) of each: the median of
  each is used (a loaded machine moves single runs by a second either way);
  OCR's share of the --ocr auto run's CPU time: (CPU auto - CPU never) / CPU auto
  (target <= 25%), and the same share from the report's busy time
  ((render + ocr) / all stages: wall-clock, but stretched alike on a loaded
  machine);
  the report's picture counts: recognised, and skipped as too small, not
  text-like, or in a script the OCR languages do not read.
With --sample N, N documents of each set (fixed seed) are converted to JSON and
their pages with skipped or recognised pictures drawn at 60 dpi into
--sample-dir, named by reason, for checking by eye.
"""

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import tempfile


def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def ingest(docpipe, paths_file, ocr, workers, tmp):
    db = os.path.join(tmp, f"{ocr}.sqlite")
    if os.path.exists(db):
        os.remove(db)
    before = children_cpu()
    out = subprocess.run([docpipe, "ingest", "--list", paths_file, "--db", db, "--workers", str(workers),
                          "--ocr", ocr, "--json"], capture_output=True, text=True)
    cpu = children_cpu() - before
    if out.returncode not in (0, 1):  # 1: some inputs failed, listed in the report
        raise SystemExit(f"ingest failed ({out.returncode}): {out.stderr[-2000:]}")
    os.remove(db)
    return cpu, json.loads(out.stdout)


def measure(docpipe, name, paths_file, workers, rounds):
    nevers, autos = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(rounds):
            nevers.append(ingest(docpipe, paths_file, "never", workers, tmp)[0])
            cpu, report = ingest(docpipe, paths_file, "auto", workers, tmp)
            autos.append(cpu)
    cpu_never, cpu_auto = statistics.median(nevers), statistics.median(autos)
    busy = report["busy_seconds"]
    stages = sum(busy[k] for k in ("open", "extract", "structure", "chunk", "embed", "store"))
    pictures = report["ocr_pictures"]
    docs = report["documents"]
    print(f"set {name}: {docs['ok']} documents ok, {docs['failed']} failed, {report['pages']} pages, "
          f"{report['pages_ocr']} pages with recognised text")
    print(f"  CPU (median of {rounds}): --ocr never {cpu_never:.1f} s, --ocr auto {cpu_auto:.1f} s; OCR share of "
          f"the auto run {(cpu_auto - cpu_never) / cpu_auto * 100:.1f}% (target <= 25%)")
    print(f"  rounds: never {' '.join(f'{c:.1f}' for c in nevers)}; auto {' '.join(f'{c:.1f}' for c in autos)}")
    print(f"  busy: render {busy['render']:.1f} s + ocr {busy['ocr']:.1f} s of {stages:.1f} s: "
          f"{(busy['render'] + busy['ocr']) / max(stages, 1e-9) * 100:.1f}%")
    print(f"  pictures: {pictures['read']} recognised; skipped {pictures['small']} too small, "
          f"{pictures['not_text']} not text-like, {pictures['other_script']} in another script; "
          f"{report['ocr_words_dropped']} low-confidence words kept out of the text")


def sample(docpipe, name, paths_file, count, out_dir):
    with open(paths_file, encoding="utf-8") as f:
        paths = [line.strip() for line in f if line.strip()]
    random.Random(16).shuffle(paths)
    os.makedirs(out_dir, exist_ok=True)
    drawn = 0
    for path in paths[:count]:
        out = subprocess.run([docpipe, "convert", path, "--to", "json"], capture_output=True, text=True)
        if out.returncode != 0:
            continue
        for page in json.loads(out.stdout)["pages"]:
            counts = page["ocr_counts"]
            reasons = [k for k in ("pictures_read", "pictures_not_text", "pictures_other_script") if counts[k] > 0]
            if not reasons:
                continue
            stem = f"{name}-{'+'.join(r.replace('pictures_', '') for r in reasons)}-" \
                   f"{os.path.splitext(os.path.basename(path))[0]}-p{page['number']}.png"
            subprocess.run(["mutool", "draw", "-q", "-r", "60", "-o", os.path.join(out_dir, stem), path,
                            str(page["number"])], capture_output=True)
            text = " ".join(b["text"] for b in page["blocks"] if b["source"] == "ocr")
            print(f"  {stem}: {counts}; OCR text: {text[:160]!r}")
            drawn += 1
    print(f"  {drawn} pages drawn into {out_dir}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docpipe", required=True)
    parser.add_argument("--set", action="append", required=True, help="NAME=LIST_FILE")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sample", type=int, default=0)
    parser.add_argument("--sample-dir", default="picture-samples")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f}, {args.workers} worker(s)")
    for spec in args.set:
        name, paths_file = spec.split("=", 1)
        measure(args.docpipe, name, paths_file, args.workers, args.rounds)
        if args.sample:
            sample(args.docpipe, name, paths_file, args.sample, args.sample_dir)


if __name__ == "__main__":
    main()
