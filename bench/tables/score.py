#!/usr/bin/env python3
"""Scores docpipe's tables against make_tables.py's truth.

For each document, `docpipe convert --to json` is run; detected tables are
matched to truth tables by bounding-box overlap. Per style it reports:
  - adjacency F1 (ICDAR 2013): every non-empty cell's relation to the next
    non-empty cell to its right and below, as (text, text, direction) tuples;
    precision and recall over the multiset of tuples, unmatched tables count
    against recall (missed) or precision (spurious);
  - exact cells: the share of truth cells found with the same row, column,
    spans and text;
  - tables found / expected, and spurious tables (near-miss documents must
    have none).
Tuned and held-out documents are reported separately.
"""

import argparse
import collections
import json
import os
import subprocess
import sys


def norm(text):
    return " ".join(text.split())


def grid_of(cells):
    grid = {}
    for c in cells:
        if norm(c["text"]):
            grid[(c["row"], c["col"])] = (c, norm(c["text"]))
    return grid


def adjacency(cells):
    """ICDAR 2013 adjacency relations: each cell to its nearest non-empty
    neighbour to the right and below (spanning cells from their far edge)."""
    grid = grid_of(cells)
    rel = collections.Counter()
    if not grid:
        return rel
    max_row = max(r for r, _ in grid) + 8
    max_col = max(c for _, c in grid) + 8
    for (r, c), (cell, text) in grid.items():
        for col in range(c + cell.get("col_span", 1), max_col):
            if (r, col) in grid:
                rel[(text, grid[(r, col)][1], "right")] += 1
                break
        for row in range(r + cell.get("row_span", 1), max_row):
            if (row, c) in grid:
                rel[(text, grid[(row, c)][1], "down")] += 1
                break
    return rel


def overlap(a, b):
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    inter = w * h
    return inter / min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))


def detected_tables(binary, pdf):
    out = subprocess.run([binary, "convert", pdf, "--to", "json"], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit("convert failed on %s: %s" % (pdf, out.stderr))
    doc = json.loads(out.stdout)
    tables = []
    for page in doc["pages"]:
        for block in page["blocks"]:
            if block["type"] == "table" and "table" in block:
                t = block["table"]
                t["bbox"] = block["bbox"]
                tables.append(t)
    return tables


class Score:
    def __init__(self):
        self.tp = self.fp = self.fn = 0
        self.cells = self.cells_exact = 0
        self.expected = self.found = self.spurious = 0

    def add(self, truth, found):
        t = adjacency(truth["cells"]) if truth else collections.Counter()
        f = adjacency(found["cells"]) if found else collections.Counter()
        common = sum((t & f).values())
        self.tp += common
        self.fn += sum(t.values()) - common
        self.fp += sum(f.values()) - common
        if truth:
            self.expected += 1
            keys = set()
            if found:
                keys = {(c["row"], c["col"], c["row_span"], c["col_span"], norm(c["text"])) for c in found["cells"]}
            for c in truth["cells"]:
                if not norm(c["text"]):
                    continue
                self.cells += 1
                self.cells_exact += (c["row"], c["col"], c["row_span"], c["col_span"], norm(c["text"])) in keys
            self.found += found is not None
        elif found:
            self.spurious += 1

    def row(self, name):
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        exact = self.cells_exact / self.cells if self.cells else 1.0
        return "%-22s %6d/%-6d %8d %7.3f %7.3f %7.3f %7.3f" % (
            name, self.found, self.expected, self.spurious, p, r, f1, exact)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", required=True)
    parser.add_argument("--docpipe", required=True)
    args = parser.parse_args()
    manifest = json.load(open(os.path.join(args.corpus, "manifest.json")))
    scores = collections.defaultdict(Score)
    for doc in manifest:
        found = detected_tables(args.docpipe, os.path.join(args.corpus, doc["name"] + ".pdf"))
        split = "held-out" if doc["held_out"] else "tuned"
        key = "%s/%s" % (doc["style"], split)
        scores[key]  # every style gets a row, near misses with no table included
        used = set()
        for truth in doc["tables"]:
            best, best_overlap = None, 0.3
            for i, t in enumerate(found):
                o = overlap(truth["bbox"], t["bbox"])
                if i not in used and o > best_overlap:
                    best, best_overlap = i, o
            if best is not None:
                used.add(best)
            scores[key].add(truth, found[best] if best is not None else None)
        for i, t in enumerate(found):
            if i not in used:
                scores[key].add(None, t)
    print("%-22s %13s %8s %7s %7s %7s %7s" % ("style/split", "found/tables", "spurious", "prec", "recall",
                                              "adj-F1", "exact"))
    for key in sorted(scores):
        print(scores[key].row(key))


if __name__ == "__main__":
    main()
