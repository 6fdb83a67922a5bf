"""A DBNet training/validation Dataset whose label maps come from docpipe_ocr,
with a TargetCache shared by the DataLoader's worker processes.

    PYTHONPATH=<build>/python /usr/bin/python3 python/examples/dbnet_dataloader.py \
        [--annotations train/gt --images train/img] [--cache /data/cache/icdar15]

Without --annotations it makes a synthetic dataset (640 x 640, 30 polygons per
image). It prints samples/s for two epochs without and with the cache; with a
cache the second epoch reads every map back from memory-mapped files.
Precompute a dataset once with `docpipe ocr-targets` and every epoch is a hit.
"""
import argparse
import os
import shutil
import sys
import tempfile
import time

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset

import docpipe_ocr as dpo

PLANES = ("gt", "mask", "thresh_map", "thresh_mask")


class TextDetectionDataset(Dataset):
    """Image, polygons and DBNet maps per sample. `cache` may be None (compute
    every time, as the write-ups' pipeline did) or a docpipe_ocr.TargetCache;
    the cache pickles as its settings, so each worker opens the same directory."""

    def __init__(self, samples, cache=None):
        self.samples = samples  # list of (image_path or (h, w), polygons, ignore)
        self.cache = cache

    def __len__(self):
        return len(self.samples)

    def __getitem__(self, index):
        image_ref, polygons, ignore = self.samples[index]
        if isinstance(image_ref, str):
            import cv2
            image = cv2.imread(image_ref, cv2.IMREAD_COLOR)
        else:
            image = np.zeros((*image_ref, 3), np.uint8)
        h, w = image.shape[:2]
        if self.cache is not None:
            maps = self.cache.get_or_compute(polygons, ignore, height=h, width=w)
        else:
            maps = dpo.db_targets(polygons, ignore, height=h, width=w)
        return {"image": image, **maps}


def collate(batch):
    """Stacks each field; np.stack copies, so read-only cached maps are fine."""
    out = {"image": torch.from_numpy(np.stack([b["image"] for b in batch])).permute(0, 3, 1, 2)}
    for key in PLANES:
        out[key] = torch.from_numpy(np.stack([b[key] for b in batch]))
    return out


def synthetic_samples(count, seed=0):
    rng = np.random.default_rng(seed)
    samples = []
    for _ in range(count):
        polygons = []
        for _ in range(30):
            cx, cy = rng.uniform(0, 640, size=2)
            bw, bh, angle = rng.uniform(20, 200), rng.uniform(8, 40), rng.uniform(-0.5, 0.5)
            c, s = np.cos(angle), np.sin(angle)
            corners = np.array([[-bw, -bh], [bw, -bh], [bw, bh], [-bw, bh]]) / 2
            polygons.append(corners @ np.array([[c, s], [-s, c]]) + [cx, cy])
        samples.append(((640, 640), polygons, [False] * 30))
    return samples


def dataset_samples(annotations, images):
    samples = []
    for name in sorted(os.listdir(annotations)):
        if not name.endswith(".txt"):
            continue
        stem = name[3:-4] if name.startswith("gt_") else name[:-4]
        image = next((os.path.join(images, stem + e) for e in (".jpg", ".jpeg", ".png")
                      if os.path.exists(os.path.join(images, stem + e))), None)
        if image is None:
            continue
        polygons, ignore = dpo.read_annotations(os.path.join(annotations, name))
        samples.append((image, polygons, ignore))
    return samples


def samples_per_second(dataset, epochs, workers, batch_size):
    loader = DataLoader(dataset, batch_size=batch_size, num_workers=workers, collate_fn=collate,
                        persistent_workers=workers > 0)
    rates = []
    for _ in range(epochs):
        start = time.perf_counter()
        seen = 0
        for batch in loader:
            seen += batch["gt"].shape[0]
        rates.append(seen / (time.perf_counter() - start))
    return rates


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--annotations")
    parser.add_argument("--images")
    parser.add_argument("--cache", help="cache directory (default: a temporary one)")
    parser.add_argument("--samples", type=int, default=64, help="synthetic samples")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--epochs", type=int, default=2)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    samples = (dataset_samples(args.annotations, args.images) if args.annotations
               else synthetic_samples(args.samples))
    cache_dir = args.cache or tempfile.mkdtemp(prefix="dbnet-cache-")
    try:
        plain = samples_per_second(TextDetectionDataset(samples), args.epochs, args.workers, args.batch_size)
        cache = dpo.TargetCache(cache_dir, max_ram_mb=256)
        cached = samples_per_second(TextDetectionDataset(samples, cache), args.epochs, args.workers,
                                    args.batch_size)
    finally:
        if args.cache is None:
            shutil.rmtree(cache_dir, ignore_errors=True)
    print(f"{len(samples)} samples, {args.workers} workers, batch {args.batch_size}")
    print("no cache:   " + ", ".join(f"epoch {i + 1}: {r:.1f} samples/s" for i, r in enumerate(plain)))
    print("with cache: " + ", ".join(f"epoch {i + 1}: {r:.1f} samples/s" for i, r in enumerate(cached)))
    return plain, cached


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
