#!/usr/bin/env python3
"""Server CPU per request of two livehire binaries, A/B, on one machine.

    python3 bench/ab_cpu.py BIN_A BIN_B [--hosts 20000] [--requests 2000] [--rounds 5]
        [--args-a "FLAGS"] [--args-b "--rate-limit off"]

Throughput on a shared 2-core machine swings with whatever else runs; the CPU
time the server process spends per request swings much less. This seeds one
database per binary, serves both, and then, round by round and alternating
which goes first, sends the same requests over one keep-alive connection to
each (host search as in bench/run.sh, task creation with bench/task_body.json,
GET /healthz as the floor) and reads the server's user+system CPU from
/proc/PID/stat before and after. Prints microseconds of server CPU per request
for each scenario and the median B/A. Only 127.0.0.1 is targeted.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import pathlib
import shlex
import socket
import statistics
import subprocess
import sys
import tempfile
import time

BENCH = pathlib.Path(__file__).resolve().parent
SEARCH = "/api/v1/humans?skills=live_streaming&min_followers=20000&niche=beauty%20OR%20skincare&sort=avg_gmv&limit=20"
TICK = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


class Server:
    def __init__(self, binary: str, work: pathlib.Path, name: str, hosts: int, extra: list[str]):
        db = f"sqlite://{work / name}.db"
        subprocess.run([binary, "seed", "--hosts", str(hosts), "--database-url", db],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.port = free_port()
        self.proc = subprocess.Popen(
            [binary, "serve", "--addr", f"127.0.0.1:{self.port}", "--database-url", db, *extra],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, "NO_COLOR": "1"})
        for _ in range(300):
            try:
                self.request("GET", "/healthz")
                break
            except OSError:
                time.sleep(0.1)
        reg = self.request("POST", "/api/v1/agents/register", {"name": "bench"}, expect=201)
        self.key = json.loads(reg)["api_key"]
        self.task = (BENCH / "task_body.json").read_bytes()

    def request(self, method, path, body=None, key=None, expect=200, conn=None):
        own = conn is None
        conn = conn or http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Content-Type": "application/json"}
        if key:
            headers["Authorization"] = f"Bearer {key}"
        data = body if isinstance(body, bytes) else (json.dumps(body).encode() if body is not None else None)
        conn.request(method, path, body=data, headers=headers)
        resp = conn.getresponse()
        text = resp.read()
        if own:
            conn.close()
        if resp.status != expect:
            raise SystemExit(f"{method} {path}: {resp.status} {text[:300]!r}")
        return text

    def measure(self, scenario: str, n: int) -> float:
        """Server CPU microseconds per request over n requests."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        before = cpu_seconds(self.proc.pid)
        for _ in range(n):
            if scenario == "healthz":
                self.request("GET", "/healthz", conn=conn)
            elif scenario == "search":
                self.request("GET", SEARCH, key=self.key, conn=conn)
            else:
                self.request("POST", "/api/v1/tasks", self.task, key=self.key, expect=201, conn=conn)
        after = cpu_seconds(self.proc.pid)
        conn.close()
        return (after - before) * 1e6 / n

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=30)


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("a")
    p.add_argument("b")
    p.add_argument("--hosts", type=int, default=20000)
    p.add_argument("--requests", type=int, default=2000)
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--args-a", default="", help="more `serve` flags for A, e.g. \"--rate-limit off\"")
    p.add_argument("--args-b", default="", help="more `serve` flags for B")
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = pathlib.Path(tmp)
        a = Server(args.a, work, "a", args.hosts, shlex.split(args.args_a))
        b = Server(args.b, work, "b", args.hosts, shlex.split(args.args_b))
        try:
            for scenario in ("healthz", "search", "tasks"):
                a.measure(scenario, args.requests // 4)
                b.measure(scenario, args.requests // 4)
                ratios, us_a, us_b = [], [], []
                for r in range(args.rounds):
                    pair = [(a, us_a), (b, us_b)]
                    for server, out in (pair if r % 2 == 0 else pair[::-1]):
                        out.append(server.measure(scenario, args.requests))
                    ratios.append(us_b[-1] / us_a[-1])
                print(f"{scenario:8} A {statistics.median(us_a):8.1f} us/req  B {statistics.median(us_b):8.1f} us/req"
                      f"  B/A median {statistics.median(ratios):.3f} (rounds {min(ratios):.3f}-{max(ratios):.3f})",
                      flush=True)
        finally:
            a.stop()
            b.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
