#!/usr/bin/env python3
"""Dashboard benchmark for livehire.

Seeds a fresh SQLite database with 100,000 generated hosts, serves it on a
free loopback port, posts 10,000 tasks for one agent, logs that agent in
through the web form (a real session cookie) and measures with wrk
(64 connections, 2 threads), one run after another:

  1. GET /healthz                          - the stack's ceiling on this machine
  2. GET /dashboard (the agent's home)     - target >= 0.2x /healthz, p99 <= 20 ms
  3. GET /dashboard/tasks/{id} (task page) - target >= 0.2x /healthz, p99 <= 20 ms

then (4) the live monitor under a session of 5,000 events a second: events
are posted at that rate for BENCH_LIVE_SECONDS while a browser-like client
reads the session page's stream; it keeps up when a snapshot arrives at least
once a second and the last one counts every event posted.

Rewrites the block between the bench:dashboard markers in docs/benchmarks.md
(BENCH_NO_DOC=1 prints it instead). Only 127.0.0.1 is ever targeted.

  bench/dashboard.sh                     # builds release, then runs this
  python3 bench/dashboard.py --bin target/release/livehire
"""

import argparse
import datetime
import http.client
import json
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH_DIR)
DOC = os.path.join(ROOT, "docs", "benchmarks.md")
MARK_START = "<!-- bench:dashboard:start -->"
MARK_END = "<!-- bench:dashboard:end -->"
PAGE_TARGET_RATIO = 0.2
PAGE_TARGET_P99_MS = 20.0
LIVE_RATE = 5000
# The server sends a snapshot each second; what the client measures between
# two adds delivery jitter on a loaded machine, allowed up to this.
LIVE_MAX_GAP_S = 1.25
ADMIN = "bench-admin-token-0123456789"


def log(msg):
    print(f"\n==> {msg}", file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    """One keep-alive HTTP connection to the server under test."""

    def __init__(self, port):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def call(self, method, path, body=None, headers=None):
        headers = dict(headers or {})
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
            headers.setdefault("Content-Type", "application/json")
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                resp = self.conn.getresponse()
                return resp.status, resp.getheaders(), resp.read()
            except (ConnectionError, http.client.HTTPException):
                if attempt:
                    raise
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        raise AssertionError("unreachable")

    def json(self, method, path, key=None, body=None, expect=(200, 201)):
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        status, _, data = self.call(method, path, body, headers)
        if status not in expect:
            sys.exit(f"bench: {method} {path} answered {status}: {data[:500]!r}")
        return json.loads(data) if data else None


def start_server(binary, db_url, port, work):
    log_path = os.path.join(work, "serve.log")
    out = open(log_path, "wb")
    # Every layer on with its defaults, except that one agent drives the whole
    # load, far above what one account sends: its limits are out of reach.
    proc = subprocess.Popen(
        [binary, "serve", "--addr", f"127.0.0.1:{port}", "--database-url", db_url,
         "--admin-token", ADMIN, "--open-registration", "--rate-limit", "search=1000000/s,other=1000000/s,ingest=1000000/s"],
        stdout=out, stderr=subprocess.STDOUT, env={**os.environ, "NO_COLOR": "1"})
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"bench: server exited:\n{open(log_path).read()}")
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", "/readyz")
            if c.getresponse().status == 200:
                return proc
        except OSError:
            pass
        time.sleep(0.1)
    proc.kill()
    sys.exit("bench: server did not get ready")


def post_tasks(port, key, body, n, threads=4):
    """Posts n copies of the seed's task body; returns their ids."""
    ids, lock = [], threading.Lock()

    def worker(count):
        c = Client(port)
        for _ in range(count):
            t = c.json("POST", "/api/v1/tasks", key, body, expect=(201,))
            with lock:
                ids.append(t["id"])

    share = [n // threads + (1 if i < n % threads else 0) for i in range(threads)]
    ts = [threading.Thread(target=worker, args=(k,)) for k in share]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    if len(ids) != n:
        sys.exit(f"bench: posted {len(ids)} tasks of {n}")
    return ids


def web_login(port, key):
    """Logs in through /login like a browser; returns the Cookie header."""
    c = Client(port)
    status, headers, body = c.call("GET", "/login")
    assert status == 200, status
    csrf_cookie = next(v.split(";")[0] for k, v in headers
                       if k.lower() == "set-cookie" and v.startswith("lh_csrf="))
    token = re.search(rb'name="csrf" value="([^"]+)"', body).group(1).decode()
    form = urllib.parse.urlencode({"csrf": token, "api_key": key})
    status, headers, _ = c.call("POST", "/login", form, {
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": csrf_cookie})
    if status != 303:
        sys.exit(f"bench: web login answered {status}")
    session = next(v.split(";")[0] for k, v in headers
                   if k.lower() == "set-cookie" and v.startswith("lh_session="))
    return session


def wrk(url, args, duration, warmup, conns, threads, headers=()):
    hdr = []
    for h in headers:
        hdr += ["-H", h]
    base = ["wrk", f"-t{threads}", f"-c{conns}", "--timeout", "10s"] + hdr
    subprocess.run(base + [f"-d{warmup}s", url], check=True, capture_output=True,
                   timeout=warmup + 60)
    out = subprocess.run(base + [f"-d{duration}s", "--latency", url], check=True,
                         capture_output=True, text=True, timeout=duration + 60).stdout
    print(out, file=sys.stderr)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))

    def ms(label):
        m = re.search(rf"^\s+{label}\s+([\d.]+)(us|ms|s|m)\s*$", out, re.M)
        v, unit = float(m.group(1)), m.group(2)
        return v / 1000 if unit == "us" else v * 1000 if unit == "s" else v * 60000 if unit == "m" else v

    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {
        "rps": rps,
        "p50": ms("50%"),
        "p99": ms("99%"),
        "errors": (int(non2xx.group(1)) if non2xx else 0)
        + (sum(int(g) for g in errors.groups()) if errors else 0),
    }


def live_monitor(port, agent_key, host_key, cookie, seconds):
    """A session of LIVE_RATE events a second, watched through the dashboard's
    stream. Returns the figures of the run."""
    from live_tools import batch  # noqa: E402  (NDJSON batches, as bench/live.sh posts them)

    c = Client(port)
    body = json.load(open(os.path.join(BENCH_DIR, "task_body.json")))
    task = c.json("POST", "/api/v1/tasks", agent_key, body, expect=(201,))
    host_id = c.json("GET", "/api/v1/me", host_key)["id"]
    c.json("POST", f"/api/v1/admin/humans/{host_id}/verification", ADMIN,
           {"tiktok_shop_verified": True})
    c.json("POST", f"/api/v1/tasks/{task['id']}/invitations", agent_key, {"human_id": host_id})
    c.json("POST", f"/api/v1/tasks/{task['id']}/accept", host_key, {}, expect=(200,))
    session_id = task["sessions"][0]["id"]
    c.json("POST", f"/api/v1/sessions/{session_id}/start", host_key, {}, expect=(200,))

    # The reader: the session page's stream, as the page's script opens it.
    snapshots = []
    stop = threading.Event()

    def reader():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", f"/dashboard/sessions/{session_id}/stream",
                     headers={"Accept": "text/event-stream", "Cookie": cookie})
        resp = conn.getresponse()
        if resp.status != 200:
            snapshots.append((time.monotonic(), {"error": resp.status}))
            return
        event, data = b"", []
        while not stop.is_set():
            try:
                line = resp.readline()
            except (socket.timeout, OSError):
                break
            if not line:
                break
            line = line.rstrip(b"\r\n")
            if line.startswith(b"event:"):
                event = line[6:].strip()
            elif line.startswith(b"data:"):
                data.append(line[5:].strip())
            elif not line:
                if event == b"metrics" and data:
                    try:
                        snapshots.append((time.monotonic(), json.loads(b"\n".join(data))))
                    except ValueError:
                        pass
                event, data = b"", []
        conn.close()

    rt = threading.Thread(target=reader, daemon=True)
    rt.start()
    time.sleep(1)
    # The sender: one NDJSON batch of LIVE_RATE / 10 comments every 100 ms.
    sent, chats, t0 = 0, 0, time.monotonic()
    per = LIVE_RATE // 10
    start_ms = int(time.time() * 1000)
    path = tempfile.mktemp(suffix=".ndjson")
    tick = 0
    while time.monotonic() - t0 < seconds:
        batch(path, per, start_ms + tick * 100, f"b{tick}_")
        data = open(path, "rb").read()
        status, _, resp = c.call("POST", f"/api/v1/sessions/{session_id}/events", data, {
            "Authorization": f"Bearer {host_key}", "Content-Type": "application/x-ndjson"})
        if status not in (200, 202):
            sys.exit(f"bench: ingest answered {status}: {resp[:300]!r}")
        sent += per
        chats += sum(1 for i in range(per) if i % 3 == 1)
        tick += 1
        lag = t0 + tick * 0.1 - time.monotonic()
        if lag > 0:
            time.sleep(lag)
    elapsed = time.monotonic() - t0
    time.sleep(2)
    stop.set()
    rt.join(timeout=5)
    os.unlink(path)
    times = [t for t, _ in snapshots]
    gaps = [b - a for a, b in zip(times, times[1:])]
    return {
        "sent": sent,
        "chats": chats,
        "rate": sent / elapsed,
        "snapshots": len(snapshots),
        "max_gap": max(gaps) if gaps else float("inf"),
        "last": snapshots[-1][1] if snapshots else {},
    }


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bin", required=True)
    p.add_argument("--hosts", type=int, default=int(os.environ.get("BENCH_HOSTS", 100_000)))
    p.add_argument("--tasks", type=int, default=int(os.environ.get("BENCH_TASKS", 10_000)))
    p.add_argument("--duration", type=int, default=int(os.environ.get("BENCH_DURATION", 15)))
    p.add_argument("--warmup", type=int, default=int(os.environ.get("BENCH_WARMUP", 3)))
    p.add_argument("--connections", type=int, default=64)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--live-seconds", type=int, default=int(os.environ.get("BENCH_LIVE_SECONDS", 20)))
    a = p.parse_args()
    sys.path.insert(0, BENCH_DIR)
    for tool in ("wrk",):
        if not shutil.which(tool):
            sys.exit(f"bench: needs {tool} (apt-get install {tool})")

    work = tempfile.mkdtemp(prefix="livehire-dash-bench.")
    db_url = f"sqlite://{work}/bench.db"
    server = None
    try:
        log(f"seeding {a.hosts} hosts")
        subprocess.run([a.bin, "seed", "--hosts", str(a.hosts), "--database-url", db_url],
                       check=True, capture_output=True)
        port = free_port()
        server = start_server(a.bin, db_url, port, work)
        c = Client(port)
        agent = c.json("POST", "/api/v1/agents/register", body={"name": "bench agent"})
        # An agent with ten thousand tasks has money: its wallet is on the home page.
        c.json("POST", "/api/v1/wallet/deposits", agent["api_key"],
               {"amount": 1000000, "currency": "CNY"})
        host_profile = json.load(open(os.path.join(BENCH_DIR, "host_profile.json")))
        host = c.json("POST", "/api/v1/humans/register", body=host_profile)
        body = json.load(open(os.path.join(BENCH_DIR, "task_body.json")))
        log(f"posting {a.tasks} tasks")
        t0 = time.monotonic()
        ids = post_tasks(port, agent["api_key"], body, a.tasks)
        print(f"{a.tasks} tasks in {time.monotonic() - t0:.1f} s", file=sys.stderr)
        cookie = web_login(port, agent["api_key"])
        task_path = f"/dashboard/tasks/{ids[len(ids) // 2]}"
        for path in ("/dashboard", task_path):
            status, _, page = c.call("GET", path, headers={"Cookie": cookie})
            if status != 200:
                sys.exit(f"bench: {path} answered {status}: {page[:300]!r}")
        base = f"http://127.0.0.1:{port}"
        runs = {}
        for name, path, headers in (
            ("healthz", "/healthz", ()),
            ("home", "/dashboard", (f"Cookie: {cookie}",)),
            ("task", task_path, (f"Cookie: {cookie}",)),
        ):
            log(f"{name}: {a.warmup}s warm-up, then {a.duration}s at {a.connections} connections")
            runs[name] = wrk(base + path, None, a.duration, a.warmup, a.connections, a.threads, headers)
        log(f"live monitor: {LIVE_RATE} events/s for {a.live_seconds}s")
        live = live_monitor(port, agent["api_key"], host["api_key"], cookie, a.live_seconds)
    finally:
        if server:
            server.terminate()
            server.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)

    h = runs["healthz"]["rps"]
    rows = []
    for name, label in (("healthz", "GET /healthz"), ("home", "GET /dashboard (agent home)"),
                        ("task", "GET /dashboard/tasks/{id}")):
        r = runs[name]
        ratio = r["rps"] / h
        if name == "healthz":
            target, ok = "ceiling", "—"
        else:
            target = f"≥ {PAGE_TARGET_RATIO}×, p99 ≤ {PAGE_TARGET_P99_MS:.0f} ms"
            ok = "yes" if ratio >= PAGE_TARGET_RATIO and r["p99"] <= PAGE_TARGET_P99_MS and not r["errors"] else "**no**"
        rows.append(f"| {label} | {r['rps']:,.0f} | {r['p50']:.2f} ms | {r['p99']:.2f} ms | {ratio:.2f}× | {r['errors']} | {target} | {ok} |")
    counted = live["last"].get("chat_messages")
    live_ok = live["max_gap"] <= LIVE_MAX_GAP_S and counted == live["chats"]
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "unknown")
    commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    block = f"""{MARK_START}
Measured {date} at commit {commit} by `bench/dashboard.sh` on {os.cpu_count()} cores ({cpu}), {platform.system()} {platform.release()}.
{a.hosts:,} hosts, {a.tasks:,} tasks of one agent with a funded wallet, logged in through `/login` (a real session cookie);
wrk, {a.connections} connections, {a.threads} threads, {a.duration} s per run after {a.warmup} s of warm-up.

| request | req/s | p50 | p99 | vs /healthz | errors | target | met |
|---|---:|---:|---:|---:|---:|---|---|
{chr(10).join(rows)}

Live monitor: {live['sent']:,} events (joins, chat messages, leaves) posted in NDJSON batches of {LIVE_RATE // 10}
every 100 ms, {live['rate']:,.0f} events/s for {a.live_seconds} s, while a client read the session page's stream
(`/dashboard/sessions/{{id}}/stream`, logged in): {live['snapshots']} metric snapshots, the longest gap between two
{live['max_gap']:.2f} s, the last one counting {counted} chat messages of {live['chats']:,} sent (target: a snapshot
every second, as received at most {LIVE_MAX_GAP_S} s apart, none lost) — met: {"yes" if live_ok else "**no**"}.
{MARK_END}"""
    if os.environ.get("BENCH_NO_DOC") == "1":
        print(block)
        return
    text = open(DOC).read()
    if MARK_START in text:
        text = re.sub(re.escape(MARK_START) + ".*?" + re.escape(MARK_END), lambda _: block, text, flags=re.S)
    else:
        text += "\n## Dashboard: agent home, task page, live monitor\n\n" + block + "\n"
    open(DOC, "w").write(text)
    print(block)


if __name__ == "__main__":
    main()
