"""Helpers for bench/live.sh: event batches and SSE subscribers (stdlib only)."""
import asyncio
import json
import sys
import time


def batch(path, n, start_ms, prefix):
    """Writes an NDJSON batch of n events: joins, chat and leaves of distinct
    viewers, from start_ms over the next 110 seconds (inside the live window of
    a session started at start_ms: no event ahead of the server's clock by more
    than its two minutes of skew)."""
    with open(path, "w") as f:
        for i in range(n):
            t = start_ms + i * 10
            kind = i % 3
            v = f"{prefix}{i // 3}"
            if kind == 0:
                f.write(json.dumps({"type": "viewer_join", "ts": t, "viewer_id": v}) + "\n")
            elif kind == 1:
                f.write(json.dumps({"type": "chat", "ts": t, "viewer_id": v, "text": "so pretty!"}) + "\n")
            else:
                f.write(json.dumps({"type": "viewer_leave", "ts": t + 10_000, "viewer_id": v}) + "\n")


def viewers(path, n, start_ms):
    """Writes n viewers' join and leave events (2n lines), all within the five
    seconds after start_ms (the live window must contain them)."""
    with open(path, "w") as f:
        for i in range(n):
            t = start_ms + (i * 7919) % 4000
            f.write(json.dumps({"type": "viewer_join", "ts": t, "viewer_id": f"m{i}"}) + "\n")
            f.write(json.dumps({"type": "viewer_leave", "ts": t + 1 + i % 900, "viewer_id": f"m{i}"}) + "\n")


async def subscriber(host, port, path, key, seconds, counts):
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {key}\r\nAccept: text/event-stream\r\n\r\n".encode())
    await writer.drain()
    end = time.monotonic() + seconds
    buf = b""
    try:
        while time.monotonic() < end:
            chunk = await asyncio.wait_for(reader.read(65536), timeout=max(0.1, end - time.monotonic()))
            if not chunk:
                break
            buf += chunk
            counts["metrics"] += buf.count(b"event: metrics")
            buf = buf[buf.rfind(b"\n") + 1:]
    except asyncio.TimeoutError:
        pass
    writer.close()


async def sse(host, port, path, key, clients, seconds):
    counts = {"metrics": 0}
    await asyncio.gather(*(subscriber(host, port, path, key, seconds, counts) for _ in range(clients)))
    print(counts["metrics"])


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "batch":
        batch(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5])
    elif cmd == "viewers":
        viewers(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    elif cmd == "sse":
        host, port = sys.argv[2].split(":")
        asyncio.run(sse(host, int(port), sys.argv[3], sys.argv[4], int(sys.argv[5]), float(sys.argv[6])))
