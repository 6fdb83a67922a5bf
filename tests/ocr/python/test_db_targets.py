"""docpipe_ocr.db_targets against the independent Python reference (db_reference.py)
on random polygon sets, plus the module's input validation and batch entry point.
Run by CTest with PYTHONPATH=<build>/python and Debian's /usr/bin/python3."""
import os
import sys
import unittest

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import db_reference as ref  # noqa: E402
import docpipe_ocr as dpo  # noqa: E402
import polygon_sets as ps  # noqa: E402

ALL_KINDS = list(ps.GENERATORS)


class ReferenceComparison(unittest.TestCase):
    def assert_same(self, polygons, ignore, h, w, mode="db", **params):
        expected = ref.db_targets([p.copy() for p in polygons], list(ignore), h, w, mode=mode, **params)
        got = dpo.db_targets(polygons, ignore, height=h, width=w, mode=mode, **params)
        for key in ("gt", "mask", "thresh_mask"):
            diff = int((expected[key] != got[key]).sum())
            self.assertEqual(diff, 0, f"{key}: {diff} pixels differ")
        worst = float(np.abs(expected["thresh_map"] - got["thresh_map"]).max())
        self.assertLessEqual(worst, 1e-5)
        for key, value in got.items():
            self.assertEqual(value.shape, (h, w), key)
            self.assertEqual(value.dtype, np.float32, key)

    def check_sets(self, kinds, seeds, mode="db", **params):
        for seed in seeds:
            rng = np.random.default_rng(seed)
            h, w = int(rng.integers(32, 320)), int(rng.integers(32, 320))
            polygons, ignore = ps.sample(rng, h, w, int(rng.integers(1, 20)), kinds)
            with self.subTest(seed=seed, kinds=kinds):
                self.assert_same(polygons, ignore, h, w, mode=mode, **params)

    def test_quadrilaterals(self):
        self.check_sets(["quad"], range(0, 25))

    def test_rotated_boxes(self):
        self.check_sets(["rotated"], range(100, 125))

    def test_curved_polygons(self):
        self.check_sets(["curved"], range(200, 220))

    def test_tiny_degenerate_and_outside(self):
        self.check_sets(["tiny", "degenerate", "outside"], range(300, 330))

    def test_everything_mixed_and_overlapping(self):
        self.check_sets(ALL_KINDS, range(400, 460))

    def test_other_parameters(self):
        self.check_sets(ALL_KINDS, range(500, 510), shrink_ratio=0.6, min_text_size=4, thresh_min=0.2,
                        thresh_max=0.9)

    def test_paddleocr_order(self):
        kinds = ["quad", "rotated", "curved", "mixed", "tiny", "degenerate"]
        self.check_sets(kinds, range(600, 630), mode="paddleocr")

    def test_benchmark_sized_image(self):
        polygons, ignore = ps.bench_set("mixed", seed=7)
        self.assert_same(polygons, ignore, 640, 640)


class ModuleBehaviour(unittest.TestCase):
    QUAD = np.array([[10, 10], [90, 12], [88, 40], [12, 38]], dtype=np.float64)

    def test_accepts_lists_ints_and_stacked_arrays(self):
        expected = dpo.db_targets([self.QUAD], height=64, width=100)
        as_list = dpo.db_targets([self.QUAD.astype(int).tolist()], [False], height=64, width=100)
        stacked = dpo.db_targets(self.QUAD[np.newaxis].astype(np.float32), height=64, width=100)
        for key in expected:
            np.testing.assert_array_equal(expected[key], as_list[key])
            np.testing.assert_array_equal(expected[key], stacked[key])
        self.assertTrue(expected["gt"].flags.writeable)

    def test_rejects_bad_input(self):
        with self.assertRaises(ValueError):
            dpo.db_targets([self.QUAD], height=-1, width=10)
        with self.assertRaises(ValueError):
            dpo.db_targets([np.zeros((4, 3))], height=10, width=10)
        with self.assertRaises(ValueError):
            dpo.db_targets([np.array([[0, 0], [np.nan, 1], [2, 2]])], height=10, width=10)
        with self.assertRaises(ValueError):
            dpo.db_targets([np.array([[0, 0], [np.inf, 1], [2, 2]])], height=10, width=10)
        with self.assertRaises(TypeError):
            dpo.db_targets([np.array([["a", "b"]])], height=10, width=10)
        with self.assertRaises(ValueError):
            dpo.db_targets([self.QUAD], [True, False], height=64, width=100)
        with self.assertRaises(ValueError):
            dpo.db_targets([self.QUAD], height=64, width=100, shrink_ratio=1.2)
        with self.assertRaises(ValueError):
            dpo.db_targets([self.QUAD], height=64, width=100, distance="euclid")
        with self.assertRaises(TypeError):
            dpo.db_targets(42, height=64, width=100)

    def test_batch_matches_single_calls(self):
        rng = np.random.default_rng(3)
        samples = []
        for k in range(6):
            polygons, ignore = ps.sample(rng, 200, 240, 8, ALL_KINDS)
            samples.append({"polygons": polygons, "ignore": ignore, "height": 200, "width": 240} if k % 2
                           else (polygons, ignore, 200, 240))
        batch = dpo.db_targets_batch(samples, threads=2)
        self.assertEqual(len(batch), len(samples))
        for sample, maps in zip(samples, batch):
            polygons, ignore = (sample["polygons"], sample["ignore"]) if isinstance(sample, dict) else sample[:2]
            single = dpo.db_targets(polygons, ignore, height=200, width=240)
            for key in single:
                np.testing.assert_array_equal(single[key], maps[key])
        with self.assertRaisesRegex(ValueError, "sample 1"):
            dpo.db_targets_batch([samples[0], (samples[0][0], None, 0, 10)])

    def test_exact_distance_is_never_below_the_reference_map(self):
        polygons, ignore = ps.bench_set("curved", seed=1, h=320, w=320, count=8)
        a = dpo.db_targets(polygons, ignore, height=320, width=320)
        b = dpo.db_targets(polygons, ignore, height=320, width=320, distance="exact")
        np.testing.assert_array_equal(a["gt"], b["gt"])
        self.assertTrue(np.all(a["thresh_map"] <= b["thresh_map"] + 1e-6))
        self.assertTrue(np.any(a["thresh_map"] != b["thresh_map"]))

    def test_reads_annotation_files(self):
        path = os.path.join(os.environ.get("DOCPIPE_TEST_TMPDIR", "/tmp"), "gt_img_1.txt")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8-sig") as f:
            f.write("377,117,463,117,465,130,378,130,Genaxis Theatre\n493,115,519,115,519,131,493,131,###\n")
        polygons, ignore = dpo.read_annotations(path)
        self.assertEqual(ignore, [False, True])
        np.testing.assert_array_equal(polygons[0], [[377, 117], [463, 117], [465, 130], [378, 130]])
        with self.assertRaises(FileNotFoundError):
            dpo.read_annotations(path + ".missing")


if __name__ == "__main__":
    unittest.main()
