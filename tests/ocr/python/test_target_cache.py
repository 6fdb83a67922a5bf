"""docpipe_ocr.TargetCache from Python: hits and misses, pickling for DataLoader
workers, concurrent writer processes and a writer killed mid-way."""
import multiprocessing as mp
import os
import pickle
import shutil
import signal
import sys
import tempfile
import time
import unittest

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import docpipe_ocr as dpo  # noqa: E402
import polygon_sets as ps  # noqa: E402


def sample(k, h=240, w=320):
    return ps.sample(np.random.default_rng(k), h, w, 10, ["quad", "rotated", "curved"])


def writer(path, first, count, results):
    cache = dpo.TargetCache(path, max_ram_mb=0, durable=False)
    ok = True
    for k in range(first, first + count):
        polygons, ignore = sample(k % 12)
        got = cache.get_or_compute(polygons, ignore, height=240, width=320)
        expected = dpo.db_targets(polygons, ignore, height=240, width=320)
        ok = ok and all(np.array_equal(got[key], expected[key]) for key in expected)
    results.put(ok)


def endless_writer(path):
    cache = dpo.TargetCache(path, max_ram_mb=0, durable=False)
    k = 0
    while True:
        polygons, ignore = sample(k % 40, 480, 640)
        cache.get_or_compute(polygons, ignore, height=480, width=640)
        k += 1


class TargetCacheTest(unittest.TestCase):
    def setUp(self):
        base = os.environ.get("DOCPIPE_TEST_TMPDIR", tempfile.gettempdir())
        os.makedirs(base, exist_ok=True)
        self.dir = tempfile.mkdtemp(prefix="pycache_", dir=base)

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def test_hit_miss_and_parameter_change(self):
        cache = dpo.TargetCache(self.dir, max_ram_mb=64)
        polygons, ignore = sample(1)
        first = cache.get_or_compute(polygons, ignore, height=240, width=320)
        again = cache.get_or_compute(polygons, ignore, height=240, width=320)
        self.assertEqual(cache.stats()["misses"], 1)
        self.assertEqual(cache.stats()["ram_hits"], 1)
        self.assertFalse(first["gt"].flags.writeable)  # shared with later readers
        fresh = dpo.TargetCache(self.dir, max_ram_mb=64)
        from_disk = fresh.get_or_compute(polygons, ignore, height=240, width=320)
        self.assertEqual(fresh.stats()["disk_hits"], 1)
        for key in first:
            np.testing.assert_array_equal(first[key], again[key])
            np.testing.assert_array_equal(first[key], from_disk[key])
        changed = fresh.get_or_compute(polygons, ignore, height=240, width=320, thresh_max=0.8)
        self.assertEqual(fresh.stats()["misses"], 1)
        self.assertAlmostEqual(float(changed["thresh_map"].max()), 0.8, places=5)
        self.assertNotEqual(dpo.TargetCache.key(polygons, ignore, height=240, width=320),
                            dpo.TargetCache.key(polygons, ignore, height=240, width=320, mode="paddleocr"))
        self.assertIsNone(fresh.get("0" * 64))

    def test_put_and_get_round_trip(self):
        cache = dpo.TargetCache(self.dir)
        maps = {k: np.full((4, 5), i, np.float32) for i, k in enumerate(["gt", "mask", "thresh_map", "thresh_mask"])}
        cache.put("ab" * 32, maps)
        got = dpo.TargetCache(self.dir).get("ab" * 32)
        for key in maps:
            np.testing.assert_array_equal(got[key], maps[key])
        with self.assertRaises(ValueError):
            cache.put("not-a-key", maps)

    def test_pickles_as_settings(self):
        cache = dpo.TargetCache(self.dir, max_ram_mb=12)
        clone = pickle.loads(pickle.dumps(cache))
        self.assertEqual(clone.path, self.dir)
        self.assertEqual(clone.max_ram_mb, 12)

    def test_concurrent_writer_processes(self):
        ctx = mp.get_context("spawn")
        results = ctx.Queue()
        procs = [ctx.Process(target=writer, args=(self.dir, p * 3, 12, results)) for p in range(3)]
        for p in procs:
            p.start()
        for p in procs:
            p.join(120)
            self.assertEqual(p.exitcode, 0)
        self.assertTrue(all(results.get(timeout=5) for _ in procs))
        self.assertEqual(os.listdir(os.path.join(self.dir, "db-targets-v1", "tmp")), [])

    def test_killed_writer_leaves_no_corrupt_entry(self):
        ctx = mp.get_context("spawn")
        for delay in (0.3, 0.6, 0.9):
            proc = ctx.Process(target=endless_writer, args=(self.dir,))
            proc.start()
            time.sleep(delay)
            os.kill(proc.pid, signal.SIGKILL)
            proc.join()
        cache = dpo.TargetCache(self.dir, max_ram_mb=0)  # also removes the dead writer's temporaries
        self.assertEqual(os.listdir(os.path.join(self.dir, "db-targets-v1", "tmp")), [])
        for k in range(40):
            polygons, ignore = sample(k, 480, 640)
            got = cache.get(dpo.TargetCache.key(polygons, ignore, height=480, width=640))
            if got is None:
                continue
            expected = dpo.db_targets(polygons, ignore, height=480, width=640)
            for key in expected:
                np.testing.assert_array_equal(got[key], expected[key])


if __name__ == "__main__":
    unittest.main()
