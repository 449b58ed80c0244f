#!/usr/bin/env bash
# Foundation benchmark for livehire.
#
# Builds the release binary, seeds a fresh SQLite database with 100,000
# generated hosts (timed), serves it on a free loopback port and measures with
# wrk (64 connections, 2 threads):
#   1. GET /healthz                       - the stack's ceiling on this machine
#   2. host search, three filters + sort  - target >= 0.30x /healthz, p99 <= 10 ms
#   3. task creation, the seed's body     - target >= 0.15x /healthz
# and rewrites the block between the bench:foundation markers in
# docs/benchmarks.md with the measured numbers.
#
# Only 127.0.0.1 is ever targeted; each load run is bounded in time.
#
# Environment knobs (defaults in brackets):
#   BENCH_HOSTS [100000]  BENCH_CONNECTIONS [64]  BENCH_THREADS [2]
#   BENCH_DURATION [15] seconds per measured run, BENCH_WARMUP [3] seconds before each
#   BENCH_KEEP=1  keep the temporary directory (database, logs) for inspection
#   BENCH_NO_DOC=1  print the block instead of writing docs/benchmarks.md
#   BENCH_BIN=path  measure that binary instead of building this checkout
set -euo pipefail

HOSTS=${BENCH_HOSTS:-100000}
CONNS=${BENCH_CONNECTIONS:-64}
THREADS=${BENCH_THREADS:-2}
DURATION=${BENCH_DURATION:-15}
WARMUP=${BENCH_WARMUP:-3}
SEARCH_PATH='/api/v1/humans?skills=live_streaming&min_followers=20000&niche=beauty%20OR%20skincare&sort=avg_gmv&limit=20'
SEARCH_TARGET_RATIO=0.30
SEARCH_TARGET_P99_MS=10
TASK_TARGET_RATIO=0.15
SEED_TARGET_S=20
MARK_START='<!-- bench:foundation:start -->'
MARK_END='<!-- bench:foundation:end -->'

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
DOC="$ROOT/docs/benchmarks.md"

log() { printf '\n==> %s\n' "$*" >&2; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

# --- tools -------------------------------------------------------------------
as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"
    elif command -v sudo >/dev/null 2>&1; then sudo "$@"
    else die "need root to run: $*"; fi
}
need_pkg() { # need_pkg COMMAND PACKAGE
    command -v "$1" >/dev/null 2>&1 && return 0
    log "installing $2"
    if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y "$2"; then
        as_root apt-get update
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y "$2"
    fi
    command -v "$1" >/dev/null 2>&1 || die "could not install $2"
}
need_pkg wrk wrk
need_pkg curl curl

# --- build -------------------------------------------------------------------
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
[ -x "$BIN" ] || die "no binary at $BIN"

# --- temp dir, cleanup ---------------------------------------------------------
WORK=$(mktemp -d "${TMPDIR:-/tmp}/livehire-bench.XXXXXX")
DB_URL="sqlite://$WORK/bench.db"
SERVER_PID=""
cleanup() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    if [ "${BENCH_KEEP:-0}" = 1 ]; then
        printf 'bench: kept %s (database %s)\n' "$WORK" "$WORK/bench.db" >&2
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

LOADAVG_START=$(cut -d' ' -f1-3 /proc/loadavg)

# --- seed (timed) ----------------------------------------------------------------
log "seeding $HOSTS hosts into a fresh database"
t0=$(date +%s.%N)
"$BIN" seed --hosts "$HOSTS" --database-url "$DB_URL" >"$WORK/seed.log" 2>&1 \
    || { cat "$WORK/seed.log" >&2; die "seed failed"; }
t1=$(date +%s.%N)
SEED_S=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
tail -n 1 "$WORK/seed.log" >&2
printf 'seed wall clock: %s s\n' "$SEED_S" >&2

# --- serve -----------------------------------------------------------------------
log "starting livehire serve on a free loopback port"
# Every layer is on with its defaults, except that one agent key drives the
# whole load, far above what one agent would send: search and other requests
# get limits the load cannot reach (still checked on every request).
NO_COLOR=1 "$BIN" serve --addr 127.0.0.1:0 --database-url "$DB_URL" \
    --rate-limit search=1000000/s,other=1000000/s >"$WORK/serve.log" 2>&1 &
SERVER_PID=$!
ADDR=""
for _ in $(seq 1 300); do
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/serve.log" >&2; die "server exited"; }
    ADDR=$(sed 's/\x1b\[[0-9;]*m//g' "$WORK/serve.log" \
        | grep -o 'addr=127\.0\.0\.1:[0-9]*' | head -n 1 | cut -d= -f2 || true)
    [ -n "$ADDR" ] && curl -fsS "http://$ADDR/healthz" >/dev/null 2>&1 && break
    sleep 0.1
done
[ -n "$ADDR" ] || { cat "$WORK/serve.log" >&2; die "server did not report its address"; }
curl -fsS "http://$ADDR/healthz" >/dev/null || die "/healthz not answering on $ADDR"
BASE="http://$ADDR"
case "$ADDR" in 127.0.0.1:*) ;; *) die "refusing to target $ADDR" ;; esac
printf 'server pid %s on %s\n' "$SERVER_PID" "$BASE" >&2

# --- agent key, sanity checks -------------------------------------------------
REG=$(curl -fsS -X POST "$BASE/api/v1/agents/register" \
    -H 'Content-Type: application/json' -d '{"name": "bench agent"}')
API_KEY=$(printf '%s' "$REG" | grep -o '"api_key" *: *"[^"]*"' | sed 's/.*"\([^"]*\)"$/\1/')
[ -n "$API_KEY" ] || die "no api_key in the register response: $REG"

code=$(curl -sS -o "$WORK/search.json" -w '%{http_code}' \
    -H "Authorization: Bearer $API_KEY" "$BASE$SEARCH_PATH")
[ "$code" = 200 ] || { cat "$WORK/search.json" >&2; die "search returned $code"; }
grep -q '"data" *: *\[ *{' "$WORK/search.json" \
    || { head -c 500 "$WORK/search.json" >&2; die "search returned no hosts"; }
SEARCH_HITS=$(grep -o '"human_id"' "$WORK/search.json" | wc -l)
printf 'search check: 200, %s hosts on the first page\n' "$SEARCH_HITS" >&2

code=$(curl -sS -o "$WORK/task.json" -w '%{http_code}' -X POST "$BASE/api/v1/tasks" \
    -H "Authorization: Bearer $API_KEY" -H 'Content-Type: application/json' \
    --data-binary "@$BENCH_DIR/task_body.json")
[ "$code" = 201 ] || { cat "$WORK/task.json" >&2; die "task creation returned $code"; }
printf 'task check: 201\n' >&2

# --- load runs -----------------------------------------------------------------------
# CPU accounting, so a run slowed by other work on this shared machine shows it.
HZ=$(getconf CLK_TCK)
server_ticks() { awk '{ print $14 + $15 }' "/proc/$SERVER_PID/stat"; }
# all CPU time spent in processes (user, nice, system) plus VM steal; and in irq/softirq
# (loopback TCP work, charged to no process)
machine_busy_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $9 }' /proc/stat; }
machine_irq_ticks() { awk '/^cpu / { print $7 + $8 }' /proc/stat; }
# Sets CHILD_SECS to the CPU seconds of this shell's reaped children (wrk among them).
# `times` only sees them in this shell, so this must not run inside $(...).
children_secs() {
    times >"$WORK/times.txt"
    CHILD_SECS=$(awk 'NR == 2 { t = 0; for (i = 1; i <= 2; i++) { split($i, a, "m"); t += a[1] * 60 + a[2] } printf "%.3f", t }' "$WORK/times.txt")
}

# run_wrk NAME PATH [wrk args...]: a warm-up, then a measured run saved to $WORK/NAME.txt,
# and its CPU split (server / wrk / irq+softirq / everything else, as % of the machine) to $WORK/NAME.cpu
run_wrk() {
    local name=$1 path=$2
    shift 2
    local url="$BASE$path"
    log "$name: ${WARMUP}s warm-up, then ${DURATION}s at $CONNS connections ($url)"
    timeout $((WARMUP + 30)) wrk -t"$THREADS" -c"$CONNS" -d"${WARMUP}s" --timeout 10s "$@" "$url" >/dev/null
    local s0 m0 i0 c0 t0 s1 m1 i1 c1 t1
    children_secs; c0=$CHILD_SECS; s0=$(server_ticks); m0=$(machine_busy_ticks); i0=$(machine_irq_ticks); t0=$(date +%s.%N)
    timeout $((DURATION + 30)) wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" --timeout 10s --latency "$@" "$url" \
        | tee "$WORK/$name.txt" >&2
    t1=$(date +%s.%N); s1=$(server_ticks); m1=$(machine_busy_ticks); i1=$(machine_irq_ticks); children_secs; c1=$CHILD_SECS
    awk -v s="$((s1 - s0))" -v m="$((m1 - m0))" -v irq="$((i1 - i0))" -v c0="$c0" -v c1="$c1" -v t0="$t0" -v t1="$t1" \
        -v hz="$HZ" -v n="$(nproc)" 'BEGIN {
            cap = (t1 - t0) * n; srv = s / hz; w = c1 - c0; other = m / hz - srv - w
            if (other < 0) other = 0
            printf "%.0f %.0f %.0f %.0f\n", 100 * srv / cap, 100 * w / cap, 100 * irq / hz / cap, 100 * other / cap }' >"$WORK/$name.cpu"
}

# wrk latency text (e.g. 812.00us, 1.53ms, 2.01s) -> milliseconds
to_ms() {
    awk -v v="$1" 'BEGIN {
        n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
        if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
        printf "%.3f", n }'
}
# parse NAME -> sets RPS P50 P99 NON2XX SOCKERR for $WORK/NAME.txt
parse() {
    local f="$WORK/$1.txt"
    RPS=$(awk '/^Requests\/sec:/ { print $2 }' "$f")
    P50=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$f")")
    P99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$f")")
    NON2XX=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$f")
    NON2XX=${NON2XX:-0}
    SOCKERR=$(awk '/Socket errors:/ { gsub(/,/, ""); print $4 + $6 + $8 + $10 }' "$f")
    SOCKERR=${SOCKERR:-0}
    [ -n "$RPS" ] || die "could not read Requests/sec from $f"
}

run_wrk healthz /healthz
run_wrk search "$SEARCH_PATH" -H "Authorization: Bearer $API_KEY"
BENCH_TASK_BODY="$BENCH_DIR/task_body.json" BENCH_API_KEY="$API_KEY" \
    run_wrk create_task /api/v1/tasks -s "$BENCH_DIR/create_task.lua"

LOADAVG_END=$(cut -d' ' -f1-3 /proc/loadavg)

# --- results -------------------------------------------------------------------------
fmt_ms() { awk -v v="$1" 'BEGIN { if (v < 1) printf "%.2f ms", v; else if (v < 100) printf "%.1f ms", v; else printf "%.0f ms", v }'; }
fmt_rps() { awk -v v="$1" 'BEGIN { printf "%.0f", v }' | sed ':a; s/\([0-9]\)\([0-9]\{3\}\)\($\|,\)/\1,\2\3/; ta'; }
errs_cell() { # non-2xx, socket errors
    if [ "$1" = 0 ] && [ "$2" = 0 ]; then echo 0
    else
        local s="**$1**"
        [ "$2" = 0 ] || s="$s + **$2 socket errors**"
        echo "$s ⚠"
    fi
}

parse healthz
H_RPS=$RPS
ROW_H="| GET /healthz | $(fmt_rps "$RPS") | $(fmt_ms "$P50") | $(fmt_ms "$P99") | 1.00× | $(errs_cell "$NON2XX" "$SOCKERR") | ceiling | — |"
H_ERR=$((NON2XX + SOCKERR))

parse search
S_RATIO=$(awk -v a="$RPS" -v b="$H_RPS" 'BEGIN { printf "%.2f", a / b }')
S_P99=$P99
S_OK=$(awk -v r="$S_RATIO" -v p="$P99" -v tr="$SEARCH_TARGET_RATIO" -v tp="$SEARCH_TARGET_P99_MS" -v e=$((NON2XX + SOCKERR)) \
    'BEGIN { print (r >= tr && p <= tp && e == 0) ? "yes" : "**no**" }')
ROW_S="| host search: 3 filters + sort | $(fmt_rps "$RPS") | $(fmt_ms "$P50") | $(fmt_ms "$P99") | ${S_RATIO}× | $(errs_cell "$NON2XX" "$SOCKERR") | ≥ ${SEARCH_TARGET_RATIO}×, p99 ≤ ${SEARCH_TARGET_P99_MS} ms | $S_OK |"

parse create_task
T_RATIO=$(awk -v a="$RPS" -v b="$H_RPS" 'BEGIN { printf "%.2f", a / b }')
T_OK=$(awk -v r="$T_RATIO" -v tr="$TASK_TARGET_RATIO" -v e=$((NON2XX + SOCKERR)) \
    'BEGIN { print (r >= tr && e == 0) ? "yes" : "**no**" }')
ROW_T="| POST /api/v1/tasks (seed body) | $(fmt_rps "$RPS") | $(fmt_ms "$P50") | $(fmt_ms "$P99") | ${T_RATIO}× | $(errs_cell "$NON2XX" "$SOCKERR") | ≥ ${TASK_TARGET_RATIO}× | $T_OK |"

# CPU split rows, and a warning when other processes took a noticeable share
OTHER_WARN_PCT=10
CPU_ROWS=""
BUSY=""
for pair in "healthz:GET /healthz" "search:host search" "create_task:POST /api/v1/tasks"; do
    n=${pair%%:*} label=${pair#*:}
    read -r c_srv c_wrk c_irq c_other <"$WORK/$n.cpu"
    CPU_ROWS="$CPU_ROWS
| $label | ${c_srv}% | ${c_wrk}% | ${c_irq}% | ${c_other}% |"
    [ "$c_other" -le "$OTHER_WARN_PCT" ] || BUSY="$BUSY $label (${c_other}%),"
done

SEED_OK=$(awk -v s="$SEED_S" -v t="$SEED_TARGET_S" 'BEGIN { print (s < t) ? "yes" : "**no**" }')

# --- machine -----------------------------------------------------------------------
CPU_MODEL=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
CPU_MODEL=${CPU_MODEL:-unknown}
MEM_TOTAL=$(free -h | awk '/^Mem:/ { print $2 }')
NPROC=$(nproc)
DATE=$(date -u '+%Y-%m-%d %H:%M:%S UTC')
COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git -C "$ROOT" status --porcelain --untracked-files=no -- crates Cargo.toml Cargo.lock 2>/dev/null)" ]; then
    COMMIT="$COMMIT (built with uncommitted changes under crates/)"
fi
WRK_VERSION=$(wrk --version 2>&1 | head -n 1 | awk '{ print $1, $2 }' || true)
HOST_COUNT=$(grep -o '^[0-9]* hosts in the database' "$WORK/seed.log" | awk '{ print $1 }' || true)

FLAGS=""
[ "$H_ERR" = 0 ] || FLAGS="$FLAGS /healthz"
grep -q '⚠' <<<"$ROW_S" && FLAGS="$FLAGS search"
grep -q '⚠' <<<"$ROW_T" && FLAGS="$FLAGS task-creation"

BLOCK=$(cat <<EOF
$MARK_START
## Foundation: /healthz, host search, task creation

Generated by \`bench/run.sh\`; do not edit this block by hand, rerun the script.

- **Machine:** $NPROC cores, $CPU_MODEL, $MEM_TOTAL memory (server and load generator share it; load average at start $LOADAVG_START, at end $LOADAVG_END)
- **Date:** $DATE
- **Commit:** $COMMIT
- **Data:** fresh SQLite database, ${HOST_COUNT:-?} hosts (\`livehire seed --hosts $HOSTS\`: the seed's 3 + $HOSTS generated)
- **Seed time:** ${SEED_S} s wall clock (target < ${SEED_TARGET_S} s: $SEED_OK)
- **Load:** $WRK_VERSION, $CONNS connections, $THREADS threads, ${WARMUP} s warm-up then ${DURATION} s measured per scenario, 127.0.0.1, release build
- **Search:** \`GET $SEARCH_PATH\` (skills, min_followers, niche expression; sorted by avg_gmv)
- **Task creation:** \`POST /api/v1/tasks\` with the skill's step-3 body (\`bench/task_body.json\`, years moved to 2027), one agent key

| scenario | req/s | p50 | p99 | ratio to /healthz | non-2xx | target | met? |
| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |
$ROW_H
$ROW_S
$ROW_T
EOF
)
BLOCK="$BLOCK

CPU during each measured run, as a share of all $(nproc) cores (server and load generator compete for them; a row can add up to more than 100%, as loopback softirq work done in a process's context counts in both its column and the irq one):

| scenario | livehire serve | wrk | kernel irq/softirq (loopback TCP) | other processes and VM steal |
| --- | ---: | ---: | ---: | ---: |${CPU_ROWS}"
if [ -n "$BUSY" ]; then
    BLOCK="$BLOCK

⚠ **Machine not quiet:** other processes used more than ${OTHER_WARN_PCT}% of the cores during:${BUSY%,}. Those rows understate livehire; rerun \`bench/run.sh\` on an idle machine."
fi
if [ -n "$FLAGS" ]; then
    BLOCK="$BLOCK

⚠ **Errors during the run:**$FLAGS: the numbers for those rows include failed requests (non-2xx responses or socket errors); see the non-2xx column."
fi
BLOCK="$BLOCK
$MARK_END"

# --- write the doc ------------------------------------------------------------------
if [ "${BENCH_NO_DOC:-0}" = 1 ]; then
    printf '%s\n' "$BLOCK"
    exit 0
fi
mkdir -p "$(dirname "$DOC")"
if [ ! -f "$DOC" ]; then
    cat >"$DOC" <<'EOF'
# Benchmarks

Measured numbers for livehire, each block written by the script named in it
(rerun the script to refresh its block; text outside the marked blocks is kept).
Load comes from a standard HTTP load tool on the same machine as the server,
against 127.0.0.1, so the figures are relative to this machine: read the
"ratio to /healthz" column as the portable one.

EOF
fi
BLOCK_FILE="$WORK/block.md"
printf '%s\n' "$BLOCK" >"$BLOCK_FILE"
if grep -qF "$MARK_START" "$DOC"; then
    grep -qF "$MARK_END" "$DOC" || die "$DOC has $MARK_START but no $MARK_END"
    awk -v s="$MARK_START" -v e="$MARK_END" -v bf="$BLOCK_FILE" '
        $0 == s { while ((getline line < bf) > 0) print line; skip = 1; next }
        $0 == e { skip = 0; next }
        !skip { print }' "$DOC" >"$WORK/doc.new"
    cat "$WORK/doc.new" >"$DOC"
else
    { [ -s "$DOC" ] && [ -n "$(tail -c 1 "$DOC")" ] && echo; cat "$BLOCK_FILE"; } >>"$DOC"
fi
log "wrote $DOC"
printf '%s\n' "$BLOCK"
