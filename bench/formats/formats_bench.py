#!/usr/bin/env python3
"""Quality and speed of the HTML, EPUB and DOCX readers, against pandoc.

    bench/formats/formats_bench.py --docpipe build/bin/docpipe --real DIR [--per-package N]

DIR holds Debian -doc packages unpacked by bench/formats/fetch_real_html.sh.
For each package, N HTML pages (every k-th of the sorted list, so the sample
is spread over the manual) are converted by `docpipe convert --to text` and by
`pandoc -t plain` of the page's main content (see main_content: pandoc keeps
navigation, sidebars and footers, which docpipe leaves out by design; recall
against the whole page is reported too); word recall is the share of pandoc's
words (a multiset, tokens as tests/fixtures/word_metrics.py makes them) found
in docpipe's text. The pages' main content is also made into DOCX by pandoc and
read back both ways.

Speed: on the same files in the same run, one worker, against one
`pandoc -t markdown` process per file: docpipe `convert --to md` one process
per file (start-up included every time), and one `docpipe convert --to md
--output-dir` process for all of them (how a folder is converted); the ratios
are docpipe's throughput over pandoc's.

Packages named with --holdout are reported separately: they were not looked
at while tuning the readers.

Also scores the generated fixtures (tests/fixtures/make_formats.py) against
their truth. Prints one JSON object.
"""

import argparse
import collections
import glob
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tests", "fixtures"))
from word_metrics import tokenize  # noqa: E402


def recall(reference, text):
    ref = collections.Counter(tokenize(reference))
    got = collections.Counter(tokenize(text))
    total = sum(ref.values())
    hit = sum(min(n, got[w]) for w, n in ref.items())
    return hit, total


def run(cmd, stdin=None):
    return subprocess.run(cmd, input=stdin, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                          timeout=300).stdout.decode("utf-8", "replace")


def main_content(path):
    """The page's main content element as HTML (role="main", <main>, Sphinx's
    div.body, asciidoc's div#content), else the whole page. pandoc keeps a
    page's navigation, sidebars and footer, which docpipe leaves out by design;
    pandoc of the main content is the reference for what the document says."""
    import lxml.html
    tree = lxml.html.parse(path)
    for xpath in ('//*[@role="main"]', "//main", '//div[@class="body"]', '//div[@id="content"]'):
        found = tree.xpath(xpath)
        if found:
            return lxml.html.tostring(found[0], encoding="utf-8")
    return open(path, "rb").read()


def timed(cmds):
    """Wall seconds and CPU seconds (user + system of the child processes)."""
    start = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    for cmd in cmds:
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return time.perf_counter() - start, cpu


def sample(package_dir, count):
    files = sorted(f for f in glob.glob(os.path.join(package_dir, "**", "*.html"), recursive=True)
                   if os.path.getsize(f) > 2048 and not os.path.basename(f).startswith(("genindex", "search")))
    if len(files) <= count:
        return files
    step = len(files) / count
    return [files[int(i * step)] for i in range(count)]


def score(files, docpipe, reader):
    """Recall against pandoc of the main content (HTML) or of the file (DOCX);
    for HTML also against pandoc of the whole page, boilerplate included."""
    sums = collections.Counter()
    worst = []
    for path in files:
        ours = run([docpipe, "convert", "--to", "text", path])
        if reader == "html":
            theirs = run(["pandoc", "-f", "html", "-t", "plain", "--wrap=none"], stdin=main_content(path))
            whole = run(["pandoc", "-f", "html", "-t", "plain", "--wrap=none", path])
        else:
            theirs = whole = run(["pandoc", "-f", reader, "-t", "plain", "--wrap=none", path])
        hit, total = recall(theirs, ours)
        if total < 50:
            continue  # redirect and stub pages say nothing about recall
        whole_hit, whole_total = recall(whole, ours)
        sums.update({"hit": hit, "total": total, "whole_hit": whole_hit, "whole_total": whole_total})
        worst.append((hit / total, os.path.relpath(path)))
    worst.sort()
    return {"files": len(files), "recall": round(sums["hit"] / max(sums["total"], 1), 4), "words": sums["total"],
            "recall_vs_whole_page": round(sums["whole_hit"] / max(sums["whole_total"], 1), 4),
            "worst": [(round(r, 3), p) for r, p in worst[:3]]}


def in_process(throughput, files, pandoc_mib_per_cpu_s):
    """docpipe's in-process rate (bench/formats/formats_throughput.cc, the
    files four times over) against pandoc's per-file rate."""
    if not throughput:
        return None
    result = json.loads(run([throughput] + files * 4))
    result["ratio_vs_pandoc"] = round(result["mib_per_cpu_s"] / pandoc_mib_per_cpu_s, 1)
    return result


def speed(files, docpipe, reader):
    """Throughput on one core. CPU seconds are the figure to compare on a
    shared machine (wall time includes waiting for the CPU); both are given."""
    size = sum(os.path.getsize(f) for f in files)
    ours_wall, ours_cpu = timed([[docpipe, "convert", "--to", "md", f] for f in files])
    theirs_wall, theirs_cpu = timed([["pandoc", "-f", reader, "-t", "markdown", f] for f in files])
    with tempfile.TemporaryDirectory() as tmp:
        # Unique names (pages of a manual share names such as index.html), so
        # that each input gets an output file of its own.
        links = []
        for i, f in enumerate(files):
            links.append(os.path.join(tmp, "%05d%s" % (i, os.path.splitext(f)[1])))
            os.symlink(os.path.abspath(f), links[-1])
        one_wall, one_cpu = timed([[docpipe, "convert", "--to", "md", "--output-dir", os.path.join(tmp, "out")]
                                   + links])
    mib = size / 2**20
    return {"files": len(files), "mib": round(mib, 2),
            "docpipe_cpu_s": round(ours_cpu, 2), "pandoc_cpu_s": round(theirs_cpu, 2),
            "docpipe_mib_per_cpu_s": round(mib / ours_cpu, 2), "pandoc_mib_per_cpu_s": round(mib / theirs_cpu, 2),
            "ratio_cpu": round(theirs_cpu / ours_cpu, 1),
            "docpipe_wall_s": round(ours_wall, 2), "pandoc_wall_s": round(theirs_wall, 2),
            "ratio_wall": round(theirs_wall / ours_wall, 1),
            "one_process_cpu_s": round(one_cpu, 2), "one_process_ratio_cpu": round(theirs_cpu / one_cpu, 1),
            "one_process_ratio_wall": round(theirs_wall / one_wall, 1)}


def to_docx(files, out_dir):
    """The pages' main content as DOCX, written by pandoc."""
    docx_files = []
    for i, path in enumerate(files):
        out = os.path.join(out_dir, "%04d.docx" % i)
        subprocess.run(["pandoc", "-f", "html", "-o", out], input=main_content(path), stderr=subprocess.DEVNULL,
                       timeout=300)
        if os.path.exists(out):
            docx_files.append(out)
    return docx_files


def fixtures(docpipe, corpus):
    results = {}
    for name in ["manual.html", "manual.epub", "manual.docx"]:
        with open(os.path.join(corpus, name + ".truth.json"), encoding="utf-8") as f:
            truth = json.load(f)
        words = []
        for block in truth["blocks"]:
            if block["type"] == "table":
                words += [cell for row in block["rows"] for cell in row]
            else:
                words.append(block["text"])
        hit, total = recall("\n".join(words), run([docpipe, "convert", "--to", "text", os.path.join(corpus, name)]))
        results[name] = round(hit / total, 4)
    return results


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--docpipe", required=True)
    parser.add_argument("--real", required=True)
    parser.add_argument("--packages", nargs="+", default=["python3.11-doc"])
    parser.add_argument("--holdout", nargs="*", default=["cmake-doc", "git-doc"])
    parser.add_argument("--per-package", type=int, default=60)
    parser.add_argument("--fixtures", help="a make_formats.py output folder")
    parser.add_argument("--throughput", help="build/bench/formats/docpipe_formats_throughput")
    args = parser.parse_args()
    if not shutil.which("pandoc"):
        sys.exit("formats_bench: pandoc, the anchor, is not installed (scripts/setup --bench installs it)")
    report = {"pandoc": run(["pandoc", "--version"]).splitlines()[0]}
    if args.fixtures:
        report["fixture_recall"] = fixtures(args.docpipe, args.fixtures)
    with tempfile.TemporaryDirectory() as tmp:
        for group, packages in (("tuning", args.packages), ("holdout", args.holdout)):
            for package in packages:
                files = sample(os.path.join(args.real, package), args.per_package)
                if not files:
                    continue
                docx_dir = os.path.join(tmp, package)
                os.makedirs(docx_dir)
                docx_files = to_docx(files, docx_dir)
                html_speed = speed(files, args.docpipe, "html")
                docx_speed = speed(docx_files, args.docpipe, "docx")
                report.setdefault(group, {})[package] = {
                    "html_recall": score(files, args.docpipe, "html"),
                    "html_speed": html_speed,
                    "html_in_process": in_process(args.throughput, files, html_speed["pandoc_mib_per_cpu_s"]),
                    "docx_recall": score(docx_files, args.docpipe, "docx"),
                    "docx_speed": docx_speed,
                    "docx_in_process": in_process(args.throughput, docx_files, docx_speed["pandoc_mib_per_cpu_s"]),
                }
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
