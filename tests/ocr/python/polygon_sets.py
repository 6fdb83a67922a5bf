"""Random polygon sets for tests and benchmarks: quadrilaterals, rotated boxes,
curved 10-16 point text lines, tiny, degenerate, overlapping and out-of-image
polygons. Deterministic for a given seed."""
import math

import numpy as np


def quadrilateral(rng, h, w):
    cx, cy = rng.uniform(0, w), rng.uniform(0, h)
    pts = [(cx + rng.uniform(-80, 80), cy + rng.uniform(-40, 40)) for _ in range(4)]
    center = np.mean(pts, axis=0)
    pts.sort(key=lambda p: math.atan2(p[1] - center[1], p[0] - center[0]))
    return np.array(pts)


def rotated_box(rng, h, w):
    cx, cy = rng.uniform(0, w), rng.uniform(0, h)
    bw, bh = rng.uniform(10, 220), rng.uniform(6, 50)
    a = rng.uniform(-math.pi, math.pi)
    c, s = math.cos(a), math.sin(a)
    corners = [(-bw / 2, -bh / 2), (bw / 2, -bh / 2), (bw / 2, bh / 2), (-bw / 2, bh / 2)]
    return np.array([(cx + x * c - y * s, cy + x * s + y * c) for x, y in corners])


def curved(rng, h, w, points=None):
    n = points or int(rng.integers(5, 9)) * 2  # 10-16 vertices
    half = n // 2
    cx, cy = rng.uniform(0, w), rng.uniform(0, h)
    length, thick = rng.uniform(60, 300), rng.uniform(10, 40)
    bend = rng.uniform(-0.6, 0.6)
    a = rng.uniform(-0.5, 0.5)
    top, bottom = [], []
    for k in range(half):
        t = k / (half - 1) - 0.5
        x, y = t * length, bend * length * (t * t - 0.25)
        nx, ny = -2 * bend * length * t, 1.0
        norm = math.hypot(nx, ny)
        nx, ny = nx / norm, ny / norm
        top.append((x - nx * thick / 2, y - ny * thick / 2))
        bottom.append((x + nx * thick / 2, y + ny * thick / 2))
    pts = top + bottom[::-1]
    c, s = math.cos(a), math.sin(a)
    return np.array([(cx + x * c - y * s, cy + x * s + y * c) for x, y in pts])


def mixed(rng, h, w):
    n = int(rng.integers(4, 9))
    if n == 4:
        return quadrilateral(rng, h, w)
    return curved(rng, h, w, points=n if n % 2 == 0 else n + 1)


def tiny(rng, h, w):
    cx, cy = rng.uniform(0, w), rng.uniform(0, h)
    return np.array([(cx, cy), (cx + rng.uniform(1, 9), cy), (cx + rng.uniform(1, 9), cy + rng.uniform(1, 9)),
                     (cx, cy + rng.uniform(1, 9))])


def degenerate(rng, h, w):
    kind = int(rng.integers(0, 4))
    cx, cy = rng.uniform(0, w), rng.uniform(0, h)
    if kind == 0:  # collinear
        return np.array([(cx, cy), (cx + 30, cy + 10), (cx + 60, cy + 20), (cx + 90, cy + 30)])
    if kind == 1:  # two points
        return np.array([(cx, cy), (cx + 40, cy + 5)])
    if kind == 2:  # duplicate vertices
        q = quadrilateral(rng, h, w)
        return np.array([q[0], q[0], q[1], q[2], q[2], q[3]])
    return np.array([(cx, cy)] * 4)  # a point


def out_of_image(rng, h, w):
    q = rotated_box(rng, h, w)
    shift = rng.choice([-1, 1], size=2) * rng.uniform(0, 1.5, size=2) * np.array([w, h]) / 2
    return q + shift


def integer(poly):
    return np.round(poly)


GENERATORS = {
    "quad": quadrilateral, "rotated": rotated_box, "curved": curved, "mixed": mixed, "tiny": tiny,
    "degenerate": degenerate, "outside": out_of_image,
}


def sample(rng, h, w, count, kinds, ignore_rate=0.1, round_some=True):
    polygons, ignore = [], []
    for _ in range(count):
        kind = kinds[int(rng.integers(0, len(kinds)))]
        poly = GENERATORS[kind](rng, h, w)
        if round_some and rng.uniform() < 0.5:
            poly = integer(poly)
        polygons.append(poly.astype(np.float64))
        ignore.append(bool(rng.uniform() < ignore_rate))
    return polygons, ignore


def bench_set(name, seed=0, h=640, w=640, count=30):
    """The benchmark's polygon sets: 'quad', 'mixed' (4-8 points), 'curved' (~10 points)."""
    rng = np.random.default_rng(seed)
    if name == "quad":
        return sample(rng, h, w, count, ["quad"], ignore_rate=0.0, round_some=False)
    if name == "mixed":
        return sample(rng, h, w, count, ["mixed"], ignore_rate=0.0, round_some=False)
    polys = [curved(rng, h, w, points=10) for _ in range(count)]
    return polys, [False] * count
