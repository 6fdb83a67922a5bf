#!/usr/bin/env python3
"""Generates the table benchmark corpus: PDFs drawn with pycairo, each with
NAME.truth.json giving every table's cells exactly (row, col, spans, text).

Styles: ruled (full grid), ruled_fill (rules as thin filled rectangles, as
LaTeX draws \\hline), ruled_spans (a grouped header and a row-spanning cell),
frame_rows (outer frame and row rules, no column rules), booktabs (top, mid
and bottom rules), unruled (whitespace only). Near-miss documents (prose,
code, a table of contents, a form, a chart, two columns with and without
rules, a numbered list, numbered equations, a two-column index with and
without dot leaders) must yield no table.

Seeds below --holdout-from and the styles in HELD_OUT_STYLES were never
looked at while tuning; score.py reports them separately.
"""

import argparse
import json
import os
import random

import cairo

A4 = (595.276, 841.89)
FONTS = ["DejaVu Serif", "DejaVu Sans", "Liberation Serif", "Liberation Sans"]
STYLES = ["ruled", "ruled_fill", "ruled_spans", "frame_rows", "booktabs", "unruled"]
HELD_OUT_STYLES = ["ruled_fill"]
WORDS = ("alpha beta gamma delta north south east west red green blue small large total mean "
         "median cache disk memory network latency device model region sample batch").split()
NEAR_MISSES = ["prose", "code", "toc", "form", "chart", "two_columns", "two_columns_plain", "list", "equations",
               "index", "index_plain"]


def cell_text(rng, col, kind):
    if col == 0 or kind == "word":
        n = rng.choice([1, 1, 2])
        return " ".join(rng.choice(WORDS) for _ in range(n))
    if kind == "int":
        return str(rng.randint(0, 99999))
    return "%.*f" % (rng.randint(1, 3), rng.uniform(0, 1000))


def font(ctx, family, size, bold=False):
    ctx.select_font_face(family, cairo.FONT_SLANT_NORMAL,
                         cairo.FONT_WEIGHT_BOLD if bold else cairo.FONT_WEIGHT_NORMAL)
    ctx.set_font_size(size)


def width_of(ctx, text):
    return ctx.text_extents(text).x_advance


def make_spec(rng, style):
    cols = rng.randint(2, 6)
    rows = rng.randint(3, 12)
    kinds = ["word"] + [rng.choice(["word", "int", "float"]) for _ in range(cols - 1)]
    header = ["Name"] + [rng.choice(WORDS).capitalize() + str(c) for c in range(1, cols)]
    body = [[cell_text(rng, c, kinds[c]) for c in range(cols)] for _ in range(rows)]
    aligns = ["left"] + [("right" if k != "word" else rng.choice(["left", "center"])) for k in kinds[1:]]
    return {"cols": cols, "header": header, "body": body, "aligns": aligns,
            "family": rng.choice(FONTS), "size": rng.choice([8, 9, 9.5, 10, 11]),
            "bold_header": rng.random() < 0.7, "style": style}


def draw_table(ctx, spec, x0, y0):
    """Draws one table; returns (truth, bottom y)."""
    style, size, family = spec["style"], spec["size"], spec["family"]
    rows = [spec["header"]] + spec["body"]
    pad = 4 if style.startswith("ruled") or style == "frame_rows" else size * 0.6
    widths = []
    for c in range(spec["cols"]):
        w = 0
        for r, row in enumerate(rows):
            font(ctx, family, size, r == 0 and spec["bold_header"])
            w = max(w, width_of(ctx, row[c]))
        widths.append(w + 2 * pad)
    row_h = size * 1.6
    xs = [x0]
    for w in widths:
        xs.append(xs[-1] + w)
    ys = [y0 + r * row_h for r in range(len(rows) + 1)]
    cells = []
    spans = style == "ruled_spans"
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            if spans and r == 0 and c == 2 and spec["cols"] >= 3:
                continue  # covered by the header cell of column 1
            if spans and r == 2 and c == 0:
                continue  # covered by the body cell above
            col_span = 2 if spans and r == 0 and c == 1 and spec["cols"] >= 3 else 1
            row_span = 2 if spans and r == 1 and c == 0 else 1
            if col_span == 2:
                text = row[1] + " " + row[2]
            font(ctx, family, size, r == 0 and spec["bold_header"])
            cw = xs[c + col_span] - xs[c]
            tw = width_of(ctx, text)
            align = spec["aligns"][c] if r > 0 else "left"
            tx = xs[c] + pad if align == "left" else (
                xs[c] + cw - pad - tw if align == "right" else xs[c] + (cw - tw) / 2)
            ty = ys[r] + (ys[r + row_span] - ys[r]) / 2 + size * 0.35
            ctx.move_to(tx, ty)
            ctx.show_text(text)
            cells.append({"row": r, "col": c, "row_span": row_span, "col_span": col_span,
                          "text": " ".join(text.split())})
    ctx.set_line_width(0.5)
    x1, y1 = xs[-1], ys[-1]
    if style in ("ruled", "ruled_spans"):
        for r, y in enumerate(ys):
            if spans and r == 2:
                ctx.move_to(xs[1], y)  # no rule under the row-spanning cell
            else:
                ctx.move_to(x0, y)
            ctx.line_to(x1, y)
        for c, x in enumerate(xs):
            if spans and c == 2 and spec["cols"] >= 3:
                ctx.move_to(x, ys[1])  # no rule inside the spanning header
            else:
                ctx.move_to(x, y0)
            ctx.line_to(x, y1)
        ctx.stroke()
    elif style == "ruled_fill":
        for y in ys:
            ctx.rectangle(x0, y - 0.2, x1 - x0, 0.4)
        for x in xs:
            ctx.rectangle(x - 0.2, y0, 0.4, y1 - y0)
        ctx.fill()
    elif style == "frame_rows":
        ctx.rectangle(x0, y0, x1 - x0, y1 - y0)
        for y in ys[1:-1]:
            ctx.move_to(x0, y)
            ctx.line_to(x1, y)
        ctx.stroke()
    elif style == "booktabs":
        for y, h in ((ys[0] - 2, 0.8), (ys[1], 0.5), (ys[-1] + 2, 0.8)):
            ctx.rectangle(x0, y - h / 2, x1 - x0, h)
        ctx.fill()
    header_rows = 1 if (spec["bold_header"] or style == "booktabs") else 0
    truth = {"style": style, "rows": len(rows), "cols": spec["cols"], "header_rows": header_rows,
             "cells": cells, "bbox": [x0, y0, x1, y1]}
    return truth, y1


PROSE = ("Measurements were taken over three weeks and averaged over five runs on the same "
         "machine. The second device was slower on every workload that we have tried, and we "
         "return to the reasons for this difference in the next section of the report.")


def paragraph(ctx, text, x, y, width, family="DejaVu Serif", size=10):
    font(ctx, family, size)
    line = ""
    for word in text.split():
        cand = (line + " " + word).strip()
        if width_of(ctx, cand) > width and line:
            ctx.move_to(x, y)
            ctx.show_text(line)
            y += size * 1.3
            line = word
        else:
            line = cand
    if line:
        ctx.move_to(x, y)
        ctx.show_text(line)
        y += size * 1.3
    return y + size


def table_doc(path, rng, style):
    surface = cairo.PDFSurface(path, *A4)
    ctx = cairo.Context(surface)
    truths = []
    y = paragraph(ctx, PROSE, 72, 80, 450)
    for _ in range(2):
        spec = make_spec(rng, style)
        font(ctx, "DejaVu Sans", 9)
        ctx.move_to(72, y + 4)
        n = len(truths) + 1
        caption = "Table %d: %s results" % (n, rng.choice(WORDS))
        ctx.show_text(caption)
        truth, bottom = draw_table(ctx, spec, 72 + rng.randint(0, 40), y + 16)
        truth["caption"] = caption
        truths.append(truth)
        y = paragraph(ctx, PROSE, 72, bottom + 24, 450)
        if y > 520:
            break
    surface.finish()
    return truths


def near_miss_doc(path, kind, rng):
    surface = cairo.PDFSurface(path, *A4)
    ctx = cairo.Context(surface)
    y = 80
    if kind == "prose":
        for _ in range(5):
            y = paragraph(ctx, PROSE, 72, y, 450)
    elif kind == "code":
        font(ctx, "DejaVu Sans Mono", 9)
        for i in range(30):
            ctx.move_to(72 + 18 * (i % 3), y)
            ctx.show_text("x%d = compute(%d, y%d)   # step %d" % (i, i * 7, i, i))
            y += 12
    elif kind == "toc":
        font(ctx, "DejaVu Serif", 10)
        for i in range(25):
            title = "%d %s %s" % (i + 1, rng.choice(WORDS).capitalize(), rng.choice(WORDS))
            ctx.move_to(72, y)
            ctx.show_text(title + " " + ". " * 30)
            ctx.move_to(500, y)
            ctx.show_text(str(3 + 4 * i))
            y += 14
    elif kind == "form":
        font(ctx, "DejaVu Sans", 10)
        ctx.set_line_width(0.5)
        for i, label in enumerate(["Name", "Street", "City", "Phone", "Email"]):
            ctx.move_to(72, y + 14)
            ctx.show_text(label)
            ctx.rectangle(160, y, 260, 20)
            ctx.rectangle(430, y, 90, 20)
            y += 30
        for i in range(10):
            ctx.rectangle(160 + 16 * i, y, 16, 20)
        ctx.stroke()
    elif kind == "chart":
        ctx.set_line_width(0.5)
        for i in range(11):
            ctx.move_to(100, 100 + 30 * i)
            ctx.line_to(500, 100 + 30 * i)
            ctx.move_to(100 + 40 * i, 100)
            ctx.line_to(100 + 40 * i, 400)
        ctx.stroke()
        for i in range(10):
            h = rng.uniform(20, 280)
            ctx.rectangle(110 + 40 * i, 400 - h, 20, h)
        ctx.fill()
        font(ctx, "DejaVu Sans", 8)
        for i in range(11):
            ctx.move_to(80, 403 - 30 * i)
            ctx.show_text(str(10 * i))
            ctx.move_to(95 + 40 * i, 415)
            ctx.show_text("Q%d" % (i + 1))
    elif kind == "two_columns":
        ctx.set_line_width(0.5)
        ctx.move_to(54, 60)
        ctx.line_to(540, 60)
        ctx.move_to(54, 790)
        ctx.line_to(540, 790)
        ctx.stroke()
        yl = yr = 90
        for _ in range(6):
            yl = paragraph(ctx, PROSE, 54, yl, 230)
            yr = paragraph(ctx, PROSE, 310, yr, 230)
    elif kind == "two_columns_plain":
        yl = yr = 90
        for _ in range(6):
            yl = paragraph(ctx, PROSE, 54, yl, 230)
            yr = paragraph(ctx, PROSE, 310, yr, 230)
    elif kind == "list":
        font(ctx, "DejaVu Serif", 10)
        for i in range(12):
            ctx.move_to(72, y)
            ctx.show_text("%d." % (i + 1))
            ctx.move_to(96, y)
            ctx.show_text("%s the %s" % (rng.choice(WORDS).capitalize(), rng.choice(WORDS)))
            y += 14
    elif kind == "equations":
        font(ctx, "DejaVu Serif", 10)
        for i in range(6):
            ctx.move_to(230, y)
            ctx.show_text("y = %d x + %d" % (i + 2, 3 * i))
            ctx.move_to(500, y)
            ctx.show_text("(%d)" % (i + 1))
            y += 16
    elif kind == "index":
        font(ctx, "DejaVu Serif", 9)
        for i in range(40):
            for x in (54, 310):
                ctx.move_to(x, y)
                ctx.show_text(rng.choice(WORDS) + " " + ". " * 12 + str(rng.randint(1, 300)))
            y += 12
    elif kind == "index_plain":
        font(ctx, "DejaVu Serif", 9)
        for i in range(40):
            for x in (54, 310):
                ctx.move_to(x, y)
                pages = ", ".join(str(rng.randint(1, 300)) for _ in range(rng.randint(1, 3)))
                ctx.show_text(rng.choice(WORDS) + ", " + pages)
            y += 12
    surface.finish()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--docs-per-style", type=int, default=24)
    parser.add_argument("--holdout-from", type=int, default=16)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    manifest = []
    for style in STYLES:
        for seed in range(args.docs_per_style):
            rng = random.Random("%s-%d" % (style, seed))
            name = "%s_%02d" % (style, seed)
            truths = table_doc(os.path.join(args.out, name + ".pdf"), rng, style)
            held_out = seed >= args.holdout_from or style in HELD_OUT_STYLES
            manifest.append({"name": name, "style": style, "held_out": held_out, "tables": truths})
    for kind in NEAR_MISSES:
        name = "nearmiss_" + kind
        near_miss_doc(os.path.join(args.out, name + ".pdf"), kind, random.Random(kind))
        manifest.append({"name": name, "style": "near_miss", "held_out": False, "tables": []})
    with open(os.path.join(args.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)


if __name__ == "__main__":
    main()
