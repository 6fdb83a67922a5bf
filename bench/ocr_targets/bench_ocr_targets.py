"""Benchmark of docpipe_ocr's DBNet label maps against the Python reference, in
the same run: 640 x 640 images with 30 polygons (quadrilaterals; mixed 4-8
points; curved 10 points).

    PYTHONPATH=<build>/python /usr/bin/python3 bench/ocr_targets/bench_ocr_targets.py [--quick]

Reports per-image time of the reference and of db_targets (single thread, both
wall and CPU time: on a shared machine CPU time is the steadier measure),
db_targets_batch at 1..N threads, cache hits (memory and disk) per image, and
the DataLoader example's samples/s with and without the cache.
"""
import argparse
import os
import shutil
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "ocr", "python"))
sys.path.insert(0, os.path.join(ROOT, "python", "examples"))

import db_reference as ref  # noqa: E402
import docpipe_ocr as dpo  # noqa: E402
import polygon_sets as ps  # noqa: E402

SETS = ("quad", "mixed", "curved")


def timed(fn, repeat):
    """Best-of-3 (wall, cpu) seconds per call of fn, each trial `repeat` calls."""
    best_wall = best_cpu = float("inf")
    for _ in range(3):
        w0, c0 = time.perf_counter(), time.process_time()
        for _ in range(repeat):
            fn()
        best_wall = min(best_wall, (time.perf_counter() - w0) / repeat)
        best_cpu = min(best_cpu, (time.process_time() - c0) / repeat)
    return best_wall, best_cpu


def single_thread(images, quick):
    print("single thread, ms per 640x640 image (best of 3; wall / cpu):")
    rows = []
    for name in SETS:
        samples = [ps.bench_set(name, seed=s) for s in range(images)]

        def reference():
            for p, ig in samples:
                ref.db_targets([q.copy() for q in p], ig, 640, 640)

        def native():
            for p, ig in samples:
                dpo.db_targets(p, ig, height=640, width=640)

        rw, rc = timed(reference, 1)
        nw, nc = timed(native, 5 if quick else 20)
        rw, rc, nw, nc = (x / len(samples) * 1e3 for x in (rw, rc, nw, nc))
        rows.append((name, rw, rc, nw, nc))
        print(f"  {name:7s} reference {rw:7.1f} / {rc:7.1f}   docpipe {nw:6.3f} / {nc:6.3f}   "
              f"speedup {rw / nw:5.0f}x wall, {rc / nc:5.0f}x cpu")
    return rows


def batch_scaling(images):
    samples = [ps.bench_set("mixed", seed=s) for s in range(images)]
    batch = [(p, ig, 640, 640) for p, ig in samples]
    cores = os.cpu_count() or 1
    counts = sorted({1, 2, 4, 8, 16, cores} & set(range(1, cores + 1)))
    print(f"db_targets_batch, {len(batch)} images of the mixed set, {cores} cores:")
    base = None
    for threads in counts:
        wall, _ = timed(lambda: dpo.db_targets_batch(batch, threads=threads), 3)
        base = base or wall
        print(f"  threads {threads:2d}: {len(batch) / wall:7.0f} images/s  speedup {base / wall:4.2f}x")


def cache_hits(images):
    samples = [ps.bench_set("mixed", seed=s) for s in range(images)]
    tmp = tempfile.mkdtemp(prefix="bench-cache-")
    try:
        cache = dpo.TargetCache(tmp, max_ram_mb=1024)
        for p, ig in samples:
            cache.get_or_compute(p, ig, height=640, width=640)
        ram, _ = timed(lambda: [cache.get_or_compute(p, ig, height=640, width=640) for p, ig in samples], 5)
        disk_only = dpo.TargetCache(tmp, max_ram_mb=0)
        disk, _ = timed(lambda: [disk_only.get_or_compute(p, ig, height=640, width=640) for p, ig in samples], 5)
        touch, _ = timed(lambda: [float(m["thresh_map"].sum()) for m in
                                  (disk_only.get_or_compute(p, ig, height=640, width=640) for p, ig in samples)], 5)
        compute, _ = timed(lambda: [dpo.db_targets(p, ig, height=640, width=640) for p, ig in samples], 5)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    n = len(samples)
    print("cache, ms per 640x640 image (mixed set; includes the key's hash of the polygons):")
    print(f"  memory hit {ram / n * 1e3:.3f}   disk hit (mmap, zero-copy) {disk / n * 1e3:.3f}   "
          f"disk hit + reading one map {touch / n * 1e3:.3f}   compute {compute / n * 1e3:.3f}")


class ReferenceDataset:
    """The write-ups' pipeline: the same samples, maps from the Python reference."""

    def __init__(self, samples):
        self.samples = samples

    def __len__(self):
        return len(self.samples)

    def __getitem__(self, index):
        (h, w), polygons, ignore = self.samples[index]
        maps = ref.db_targets([p.copy() for p in polygons], ignore, h, w)
        return {"image": np.zeros((h, w, 3), np.uint8), **maps}


def dataloader(quick):
    import dbnet_dataloader as dl
    count = 32 if quick else 96
    samples = dl.synthetic_samples(count)
    print(f"DataLoader example: {count} synthetic 640x640 samples with 30 boxes, 2 workers, batch 8, "
          "samples/s for epochs 1 and 2:")
    tmp = tempfile.mkdtemp(prefix="bench-loader-")
    try:
        runs = {
            "python reference maps": ReferenceDataset(samples),
            "docpipe, no cache": dl.TextDetectionDataset(samples),
            "docpipe + TargetCache": dl.TextDetectionDataset(samples, dpo.TargetCache(tmp, max_ram_mb=256)),
        }
        for name, dataset in runs.items():
            rates = dl.samples_per_second(dataset, 2, 2, 8)
            print(f"  {name:22s} " + "  ".join(f"{r:7.1f}" for r in rates))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer images (a smoke run)")
    parser.add_argument("--no-dataloader", action="store_true")
    args = parser.parse_args()
    images = 3 if args.quick else 10
    single_thread(images, args.quick)
    batch_scaling(8 if args.quick else 32)
    cache_hits(images)
    if not args.no_dataloader:
        dataloader(args.quick)


if __name__ == "__main__":
    main()
