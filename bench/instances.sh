#!/usr/bin/env bash
# Several instances on PostgreSQL, beside one instance on SQLite, in one run.
#
# Builds the release binary (or takes BENCH_BIN), installs PostgreSQL from
# Debian's packages if it is missing and starts a private cluster on a free
# loopback port as an unprivileged user (durable: fsync and synchronous_commit
# on, as SQLite runs with synchronous=FULL). Then, for each backend, seeds a
# fresh database with 100,000 generated hosts and measures:
#   1. flash-sale orders, 1,000 connections split evenly over the instances
#      (two on PostgreSQL, one on SQLite), every instance ordering from the
#      same three sales: target on PostgreSQL >= 10,000 orders/s combined,
#      every answer a 201, no unit oversold and every sold unit stored
#   2. host search over the 100,000 hosts, 64 connections, through the last
#      instance: target on PostgreSQL p99 <= 15 ms
#   3. event ingestion, NDJSON batches of 10,000 events, through the last
#      instance: target on PostgreSQL >= 300,000 events/s
# and rewrites the block between the bench:instances markers in
# docs/benchmarks.md. Only 127.0.0.1 is targeted; each load run is bounded.
#
# Knobs: BENCH_HOSTS [100000], BENCH_DURATION [15] s, BENCH_WARMUP [3] s,
# BENCH_INSTANCES [2] on PostgreSQL, BENCH_POOL [32] connections per instance,
# BENCH_KEEP=1, BENCH_NO_DOC=1, BENCH_BIN=path.
set -euo pipefail

HOSTS=${BENCH_HOSTS:-100000}
DURATION=${BENCH_DURATION:-15}
WARMUP=${BENCH_WARMUP:-3}
INSTANCES=${BENCH_INSTANCES:-2}
POOL=${BENCH_POOL:-32}
SEARCH_PATH='/api/v1/humans?skills=live_streaming&min_followers=20000&niche=beauty%20OR%20skincare&sort=avg_gmv&limit=20'
MARK_START='<!-- bench:instances:start -->'
MARK_END='<!-- bench:instances:end -->'
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
DOC="$ROOT/docs/benchmarks.md"
log() { printf '\n==> %s\n' "$*" >&2; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"
    elif command -v sudo >/dev/null 2>&1; then sudo "$@"
    else die "need root to run: $*"; fi
}
install_pkg() {
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y "$@" >/dev/null ||
        { as_root apt-get update >/dev/null; as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y "$@" >/dev/null; }
}
for tool in wrk curl python3; do
    command -v "$tool" >/dev/null 2>&1 || { log "installing $tool"; install_pkg "$tool"; }
done
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$pg_bin" ]; then
    log "installing postgresql"
    install_pkg postgresql
    pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi

cd "$ROOT"
if [ -n "${BENCH_BIN:-}" ]; then
    BIN=$BENCH_BIN
else
    log "building release (cargo build --release -p livehire-cli)"
    cargo build --release -p livehire-cli
    TARGET_DIR=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
    BIN="$TARGET_DIR/release/livehire"
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/livehire-instances.XXXXXX")
chmod 755 "$WORK"
PIDS=()
pg_as=()
stop_servers() {
    local p
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null || true; done
    PIDS=()
}
cleanup() {
    stop_servers
    [ -d "$WORK/pg" ] && "${pg_as[@]}" "$pg_bin/pg_ctl" -D "$WORK/pg/db" -m fast stop >/dev/null 2>&1 || true
    [ "${BENCH_KEEP:-0}" = 1 ] && printf 'bench: kept %s\n' "$WORK" >&2 || rm -rf "$WORK"
}
trap cleanup EXIT
ulimit -n 65536 2>/dev/null || true

# --- the PostgreSQL cluster, as an unprivileged user ----------------------------
if [ "$(id -u)" -eq 0 ]; then
    id livehire-bench >/dev/null 2>&1 || useradd --system --no-create-home livehire-bench
    pg_as=(runuser -u livehire-bench --)
fi
mkdir -p "$WORK/pg"
[ "$(id -u)" -eq 0 ] && chown livehire-bench "$WORK/pg"
PG_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"${pg_as[@]}" "$pg_bin/initdb" -D "$WORK/pg/db" -A trust -U postgres >/dev/null
"${pg_as[@]}" "$pg_bin/pg_ctl" -D "$WORK/pg/db" -l "$WORK/pg/log" -w -o \
    "-p $PG_PORT -k $WORK/pg -c listen_addresses=127.0.0.1 -c max_connections=200 -c shared_buffers=1GB" \
    start >/dev/null
PG_ADMIN="postgres://postgres@127.0.0.1:$PG_PORT/postgres"
psql_q() { "$pg_bin/psql" -X -q -t -A "$1" -c "$2"; }
psql_q "$PG_ADMIN" "CREATE DATABASE bench" >/dev/null
PG_URL="postgres://postgres@127.0.0.1:$PG_PORT/bench?max_connections=$POOL"
PG_PLAIN="postgres://postgres@127.0.0.1:$PG_PORT/bench"
SQLITE_DB="$WORK/one.db"

jget() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval('d' + sys.argv[1]))" "$1"; }
to_ms() { awk -v v="$1" 'BEGIN { n = v + 0; u = v; sub(/^[0-9.]+/, "", u); if (u == "us") n /= 1000; else if (u == "s") n *= 1000; printf "%.2f", n }'; }
rps() { awk '/^Requests\/sec:/ { print $2 }' "$WORK/$1.txt"; }
pct() { to_ms "$(awk -v p="$2" '$1 == p { print $2 }' "$WORK/$1.txt")"; }
non2xx() { local n; n=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$WORK/$1.txt"); echo "${n:-0}"; }
sockerr() { local n; n=$(awk '/Socket errors:/ { gsub(/,/, ""); print $4 + $6 + $8 + $10 }' "$WORK/$1.txt"); echo "${n:-0}"; }
ADMIN=bench-admin-token-0123456789

# start_servers URL N: N instances on URL; their base URLs in BASES.
start_servers() {
    local url=$1 n=$2 i addr log
    BASES=()
    for i in $(seq 1 "$n"); do
        log="$WORK/serve-$i-$RANDOM.log"
        NO_COLOR=1 LIVEHIRE_LOG=warn,livehire=info "$BIN" serve --addr 127.0.0.1:0 --database-url "$url" \
            --admin-token "$ADMIN" --open-registration \
            --rate-limit search=1000000/s,ingest=1000000/s,other=1000000/s >"$log" 2>&1 &
        PIDS+=($!)
        addr=""
        for _ in $(seq 1 600); do
            addr=$(sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -o 'addr=127\.0\.0\.1:[0-9]*' | head -n 1 | cut -d= -f2 || true)
            [ -n "$addr" ] && curl -fsS "http://$addr/readyz" >/dev/null 2>&1 && break
            sleep 0.1
        done
        [ -n "$addr" ] || { cat "$log" >&2; die "server $i did not start"; }
        BASES+=("http://$addr")
    done
}

# measure_backend LABEL URL N COUNT_SQL: fills R_<figure> for the label.
measure_backend() {
    local label=$1 url=$2 n=$3 count=$4
    log "$label: seeding $HOSTS hosts"
    "$BIN" seed --hosts "$HOSTS" --database-url "$url" >"$WORK/seed-$label.log" 2>&1 ||
        { cat "$WORK/seed-$label.log" >&2; die "seed failed"; }
    start_servers "$url" "$n"
    local base=${BASES[0]} last=${BASES[$((n - 1))]}
    post() { curl -fsS -X POST "$base$1" -H "Authorization: Bearer $2" -H 'Content-Type: application/json' --data-binary "$3"; }
    local key host hkey hid
    key=$(curl -fsS -X POST "$base/api/v1/agents/register" -H 'Content-Type: application/json' -d '{"name":"bench"}' | jget '["api_key"]')
    host=$(curl -fsS -X POST "$base/api/v1/humans/register" -H 'Content-Type: application/json' --data-binary "@$BENCH_DIR/host_profile.json")
    hkey=$(printf '%s' "$host" | jget '["api_key"]'); hid=$(printf '%s' "$host" | jget '["human_id"]')
    post "/api/v1/admin/humans/$hid/verification" "$ADMIN" '{"tiktok_shop_verified": true}' >/dev/null
    post /api/v1/wallet/deposits "$key" '{"amount": 1000000, "currency": "CNY"}' >/dev/null
    new_live_session() {
        local task tid sid
        task=$(post /api/v1/tasks "$key" "@$BENCH_DIR/task_body.json")
        tid=$(printf '%s' "$task" | jget '["id"]'); sid=$(printf '%s' "$task" | jget '["sessions"][0]["id"]')
        post "/api/v1/tasks/$tid/invitations" "$key" "{\"human_id\": \"$hid\"}" >/dev/null
        post "/api/v1/tasks/$tid/accept" "$hkey" '{}' >/dev/null
        post "/api/v1/sessions/$sid/start" "$hkey" '{}' >/dev/null
        printf '%s' "$sid"
    }
    local sid stock=1000000 warm sales ck paths warm_paths s
    sid=$(new_live_session)
    new_sale() {
        post "/api/v1/sessions/$sid/flash-sales" "$key" \
            "{\"product_id\": \"bench-serum\", \"price\": 99.00, \"stock\": $stock, \"duration_minutes\": 60}" | jget '["id"]'
    }
    warm=$(new_sale)
    sales="$(new_sale) $(new_sale) $(new_sale)"
    ck=$(post "/api/v1/sessions/$sid/checkout-keys" "$key" '{}' | jget '["api_key"]')
    warm_paths="/api/v1/flash-sales/$warm/orders"
    paths=""
    for s in $sales; do paths="$paths /api/v1/flash-sales/$s/orders"; done
    paths=${paths# }

    # Orders: one wrk per instance at once, 1,000 connections in all.
    local conns=$((1000 / n)) b i
    log "$label: orders, ${WARMUP}s warm-up then ${DURATION}s, $conns connections to each of $n instance(s)"
    i=0
    for b in "${BASES[@]}"; do
        BENCH_SALE_PATHS=$warm_paths BENCH_API_KEY=$ck timeout $((WARMUP + 30)) \
            wrk -t1 -c"$conns" -d"${WARMUP}s" --timeout 10s -s "$BENCH_DIR/order.lua" "$b$warm_paths" >/dev/null &
        WRK_PIDS+=($!)
        i=$((i + 1))
    done
    wait_wrk
    i=0
    for b in "${BASES[@]}"; do
        BENCH_SALE_PATHS=$paths BENCH_API_KEY=$ck timeout $((DURATION + 30)) \
            wrk -t1 -c"$conns" -d"${DURATION}s" --timeout 10s --latency -s "$BENCH_DIR/order.lua" "$b${paths%% *}" \
            >"$WORK/orders-$label-$i.txt" &
        WRK_PIDS+=($!)
        i=$((i + 1))
    done
    wait_wrk
    local total=0 non=0 errs=0 p99=0 f
    for f in $(seq 0 $((n - 1))); do
        cat "$WORK/orders-$label-$f.txt" >&2
        total=$(awk -v a="$total" -v b="$(rps "orders-$label-$f")" 'BEGIN { printf "%.0f", a + b }')
        non=$((non + $(non2xx "orders-$label-$f")))
        errs=$((errs + $(sockerr "orders-$label-$f")))
        p99=$(awk -v a="$p99" -v b="$(pct "orders-$label-$f" 99%)" 'BEGIN { print (b > a ? b : a) }')
    done
    # Every sale (warm-up included): sold + remaining = stock as each
    # instance tells it, and the units sold are the units stored.
    local ok=yes sold_all=0 stored_all=0 st sold rem stored
    for s in $warm $sales; do
        stored=$($count "$s")
        for b in "${BASES[@]}"; do
            st=$(curl -fsS -H "Authorization: Bearer $key" "$b/api/v1/flash-sales/$s")
            sold=$(printf '%s' "$st" | jget '["sold"]'); rem=$(printf '%s' "$st" | jget '["remaining"]')
            { [ "$sold" = "$stored" ] && [ $((sold + rem)) = "$stock" ]; } || ok=NO
        done
        sold_all=$((sold_all + sold)); stored_all=$((stored_all + stored))
    done
    eval "R_${label}_orders=$total R_${label}_orders_p99=$p99 R_${label}_orders_non=$non R_${label}_orders_err=$errs"
    eval "R_${label}_sold=$sold_all R_${label}_stored=$stored_all R_${label}_exact=$ok"

    log "$label: host search through the last instance"
    timeout $((WARMUP + 30)) wrk -t2 -c64 -d"${WARMUP}s" -H "Authorization: Bearer $key" "$last$SEARCH_PATH" >/dev/null || true
    timeout $((DURATION + 30)) wrk -t2 -c64 -d"${DURATION}s" --latency -H "Authorization: Bearer $key" "$last$SEARCH_PATH" \
        | tee "$WORK/search-$label.txt" >&2
    eval "R_${label}_search=$(rps "search-$label") R_${label}_search_p99=$(pct "search-$label" 99%) R_${label}_search_non=$(non2xx "search-$label")"

    log "$label: ingestion, NDJSON batches of 10,000 events, through the last instance"
    local isid accepted
    isid=$(new_live_session)
    python3 "$BENCH_DIR/live_tools.py" batch "$WORK/batch.ndjson" 10000 "$(date +%s%3N)" v
    accepted=$(curl -fsS -X POST "$last/api/v1/sessions/$isid/events" -H "Authorization: Bearer $hkey" \
        -H 'Content-Type: application/x-ndjson' --data-binary "@$WORK/batch.ndjson" | jget '["accepted"]')
    [ "$accepted" = 10000 ] || die "the ingestion batch was not accepted whole: $accepted of 10000"
    BENCH_EVENTS_FILE="$WORK/batch.ndjson" BENCH_EVENTS_PATH="/api/v1/sessions/$isid/events" BENCH_API_KEY="$hkey" \
        timeout $((WARMUP + 30)) wrk -t2 -c4 -d"${WARMUP}s" -s "$BENCH_DIR/events.lua" "$last/api/v1/sessions/$isid/events" >/dev/null || true
    BENCH_EVENTS_FILE="$WORK/batch.ndjson" BENCH_EVENTS_PATH="/api/v1/sessions/$isid/events" BENCH_API_KEY="$hkey" \
        timeout $((DURATION + 30)) wrk -t2 -c4 -d"${DURATION}s" --latency -s "$BENCH_DIR/events.lua" "$last/api/v1/sessions/$isid/events" \
        | tee "$WORK/ingest-$label.txt" >&2
    eval "R_${label}_events=$(awk -v r="$(rps "ingest-$label")" 'BEGIN { printf "%.0f", r * 10000 }') R_${label}_ingest_non=$(non2xx "ingest-$label")"
    stop_servers
}
# Waits for the load generators started since the last wait (not the servers).
WRK_PIDS=()
wait_wrk() { local j; for j in "${WRK_PIDS[@]}"; do wait "$j" || true; done; WRK_PIDS=(); }

count_sqlite() {
    python3 -c "import sqlite3,sys; c=sqlite3.connect('file:$SQLITE_DB?mode=ro', uri=True); print(c.execute('select coalesce(sum(quantity),0) from flash_sale_orders where flash_sale_id=?', (sys.argv[1],)).fetchone()[0])" "$1"
}
count_pg() {
    psql_q "$PG_PLAIN" "select coalesce(sum(quantity),0) from flash_sale_orders where flash_sale_id = '$1'"
}

measure_backend sqlite "sqlite://$SQLITE_DB" 1 count_sqlite
measure_backend pg "$PG_URL" "$INSTANCES" count_pg

yesno() { awk -v c="$1" 'BEGIN { print (c ? "yes" : "**no**") }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
PG_VERSION=$("$pg_bin/postgres" --version | awk '{ print $3 }')
ORDERS_OK=$(yesno "$(awk -v r="$R_pg_orders" -v n="$R_pg_orders_non" -v e="$R_pg_orders_err" -v x="$R_pg_exact" 'BEGIN { print (r >= 10000 && n == 0 && e == 0 && x == "yes") }')")
SEARCH_OK=$(yesno "$(awk -v p="$R_pg_search_p99" -v n="$R_pg_search_non" 'BEGIN { print (p <= 15 && n == 0) }')")
EVENTS_OK=$(yesno "$(awk -v e="$R_pg_events" -v n="$R_pg_ingest_non" 'BEGIN { print (e >= 300000 && n == 0) }')")
BLOCK=$(cat <<MD
$MARK_START
## Several instances on PostgreSQL, beside one on SQLite

Generated by \`bench/instances.sh\`; rerun the script to refresh this block.

- **Machine:** $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -h | awk '/Mem:/ { print $2 }') memory; the instances, PostgreSQL and wrk all share it
- **Date:** $(date -u '+%Y-%m-%d %H:%M:%S UTC'); **commit:** $(git -C "$ROOT" rev-parse --short HEAD)
- **Setup:** release build; $HOSTS generated hosts per database; PostgreSQL $PG_VERSION on a private cluster (fsync and synchronous_commit on), $INSTANCES instances with pools of $POOL connections; SQLite in WAL mode with synchronous=FULL, one instance; wrk, ${WARMUP} s warm-up then ${DURATION} s measured, 127.0.0.1
- **Orders:** 1,000 connections split evenly over the instances, every instance ordering from the same three sales of 1,000,000 units (one more sale for the warm-up); "exact" means every instance reports sold + remaining = stock for every sale, and sold = the units stored

| scenario | PostgreSQL, $INSTANCES instances | SQLite, 1 instance | PostgreSQL ÷ SQLite | target (PostgreSQL) | met? |
| --- | ---: | ---: | ---: | --- | --- |
| flash-sale orders/s (p99 of the slowest instance) | $R_pg_orders ($R_pg_orders_p99 ms) | $R_sqlite_orders ($R_sqlite_orders_p99 ms) | $(ratio "$R_pg_orders" "$R_sqlite_orders")× | ≥ 10,000/s, every answer a 201, exact | $ORDERS_OK |
| non-2xx + socket errors in the order runs | $R_pg_orders_non + $R_pg_orders_err | $R_sqlite_orders_non + $R_sqlite_orders_err | | 0 | |
| units sold, stored, exact | $R_pg_sold, $R_pg_stored, $R_pg_exact | $R_sqlite_sold, $R_sqlite_stored, $R_sqlite_exact | | | |
| host search over $HOSTS hosts, 64 connections: req/s (p99) | $(printf '%.0f' "$R_pg_search") ($R_pg_search_p99 ms) | $(printf '%.0f' "$R_sqlite_search") ($R_sqlite_search_p99 ms) | $(ratio "$R_pg_search" "$R_sqlite_search")× | p99 ≤ 15 ms | $SEARCH_OK |
| event ingestion, batches of 10,000: events/s | $R_pg_events | $R_sqlite_events | $(ratio "$R_pg_events" "$R_sqlite_events")× | ≥ 300,000/s | $EVENTS_OK |
$MARK_END
MD
)
if [ "${BENCH_NO_DOC:-0}" = 1 ]; then printf '%s\n' "$BLOCK"; exit 0; fi
BLOCK="$BLOCK" python3 - "$DOC" "$MARK_START" "$MARK_END" <<'PY'
import os, sys
doc, start, end = sys.argv[1:4]
block = os.environ["BLOCK"]
text = open(doc).read()
if start in text and end in text:
    text = text[: text.index(start)] + block + text[text.index(end) + len(end):]
else:
    text = text.rstrip("\n") + "\n\n" + block + "\n"
open(doc, "w").write(text)
PY
printf '%s\n' "$BLOCK"
