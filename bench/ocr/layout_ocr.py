#!/usr/bin/python3
"""Multi-column scans: docpipe's reading order and text against the tesseract CLI.

    /usr/bin/python3 bench/ocr/layout_ocr.py --docpipe build/bin/docpipe [--sets scan_magazine ...]

For each page of the magazine fixtures (tests/fixtures/magazine_scans.py;
"scan_magazine" was tuned on, "scan_magazine_holdout" was not), in the same run:
  docpipe convert --to json (the page's block texts in order);
  `tesseract page.png out` with its defaults (PSM 3: its own layout analysis),
  on the page drawn by mutool at 300 dpi in gray, the image docpipe recognises,
  with the same traineddata.
Prints per page the character error rate (CER) against the drawn truth and the
word-order similarity (of the words both share, the share read in the truth's
order), the CER difference in points, and whether the page meets the targets
(CER within 0.5 points of the CLI, word order >= 0.95).
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from compare_ocr import cer, words  # noqa: E402

FIXTURES = os.path.join(HERE, "..", "..", "tests", "fixtures")


def normalized(text):
    out = []
    for word in text.split():
        w = "".join(c.lower() for c in word if c.isalnum())
        if w:
            out.append(w)
    return out


def word_order(truth, read):
    a, b = normalized(truth), normalized(read)
    count = Counter(a)
    shared = 0
    for w in b:
        if count[w] > 0:
            count[w] -= 1
            shared += 1
    if shared == 0:
        return 0.0
    row = [0] * (len(b) + 1)
    for x in a:
        diagonal = 0
        for j, y in enumerate(b, 1):
            up = row[j]
            row[j] = diagonal + 1 if x == y else max(row[j], row[j - 1])
            diagonal = up
    return row[-1] / shared


def docpipe_pages(docpipe, pdf):
    out = subprocess.run([docpipe, "convert", pdf, "--to", "json"], check=True, capture_output=True, text=True)
    document = json.loads(out.stdout)
    return [" ".join(block["text"] for block in page.get("blocks", [])) for page in document["pages"]]


def tesseract_page(png):
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    return subprocess.run(["tesseract", png, "-", "-l", "eng", "--dpi", "300"], check=True,
                          capture_output=True, text=True, env=env).stdout


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docpipe", required=True)
    parser.add_argument("--sets", nargs="*", default=["scan_magazine", "scan_magazine_holdout"])
    args = parser.parse_args()
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, os.path.join(FIXTURES, "make_scans.py"), "--out", tmp, "--only", *args.sets],
                       check=True)
        print(f"{'page':28} {'CER docpipe':>11} {'CER CLI':>8} {'diff':>6} {'order docpipe':>13} {'order CLI':>9}  ok")
        for name in args.sets:
            pdf = os.path.join(tmp, name + ".pdf")
            with open(os.path.join(tmp, name + ".truth.json"), encoding="utf-8") as f:
                truths = [words(p["text"]) for p in json.load(f)["pages"]]
            prefix = os.path.join(tmp, name + "-")
            subprocess.run(["mutool", "draw", "-q", "-r", "300", "-c", "gray", "-o", prefix + "%03d.png", pdf],
                           check=True, capture_output=True)
            ours = docpipe_pages(args.docpipe, pdf)
            for i, truth in enumerate(truths):
                theirs = words(tesseract_page(prefix + "%03d.png" % (i + 1)))
                read = words(ours[i])
                c_ours, c_cli = cer(truth, read) * 100, cer(truth, theirs) * 100
                o_ours, o_cli = word_order(truth, read), word_order(truth, theirs)
                ok = c_ours <= c_cli + 0.5 and o_ours >= 0.95
                failures += not ok
                print(f"{name + ' p' + str(i + 1):28} {c_ours:10.2f}% {c_cli:7.2f}% {c_ours - c_cli:+6.2f} "
                      f"{o_ours:13.3f} {o_cli:9.3f}  {'yes' if ok else 'NO'}")
    print("pages missing a target:", failures)


if __name__ == "__main__":
    main()
