#!/bin/bash
# bench/profile.sh WORKLOAD [SCALE] [SECONDS] — where the server's time
# goes under one workload: starts rapport on a copy of bench/data/SCALE
# (made by bench/run.sh), loads it with the workload's wrk script and
# records the server with `perf record` (DWARF call graphs) meanwhile;
# prints the hottest functions by self time and by inclusive time, and the
# wrk result. Output is kept in bench/out/profile-WORKLOAD-SCALE/.
#   WORKLOAD  get list page search_prefix search_cjk timeline create update mixed
#   SCALE     10000 (default), 100000, 1000000
#   SECONDS   5 (default)
# PERF_FREQ (default 499) sets the sampling rate; BENCH_BIN=path profiles that
# binary instead of build/rapport.
set -Eeuo pipefail
W=${1:?usage: bench/profile.sh WORKLOAD [SCALE] [SECONDS]}
SCALE=${2:-10000}
SECS=${3:-5}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH=$ROOT/bench
DATA=${BENCH_DATA:-$BENCH/data}
OUT=$BENCH/out/profile-$W-$SCALE
[ -f "$DATA/$SCALE/pristine.db" ] || { echo "no $DATA/$SCALE: run bench/run.sh first" >&2; exit 1; }
command -v perf > /dev/null || { echo "perf is missing: apt-get install linux-perf" >&2; exit 1; }
while read -r v; do unset "$v"; done < <(env | sed -n 's/^\(RAPPORT_[A-Z_]*\)=.*/\1/p')
mkdir -p "$OUT"
# shellcheck source=bench/tools/server.sh
. "$BENCH/tools/server.sh"
DB=$OUT/work.db
cp "$DATA/$SCALE/pristine.db" "$DB"
BIN=$OUT/rapport
cp "${BENCH_BIN:-$ROOT/build/rapport}" "$BIN"
PORT=$(bench_free_port)
PID=""
PERF=""
cleanup() {
	[ -n "$PERF" ] && kill -INT "$PERF" 2>/dev/null || true
	bench_stop "$PID"
	rm -rf "$DB" "$DB-wal" "$DB-shm" "$DB-imports"
}
trap cleanup EXIT
"$BIN" serve --db "$DB" --listen "127.0.0.1:$PORT" --quiet --threads "${BENCH_SERVER_THREADS:-4}" --rate-limit 0 \
	> "$OUT/server.log" 2>&1 &
PID=$!
bench_wait_up "$PORT" 300 || { echo "the server did not start: $(tail -3 "$OUT/server.log")" >&2; exit 1; }
bench_workload_env "$W" "$DATA/$SCALE"
CONNS=${CONNS:-32}
[ "$W" = mixed ] && CONNS=128
# one second of warm-up, then record while the load runs
timeout 30 wrk -t$(( CONNS < 2 ? 1 : 2 )) -c$CONNS -d1s -s "$BENCH/wrk/$SCRIPT" "http://127.0.0.1:$PORT" > /dev/null 2>&1 || true
perf record -q -F "${PERF_FREQ:-499}" --call-graph dwarf,16384 -p "$PID" -o "$OUT/perf.data" \
	-- sleep "$SECS" > /dev/null 2>&1 &
PERF=$!
timeout $((SECS + 30)) wrk -t$(( CONNS < 2 ? 1 : 2 )) -c$CONNS -d"${SECS}s" --timeout 10s -s "$BENCH/wrk/$SCRIPT" \
	"http://127.0.0.1:$PORT" > "$OUT/wrk.txt" 2>&1 || true
wait "$PERF" 2>/dev/null || true
PERF=""
grep '^BENCH_JSON' "$OUT/wrk.txt" | sed 's/^BENCH_JSON /wrk: /'
# (Debian's libsqlite3 and libmicrohttpd are stripped: their internal
# functions show as addresses; the per-library split still says how much.)
echo "== self time by library =="
perf report -i "$OUT/perf.data" --no-children --sort dso --stdio -g none 2>/dev/null |
	grep -E '^ +[0-9]' | head -12 | tee "$OUT/dso.txt" || true
echo "== self time by function (top 30) =="
perf report -i "$OUT/perf.data" --no-children --sort dso,symbol --stdio -g none 2>/dev/null |
	grep -E '^ +[0-9]' | head -30 | tee "$OUT/self.txt" || true
echo "== inclusive time by function (top 60; unresolved frames left out) =="
perf report -i "$OUT/perf.data" --children --sort symbol --stdio -g none 2>/dev/null |
	grep -E '^ +[0-9]' | grep -v '\] 0x0000' | head -60 | tee "$OUT/children.txt" || true
