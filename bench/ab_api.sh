#!/usr/bin/env bash
# A/B comparison of two livehire binaries on host search and task creation.
#
#   bash bench/ab_api.sh BIN_A BIN_B [ROUNDS=8] [SECONDS=4]
#
# Seeds one fresh SQLite database per binary with BENCH_HOSTS [100000]
# generated hosts (each binary seeds its own), serves both at once, then runs
# wrk (2 threads, 64 connections) against one and then the other, alternating
# which goes first, ROUNDS times per scenario: the search of bench/run.sh, and
# task creation with the seed's body (bench/create_task.lua). Prints each
# round's req/s and B/A, then the medians. Read the same-round ratios: this
# machine's speed drifts by +-10% over an hour, and both servers see the same
# drift within a round. Only 127.0.0.1 is targeted.
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 BIN_A BIN_B [ROUNDS] [SECONDS]" >&2; exit 2; }
A=$1; Bb=$2; R=${3:-8}; D=${4:-4}
HOSTS=${BENCH_HOSTS:-100000}
B=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
W=$(mktemp -d "${TMPDIR:-/tmp}/livehire-ab-api.XXXXXX")
: > "$W/pids"
trap 'for p in $(cat "$W"/pids); do kill $p 2>/dev/null; done; wait 2>/dev/null; rm -rf "$W"' EXIT
SEARCH_PATH='/api/v1/humans?skills=live_streaming&min_followers=20000&niche=beauty%20OR%20skincare&sort=avg_gmv&limit=20'
jget() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }

setup() { # bin port -> prints the agent key
  local BIN=$1 PORT=$2 BASE=http://127.0.0.1:$2
  "$BIN" seed --hosts "$HOSTS" --database-url "sqlite://$W/$PORT.db" >"$W/$PORT.seed.log" 2>&1
  NO_COLOR=1 "$BIN" serve --addr 127.0.0.1:$PORT --database-url "sqlite://$W/$PORT.db" >"$W/$PORT.log" 2>&1 &
  echo $! >> "$W/pids"
  for _ in $(seq 300); do curl -fsS "$BASE/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
  local KEY
  KEY=$(curl -fsS -X POST "$BASE/api/v1/agents/register" -H 'Content-Type: application/json' \
    -d '{"name": "bench"}' | jget '["api_key"]')
  # Both scenarios must succeed before they are timed.
  curl -fsS -o /dev/null -H "Authorization: Bearer $KEY" "$BASE$SEARCH_PATH"
  curl -fsS -o /dev/null -X POST "$BASE/api/v1/tasks" -H "Authorization: Bearer $KEY" \
    -H 'Content-Type: application/json' --data-binary "@$B/task_body.json"
  echo "$KEY"
}

PA=$((30000 + RANDOM % 10000)); PB=$((PA + 1))
KA=$(setup "$A" $PA); KB=$(setup "$Bb" $PB)

run() { # scenario port key secs -> req/s
  case $1 in
    search) wrk -t2 -c64 -d"${4}s" -H "Authorization: Bearer $3" "http://127.0.0.1:$2$SEARCH_PATH" ;;
    tasks) BENCH_TASK_BODY="$B/task_body.json" BENCH_API_KEY=$3 \
      wrk -t2 -c64 -d"${4}s" -s "$B/create_task.lua" "http://127.0.0.1:$2/api/v1/tasks" ;;
  esac | awk '/Requests\/sec/ {print $2}'
}

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

for scenario in search tasks; do
  run $scenario $PA "$KA" 2 >/dev/null; run $scenario $PB "$KB" 2 >/dev/null
  : > "$W/a"; : > "$W/b"; : > "$W/r"
  echo "== $scenario"
  for i in $(seq "$R"); do
    if (( i % 2 )); then a=$(run $scenario $PA "$KA" "$D"); b=$(run $scenario $PB "$KB" "$D")
    else b=$(run $scenario $PB "$KB" "$D"); a=$(run $scenario $PA "$KA" "$D"); fi
    echo "$a" >> "$W/a"; echo "$b" >> "$W/b"
    r=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.3f", b / a }'); echo "$r" >> "$W/r"
    printf 'round %d: A %8.0f  B %8.0f  B/A %s\n' "$i" "$a" "$b" "$r"
  done
  printf '%s: median A %.0f  median B %.0f  median B/A %s  (B/A per round min %s max %s)\n' \
    "$scenario" "$(median < "$W/a")" "$(median < "$W/b")" "$(median < "$W/r")" \
    "$(sort -g "$W/r" | head -1)" "$(sort -g "$W/r" | tail -1)"
done
