"""The reference DBNet label maps, restated from MhLiao/DB
(data/processes/make_seg_detection_data.py and make_border_map.py) with numpy,
OpenCV, pyclipper and shapely, independently of docpipe's C++ code.

The optional PaddleOCR ordering follows ppocr/data/imaug/make_border_map.py and
make_shrink_map.py. Polygons are float64 (N, 2) arrays.
"""
import warnings

import cv2
import numpy as np
import pyclipper
from shapely.geometry import Polygon

warnings.simplefilter("ignore")  # the reference's sqrt of negatives and 0/0 are expected


def db_area(polygon):
    edge = 0
    for i in range(polygon.shape[0]):
        j = (i + 1) % polygon.shape[0]
        edge += (polygon[j, 0] - polygon[i, 0]) * (polygon[j, 1] + polygon[i, 1])
    return edge / 2.0


def paddle_area(polygon):
    area = 0
    q = polygon[-1]
    for p in polygon:
        area += p[0] * q[1] - p[1] * q[0]
        q = p
    return area / 2.0


def validate_polygons(polygons, ignore, h, w, area_fn=db_area):
    for polygon in polygons:
        polygon[:, 0] = np.clip(polygon[:, 0], 0, w - 1)
        polygon[:, 1] = np.clip(polygon[:, 1], 0, h - 1)
    for i in range(len(polygons)):
        area = area_fn(polygons[i])
        if abs(area) < 1:
            ignore[i] = True
        if area > 0:
            polygons[i] = polygons[i][::-1, :]
    return polygons, ignore


def shrink_map(polygons, ignore, h, w, shrink_ratio=0.4, min_text_size=8, paddle=False):
    gt = np.zeros((h, w), dtype=np.float32)
    mask = np.ones((h, w), dtype=np.float32)
    for i in range(len(polygons)):
        polygon = polygons[i]
        height = max(polygon[:, 1]) - min(polygon[:, 1])
        width = max(polygon[:, 0]) - min(polygon[:, 0])
        if ignore[i] or min(height, width) < min_text_size:
            cv2.fillPoly(mask, polygon.astype(np.int32)[np.newaxis, :, :], 0)
            ignore[i] = True
            continue
        shape = Polygon(polygon)
        padding = pyclipper.PyclipperOffset()
        padding.AddPath([tuple(p) for p in polygon], pyclipper.JT_ROUND, pyclipper.ET_CLOSEDPOLYGON)
        if not paddle:
            distance = shape.area * (1 - np.power(shrink_ratio, 2)) / shape.length
            shrunk = padding.Execute(-distance)
        else:
            shrunk = []
            for ratio in np.arange(shrink_ratio, 1, shrink_ratio):
                distance = shape.area * (1 - np.power(ratio, 2)) / shape.length
                shrunk = padding.Execute(-distance)
                if len(shrunk) == 1:
                    break
        if shrunk == []:
            cv2.fillPoly(mask, polygon.astype(np.int32)[np.newaxis, :, :], 0)
            ignore[i] = True
            continue
        pieces = shrunk if paddle else shrunk[:1]
        for piece in pieces:
            cv2.fillPoly(gt, [np.array(piece).reshape(-1, 2).astype(np.int32)], 1)
    return gt, mask


def edge_distance(xs, ys, p1, p2):
    d1 = np.square(xs - p1[0]) + np.square(ys - p1[1])
    d2 = np.square(xs - p2[0]) + np.square(ys - p2[1])
    d = np.square(p1[0] - p2[0]) + np.square(p1[1] - p2[1])
    cosin = (d - d1 - d2) / (2 * np.sqrt(d1 * d2))
    square_sin = np.nan_to_num(1 - np.square(cosin))
    result = np.sqrt(d1 * d2 * square_sin / d)
    result[cosin < 0] = np.sqrt(np.fmin(d1, d2))[cosin < 0]
    return result


def draw_border_map(polygon, canvas, mask, shrink_ratio=0.4):
    polygon = np.array(polygon)
    shape = Polygon(polygon)
    distance = shape.area * (1 - np.power(shrink_ratio, 2)) / shape.length
    padding = pyclipper.PyclipperOffset()
    padding.AddPath([tuple(p) for p in polygon], pyclipper.JT_ROUND, pyclipper.ET_CLOSEDPOLYGON)
    padded = padding.Execute(distance)
    if not padded:
        return  # only reachable unclipped (PaddleOCR order): a sliver that vanishes in integer coordinates
    padded = np.array(padded[0])
    cv2.fillPoly(mask, [padded.astype(np.int32)], 1.0)
    xmin, xmax = padded[:, 0].min(), padded[:, 0].max()
    ymin, ymax = padded[:, 1].min(), padded[:, 1].max()
    width, height = xmax - xmin + 1, ymax - ymin + 1
    if xmax < 0 or ymax < 0 or xmin >= canvas.shape[1] or ymin >= canvas.shape[0]:
        return  # only reachable unclipped (PaddleOCR order), where numpy would raise or wrap around
    polygon[:, 0] = polygon[:, 0] - xmin
    polygon[:, 1] = polygon[:, 1] - ymin
    xs = np.broadcast_to(np.linspace(0, width - 1, num=width).reshape(1, width), (height, width))
    ys = np.broadcast_to(np.linspace(0, height - 1, num=height).reshape(height, 1), (height, width))
    distance_map = np.zeros((polygon.shape[0], height, width), dtype=np.float32)
    for i in range(polygon.shape[0]):
        j = (i + 1) % polygon.shape[0]
        distance_map[i] = np.clip(edge_distance(xs, ys, polygon[i], polygon[j]) / distance, 0, 1)
    distance_map = distance_map.min(axis=0)
    xmin_valid = min(max(0, xmin), canvas.shape[1] - 1)
    xmax_valid = min(max(0, xmax), canvas.shape[1] - 1)
    ymin_valid = min(max(0, ymin), canvas.shape[0] - 1)
    ymax_valid = min(max(0, ymax), canvas.shape[0] - 1)
    canvas[ymin_valid:ymax_valid + 1, xmin_valid:xmax_valid + 1] = np.fmax(
        1 - distance_map[ymin_valid - ymin:ymax_valid - ymax + height,
                         xmin_valid - xmin:xmax_valid - xmax + width],
        canvas[ymin_valid:ymax_valid + 1, xmin_valid:xmax_valid + 1])


def border_map(polygons, ignore, h, w, shrink_ratio=0.4, thresh_min=0.3, thresh_max=0.7, paddle=False):
    canvas = np.zeros((h, w), dtype=np.float32)
    mask = np.zeros((h, w), dtype=np.float32)
    for i in range(len(polygons)):
        if ignore[i]:
            continue
        # PaddleOCR raises on fewer than 3 vertices (shapely needs a ring); docpipe skips them.
        if paddle and (len(polygons[i]) < 3 or Polygon(polygons[i]).area <= 0):
            continue
        draw_border_map(polygons[i], canvas, mask, shrink_ratio)
    return canvas * (thresh_max - thresh_min) + thresh_min, mask


def db_targets(polygons, ignore, h, w, shrink_ratio=0.4, min_text_size=8, thresh_min=0.3, thresh_max=0.7,
               mode="db"):
    """MakeSegDetectionData then MakeBorderMap (mode "db"), or PaddleOCR's
    MakeBorderMap then MakeShrinkMap (mode "paddleocr")."""
    polygons = [np.array(p, dtype=np.float64).reshape(-1, 2) for p in polygons]
    ignore = [bool(t) for t in ignore] if ignore is not None else [False] * len(polygons)
    if mode == "db":
        polygons, ignore = validate_polygons(polygons, ignore, h, w)
        gt, mask = shrink_map(polygons, ignore, h, w, shrink_ratio, min_text_size)
        thresh_map, thresh_mask = border_map(polygons, ignore, h, w, shrink_ratio, thresh_min, thresh_max)
    else:
        thresh_map, thresh_mask = border_map(polygons, ignore, h, w, shrink_ratio, thresh_min, thresh_max,
                                             paddle=True)
        polygons, ignore = validate_polygons(polygons, ignore, h, w, paddle_area)
        gt, mask = shrink_map(polygons, ignore, h, w, shrink_ratio, min_text_size, paddle=True)
    return {"gt": gt, "mask": mask, "thresh_map": thresh_map, "thresh_mask": thresh_mask}
