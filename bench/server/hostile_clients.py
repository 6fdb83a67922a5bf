#!/usr/bin/python3
"""Hostile clients against a real `docpipe serve`: slowloris, shutdown under it, a huge chunked body.

For each docpipe binary given (the first is the one measured, any others are
anchors run the same way, e.g. an older build), starts `docpipe serve` on a
fresh store and reports:
  - /health and /search latency from a normal client while SLOW connections
    each send one header byte per second (max and median of 20 requests);
  - seconds from SIGTERM to exit with those connections still open;
  - a 1 GiB chunked POST /ingest under --max-body-bytes LIMIT: the status,
    how many bytes the server took before answering, and its peak RSS growth.

Usage: hostile_clients.py [--slow 200] [--limit-mb 10] DOCPIPE [ANCHOR_DOCPIPE ...]
"""
import argparse
import http.client
import json
import os
import re
import select
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time


def start_server(binary, work, limit_bytes):
    log = open(os.path.join(work, "serve.log"), "w+")
    proc = subprocess.Popen(
        [binary, "serve", "--db", os.path.join(work, "kb.sqlite"), "--port", "0",
         "--max-body-bytes", str(limit_bytes), "--http-threads", "8"],
        stderr=log, stdout=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline:
        log.seek(0)
        match = re.search(r"listening on http://[^:]+:(\d+)", log.read())
        if match:
            return proc, int(match.group(1))
        if proc.poll() is not None:
            sys.exit("docpipe serve exited: see " + log.name)
        time.sleep(0.05)
    sys.exit("docpipe serve did not start")


def request(port, method, path, body=None, timeout=30):
    start = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers={"Content-Type": "application/json"})
        status = conn.getresponse().status
    except OSError:
        status = 0
    finally:
        conn.close()
    return status, time.perf_counter() - start


class Slowloris:
    """SLOW connections, each sending one more header byte every second until stopped."""

    def __init__(self, port, count):
        self.sockets = []
        for _ in range(count):
            s = socket.create_connection(("127.0.0.1", port))
            s.setblocking(False)
            self.sockets.append(s)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        text = b"GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 10000
        i = 0
        while not self.stop.wait(1.0):
            for s in self.sockets:
                try:
                    s.send(text[i % len(text):i % len(text) + 1])
                except OSError:
                    pass
            i += 1

    def close(self):
        self.stop.set()
        self.thread.join()
        for s in self.sockets:
            s.close()


def latency(port, method, path, body):
    times, statuses = [], []
    for _ in range(20):
        status, seconds = request(port, method, path, body, timeout=10)
        statuses.append(status)
        times.append(seconds)
        if statuses.count(0) >= 2:  # a starved server: no point waiting out 20 timeouts
            break
    return {"statuses": sorted(set(statuses)), "max_ms": round(1000 * max(times), 1),
            "median_ms": round(1000 * statistics.median(times), 1)}


def peak_rss(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0


def chunked_flood(port, pid, total_bytes):
    before = peak_rss(pid)
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"POST /ingest HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
              b"Transfer-Encoding: chunked\r\n\r\n")
    piece = b"x" * (1 << 20)
    chunk = b"100000\r\n" + piece + b"\r\n"
    sent = 0
    s.settimeout(5)
    try:
        # Like curl: stop sending once the server has answered.
        while sent < total_bytes and not select.select([s], [], [], 0)[0]:
            s.sendall(chunk)
            sent += len(piece)
    except OSError:
        pass
    s.settimeout(10)
    try:
        reply = s.recv(4096)
    except OSError:
        reply = b""
    s.close()
    status = int(reply[9:12]) if reply.startswith(b"HTTP/1.") else 0
    return {"status": status, "body_bytes_sent_before_refusal": sent,
            "peak_rss_growth_mb": round((peak_rss(pid) - before) / 2**20, 1)}


def measure(binary, slow, limit_bytes):
    with tempfile.TemporaryDirectory() as work:
        proc, port = start_server(binary, work, limit_bytes)
        result = {"binary": binary}
        try:
            result["idle_health"] = latency(port, "GET", "/health", None)
            loris = Slowloris(port, slow)
            time.sleep(3)  # let every slow connection be accepted and start trickling
            result[f"health_with_{slow}_slow"] = latency(port, "GET", "/health", None)
            result[f"search_with_{slow}_slow"] = latency(port, "POST", "/search", json.dumps({"query": "anything"}))
            start = time.perf_counter()
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=120)
                result["sigterm_to_exit_s"] = round(time.perf_counter() - start, 2)
            except subprocess.TimeoutExpired:
                result["sigterm_to_exit_s"] = "over 120"
            loris.close()
            proc, port = start_server(binary, work, limit_bytes)
            result["chunked_1GiB"] = chunked_flood(port, proc.pid, 1 << 30)
        finally:
            proc.kill()
            proc.wait()
        return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--slow", type=int, default=200)
    parser.add_argument("--limit-mb", type=int, default=10)
    parser.add_argument("binaries", nargs="+")
    args = parser.parse_args()
    results = [measure(b, args.slow, args.limit_mb << 20) for b in args.binaries]
    for r in results:
        print(json.dumps(r, indent=1))
    if len(results) > 1:
        key = f"health_with_{args.slow}_slow"
        for anchor in results[1:]:
            print(f"/health max latency with {args.slow} slow connections: {results[0][key]['max_ms']} ms vs "
                  f"{anchor[key]['max_ms']} ms ({anchor['binary']})")


if __name__ == "__main__":
    main()
