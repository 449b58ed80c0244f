#!/usr/bin/env bash
# Live-engine benchmark for livehire.
#
# Builds the release binary, serves a fresh SQLite database on a free loopback
# port, sets up an assigned task with a live session, and measures in one run:
#   1. GET /healthz at 1,000 connections                 - the ceiling
#   2. flash-sale orders at 1,000 connections            - target >= 0.5x /healthz,
#      zero oversell, every 201 a durable order (checked against the database)
#   3. event ingestion, NDJSON batches of 10,000 events  - target >= 1,000,000 events/s
#   4. a session with 1,000,000 unique viewers           - target <= 150 MB of server memory
#   5. 1,000 SSE subscribers on one session, 1 snapshot/s - target < 1 core, and every
#      subscriber gets at least one snapshot a second
# and rewrites the block between the bench:live markers in docs/benchmarks.md.
# Only 127.0.0.1 is targeted; every load run is bounded in time.
#
# Knobs: BENCH_DURATION [15] s per wrk run, BENCH_WARMUP [3] s, BENCH_KEEP=1, BENCH_NO_DOC=1,
# BENCH_BIN=path (measure that binary instead of building this checkout)
set -euo pipefail

DURATION=${BENCH_DURATION:-15}
WARMUP=${BENCH_WARMUP:-3}
MARK_START='<!-- bench:live:start -->'
MARK_END='<!-- bench:live:end -->'
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
DOC="$ROOT/docs/benchmarks.md"
log() { printf '\n==> %s\n' "$*" >&2; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

for tool in wrk curl python3; do
    command -v "$tool" >/dev/null 2>&1 && continue
    log "installing $tool"
    DEBIAN_FRONTEND=noninteractive apt-get install -y "$tool" || { apt-get update; DEBIAN_FRONTEND=noninteractive apt-get install -y "$tool"; }
done

cd "$ROOT"
if [ -n "${BENCH_BIN:-}" ]; then
  # Another build (an older commit's, for a comparison on one machine).
  BIN=$BENCH_BIN
else
  log "building release (cargo build --release -p livehire-cli)"
  cargo build --release -p livehire-cli
  TARGET_DIR=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
  BIN="$TARGET_DIR/release/livehire"
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/livehire-live.XXXXXX")
DB="$WORK/live.db"
SERVER_PID=""
cleanup() {
    [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
    [ "${BENCH_KEEP:-0}" = 1 ] && printf 'bench: kept %s\n' "$WORK" >&2 || rm -rf "$WORK"
}
trap cleanup EXIT
ulimit -n 65536 2>/dev/null || true

# The task asks for a verified TikTok Shop, which only the operator's admin
# token can grant: the bench is the operator (registration stays open).
# Every layer is on with its defaults, except that one key drives each
# scenario here, far above what one agent or host would send: ingestion and
# other requests (the 1,000 stream subscribers) get limits the load cannot
# reach, still checked. Orders go in with a checkout key, not limited by
# default, as a storefront's would.
ADMIN=bench-admin-token-0123456789
NO_COLOR=1 LIVEHIRE_LOG=warn,livehire=info "$BIN" serve --addr 127.0.0.1:0 --database-url "sqlite://$DB" \
    --admin-token "$ADMIN" --open-registration \
    --rate-limit ingest=1000000/s,other=1000000/s >"$WORK/serve.log" 2>&1 &
SERVER_PID=$!
ADDR=""
for _ in $(seq 1 300); do
    ADDR=$(sed 's/\x1b\[[0-9;]*m//g' "$WORK/serve.log" | grep -o 'addr=127\.0\.0\.1:[0-9]*' | head -n 1 | cut -d= -f2 || true)
    [ -n "$ADDR" ] && curl -fsS "http://$ADDR/healthz" >/dev/null 2>&1 && break
    sleep 0.1
done
[ -n "$ADDR" ] || die "server did not start"
BASE="http://$ADDR"
jget() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval('d' + sys.argv[1]))" "$1"; }
post() { curl -fsS -X POST "$BASE$1" -H "Authorization: Bearer $2" -H 'Content-Type: application/json' --data-binary "$3"; }

log "setting up an agent, a host, a task and a live session"
KEY=$(curl -fsS -X POST "$BASE/api/v1/agents/register" -H 'Content-Type: application/json' -d '{"name":"bench"}' | jget '["api_key"]')
HOST=$(curl -fsS -X POST "$BASE/api/v1/humans/register" -H 'Content-Type: application/json' --data-binary "@$BENCH_DIR/host_profile.json")
HKEY=$(printf '%s' "$HOST" | jget '["api_key"]'); HID=$(printf '%s' "$HOST" | jget '["human_id"]')
post "/api/v1/admin/humans/$HID/verification" "$ADMIN" '{"tiktok_shop_verified": true}' >/dev/null
post /api/v1/wallet/deposits "$KEY" '{"amount": 1000000, "currency": "CNY"}' >/dev/null
new_live_session() {
    local task tid sid
    task=$(post /api/v1/tasks "$KEY" "@$BENCH_DIR/task_body.json")
    tid=$(printf '%s' "$task" | jget '["id"]'); sid=$(printf '%s' "$task" | jget '["sessions"][0]["id"]')
    post "/api/v1/tasks/$tid/invitations" "$KEY" "{\"human_id\": \"$HID\"}" >/dev/null
    post "/api/v1/tasks/$tid/accept" "$HKEY" '{}' >/dev/null
    post "/api/v1/sessions/$sid/start" "$HKEY" '{}' >/dev/null
    printf '%s' "$sid"
}
SID=$(new_live_session)
# A sale holds at most 1,000,000 units, so the measured run spreads its orders
# over three fresh sales (3,000,000 units, enough for 15 s at 200,000 orders/s)
# and the warm-up uses a fourth: no order of the measured run may meet a sold-out
# sale, whose cheap 409s would flatter the rate (any non-2xx fails the target).
STOCK=1000000
new_sale() {
    post "/api/v1/sessions/$SID/flash-sales" "$KEY" \
        "{\"product_id\": \"bench-serum\", \"price\": 99.00, \"stock\": $STOCK, \"duration_minutes\": 60}" | jget '["id"]'
}
WARM_SALE=$(new_sale)
SALES="$(new_sale) $(new_sale) $(new_sale)"
CHECKOUT_KEY=$(post "/api/v1/sessions/$SID/checkout-keys" "$KEY" '{}' | jget '["api_key"]')
sale_paths() { # the order paths of the given sales, separated by spaces
    local out="" s
    for s in "$@"; do out="$out /api/v1/flash-sales/$s/orders"; done
    printf '%s' "${out# }"
}

HZ=$(getconf CLK_TCK)
server_ticks() { awk '{ print $14 + $15 }' "/proc/$SERVER_PID/stat"; }
rss_mb() { awk '/VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$SERVER_PID/status"; }
to_ms() { awk -v v="$1" 'BEGIN { n = v + 0; u = v; sub(/^[0-9.]+/, "", u); if (u == "us") n /= 1000; else if (u == "s") n *= 1000; printf "%.2f", n }'; }
warm_up() { # CONNS PATH [args]
    local conns=$1 path=$2; shift 2
    timeout $((WARMUP + 30)) wrk -t2 -c"$conns" -d"${WARMUP}s" --timeout 10s "$@" "$BASE$path" >/dev/null || true
}
measure() { # NAME CONNS PATH [args]
    local name=$1 conns=$2 path=$3; shift 3
    timeout $((DURATION + 30)) wrk -t2 -c"$conns" -d"${DURATION}s" --timeout 10s --latency "$@" "$BASE$path" | tee "$WORK/$name.txt" >&2
}
run_wrk() { # NAME CONNS PATH [args]
    local name=$1 conns=$2 path=$3; shift 3
    log "$name: ${WARMUP}s warm-up, ${DURATION}s at $conns connections"
    warm_up "$conns" "$path" "$@"
    measure "$name" "$conns" "$path" "$@"
}
rps() { awk '/^Requests\/sec:/ { print $2 }' "$WORK/$1.txt"; }
pct() { to_ms "$(awk -v p="$2" '$1 == p { print $2 }' "$WORK/$1.txt")"; }
total() { awk '/requests in/ { print $1 }' "$WORK/$1.txt"; }
non2xx() { local n; n=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$WORK/$1.txt"); echo "${n:-0}"; }
sockerr() { local n; n=$(awk '/Socket errors:/ { gsub(/,/, ""); print $4 + $6 + $8 + $10 }' "$WORK/$1.txt"); echo "${n:-0}"; }

run_wrk healthz 1000 /healthz
# Orders: the warm-up orders count too, so read the sold figure from the server afterwards.
log "orders: ${WARMUP}s warm-up on one sale, ${DURATION}s at 1000 connections over three others"
# shellcheck disable=SC2086 # word splitting of the sale lists is intended
BENCH_SALE_PATHS=$(sale_paths $WARM_SALE) BENCH_API_KEY="$CHECKOUT_KEY" warm_up 1000 "$(sale_paths $WARM_SALE)" -s "$BENCH_DIR/order.lua"
# shellcheck disable=SC2086
BENCH_SALE_PATHS=$(sale_paths $SALES) BENCH_API_KEY="$CHECKOUT_KEY" measure orders 1000 "$(sale_paths ${SALES%% *})" -s "$BENCH_DIR/order.lua"
# Every sale of the run (warm-up included): sold + remaining = stock, and the
# units the server says it sold are exactly the units stored.
SOLD=0; REMAINING=0; DB_ORDERS=0; ORDERS_OK=yes; MEASURED_SOLD=0; SALE_COUNT=0
for sale in $WARM_SALE $SALES; do
    STATE=$(curl -fsS -H "Authorization: Bearer $KEY" "$BASE/api/v1/flash-sales/$sale")
    s=$(printf '%s' "$STATE" | jget '["sold"]'); r=$(printf '%s' "$STATE" | jget '["remaining"]')
    d=$(python3 -c "import sqlite3,sys; c=sqlite3.connect('file:$DB?mode=ro', uri=True); print(c.execute('select coalesce(sum(quantity),0) from flash_sale_orders where flash_sale_id=?', (sys.argv[1],)).fetchone()[0])" "$sale")
    { [ "$s" = "$d" ] && [ $((s + r)) = "$STOCK" ]; } || ORDERS_OK=NO
    [ "$sale" = "$WARM_SALE" ] || MEASURED_SOLD=$((MEASURED_SOLD + s))
    SOLD=$((SOLD + s)); REMAINING=$((REMAINING + r)); DB_ORDERS=$((DB_ORDERS + d)); SALE_COUNT=$((SALE_COUNT + 1))
done
TOTAL_STOCK=$((SALE_COUNT * STOCK))
printf 'sold %s, remaining %s, orders in the database %s\n' "$SOLD" "$REMAINING" "$DB_ORDERS" >&2

log "ingestion: NDJSON batches of 10,000 events"
ISID=$(new_live_session)
python3 "$BENCH_DIR/live_tools.py" batch "$WORK/batch.ndjson" 10000 "$(date +%s%3N)" v
# Every event of the batch must count (none outside the session's live window).
ACCEPTED=$(curl -fsS -X POST "$BASE/api/v1/sessions/$ISID/events" -H "Authorization: Bearer $HKEY" \
    -H 'Content-Type: application/x-ndjson' --data-binary "@$WORK/batch.ndjson" | jget '["accepted"]')
[ "$ACCEPTED" = 10000 ] || { echo "the ingestion batch was not accepted whole: $ACCEPTED of 10000" >&2; exit 1; }
BENCH_EVENTS_FILE="$WORK/batch.ndjson" BENCH_EVENTS_PATH="/api/v1/sessions/$ISID/events" BENCH_API_KEY="$HKEY" \
    run_wrk ingest 4 "/api/v1/sessions/$ISID/events" -s "$BENCH_DIR/events.lua"

log "a session with 1,000,000 unique viewers"
MSID=$(new_live_session)
sleep 6 # the events below fall between the session's start and now
VIEW_START=$(( $(date +%s%3N) - 5500 ))
RSS0=$(rss_mb)
python3 "$BENCH_DIR/live_tools.py" viewers "$WORK/viewers.ndjson" 1000000 "$VIEW_START"
split -l 20000 "$WORK/viewers.ndjson" "$WORK/vpart."
for part in "$WORK"/vpart.*; do
    curl -fsS -o /dev/null -X POST "$BASE/api/v1/sessions/$MSID/events" -H "Authorization: Bearer $HKEY" \
        -H 'Content-Type: application/x-ndjson' --data-binary "@$part"
done
MET=$(curl -fsS -H "Authorization: Bearer $KEY" "$BASE/api/v1/sessions/$MSID/metrics")
UNIQUE=$(printf '%s' "$MET" | jget '["unique_viewers"]')
RSS1=$(rss_mb)
MEM_DELTA=$(awk -v a="$RSS0" -v b="$RSS1" 'BEGIN { printf "%.1f", b - a }')
printf 'unique viewers %s; RSS %s MB -> %s MB\n' "$UNIQUE" "$RSS0" "$RSS1" >&2

log "1,000 SSE subscribers for 20 s"
SSE_SECONDS=20
T0=$(server_ticks); W0=$(date +%s.%N)
SNAPS=$(python3 "$BENCH_DIR/live_tools.py" sse "$ADDR" "/api/v1/sessions/$SID/stream" "$KEY" 1000 "$SSE_SECONDS")
T1=$(server_ticks); W1=$(date +%s.%N)
SSE_CORES=$(awk -v t="$((T1 - T0))" -v hz="$HZ" -v a="$W0" -v b="$W1" 'BEGIN { printf "%.2f", t / hz / (b - a) }')

H=$(rps healthz); O=$(rps orders); I=$(rps ingest)
O_RATIO=$(awk -v a="$O" -v b="$H" 'BEGIN { printf "%.2f", a / b }')
EVENTS_S=$(awk -v r="$I" 'BEGIN { printf "%.0f", r * 10000 }')
yesno() { awk -v c="$1" 'BEGIN { print (c ? "yes" : "**no**") }'; }
BLOCK=$(cat <<MD
$MARK_START
## Live engine: flash-sale orders, event ingestion, memory, SSE fan-out

Generated by \`bench/live.sh\`; rerun the script to refresh this block.

- **Machine:** $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -h | awk '/Mem:/ { print $2 }') memory (server and load generator share it)
- **Date:** $(date -u '+%Y-%m-%d %H:%M:%S UTC'); **commit:** $(git -C "$ROOT" rev-parse --short HEAD)
- **Load:** wrk, 2 threads, ${WARMUP} s warm-up then ${DURATION} s measured, 127.0.0.1, release build, SQLite in WAL mode with synchronous=FULL

| scenario | result | p50 | p99 | ratio / figure | non-2xx | target | met? |
| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |
| GET /healthz, 1,000 connections | $(printf '%.0f' "$H") req/s | $(pct healthz 50%) ms | $(pct healthz 99%) ms | 1.00× | $(non2xx healthz) | ceiling | — |
| flash-sale orders, 1,000 connections | $(printf '%.0f' "$O") req/s | $(pct orders 50%) ms | $(pct orders 99%) ms | ${O_RATIO}× | $(non2xx orders) + $(sockerr orders) socket errors | ≥ 0.5× /healthz, every answer a 201 | $(yesno "$(awk -v r="$O_RATIO" -v n="$(non2xx orders)" -v e="$(sockerr orders)" 'BEGIN { print (r >= 0.5 && n == 0 && e == 0) }')") |
| oversell check ($SALE_COUNT sales of $STOCK units) | sold $SOLD + remaining $REMAINING = $TOTAL_STOCK | | | orders in the database: $DB_ORDERS ($MEASURED_SOLD in the measured run) | | sold = stored, no oversell | $ORDERS_OK |
| event ingestion, NDJSON batches of 10,000 | $(printf '%.1f' "$I") batches/s | $(pct ingest 50%) ms | $(pct ingest 99%) ms | $EVENTS_S events/s | $(non2xx ingest) | ≥ 1,000,000 events/s | $(yesno "$(awk -v e="$EVENTS_S" 'BEGIN { print (e >= 1000000) }')") |
| 1,000,000 unique viewers in one session | $UNIQUE unique viewers | | | RSS +$MEM_DELTA MB ($RSS0 → $RSS1 MB) | | ≤ 150 MB | $(yesno "$(awk -v m="$MEM_DELTA" 'BEGIN { print (m <= 150) }')") |
| 1,000 SSE subscribers, ${SSE_SECONDS} s | $SNAPS metrics events received | | | server CPU $SSE_CORES cores | | < 1 core, ≥ 1 snapshot/s to each ($((1000 * SSE_SECONDS)) events) | $(yesno "$(awk -v c="$SSE_CORES" -v n="$SNAPS" -v want="$((1000 * SSE_SECONDS))" 'BEGIN { print (c < 1 && n >= want) }')") |
$MARK_END
MD
)
if [ "${BENCH_NO_DOC:-0}" = 1 ]; then printf '%s\n' "$BLOCK"; exit 0; fi
python3 - "$DOC" "$MARK_START" "$MARK_END" <<PY
import sys
doc, start, end = sys.argv[1:4]
block = open("/dev/stdin").read() if False else """$BLOCK"""
try:
    text = open(doc).read()
except FileNotFoundError:
    text = "# Benchmarks\n"
if start in text and end in text:
    text = text[: text.index(start)] + block + text[text.index(end) + len(end):]
else:
    text = text.rstrip("\n") + "\n\n" + block + "\n"
open(doc, "w").write(text)
PY
printf '%s\n' "$BLOCK"
