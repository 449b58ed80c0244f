#!/usr/bin/env bash
# Dashboard benchmark: builds the release binary (or measures BENCH_BIN) and
# runs bench/dashboard.py, which seeds 100,000 hosts and 10,000 tasks, logs in
# through /login and measures the agent's home, a task page and the live
# monitor against /healthz in the same run; the block between the
# bench:dashboard markers in docs/benchmarks.md is rewritten (BENCH_NO_DOC=1
# prints it instead). Only 127.0.0.1 is targeted.
#
# Knobs: BENCH_HOSTS [100000], BENCH_TASKS [10000], BENCH_DURATION [15] s per
# run, BENCH_WARMUP [3] s, BENCH_LIVE_SECONDS [20], BENCH_BIN=path.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
if ! command -v wrk >/dev/null 2>&1; then
    sudo=""
    [ "$(id -u)" = 0 ] || sudo=sudo
    $sudo apt-get install -y wrk || { $sudo apt-get update && $sudo apt-get install -y wrk; }
fi
if [ -n "${BENCH_BIN:-}" ]; then
    BIN=$BENCH_BIN
else
    cargo build --release -p livehire-cli
    TARGET_DIR=$(cargo metadata --format-version 1 --no-deps |
        python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
    BIN="$TARGET_DIR/release/livehire"
fi
exec python3 bench/dashboard.py --bin "$BIN"
