#!/bin/bash
# bench/tools/cost.sh BIN WORKLOAD [SECONDS] [SCALE] — what one request of
# a workload costs the server: starts BIN on a copy of bench/data/SCALE
# (made by bench/run.sh), loads it with the workload's wrk script after a
# second of warm-up, and prints requests/s, p50, p99, the server's CPU per
# request (from /proc), the bytes it had written to disk per request, and
# for writes the group commit's mean batch and round (from /metrics).
# Run two binaries alternately to compare them on a noisy machine.
#   WORKLOAD  get list page search_prefix search_cjk timeline create update delete
#   SECONDS   5 (default); SCALE 10000 (default)
# THREADS (default 4) is the server's --threads, CONNS (default 32) wrk's
# connections. BEFORE="WORKLOAD SECONDS" runs that workload first (reads
# after writes, as in bench/run.sh, whose SQL recording writes too).
set -Eeuo pipefail
BIN=${1:?usage: bench/tools/cost.sh BIN WORKLOAD [SECONDS] [SCALE]}
W=${2:?usage: bench/tools/cost.sh BIN WORKLOAD [SECONDS] [SCALE]}
SECS=${3:-5}
SCALE=${4:-10000}
WRK_THREADS=$(( ${CONNS:-32} < 2 ? 1 : 2 ))
BENCH=$(cd "$(dirname "$0")/.." && pwd)
DATA=${BENCH_DATA:-$BENCH/data}
[ -f "$DATA/$SCALE/pristine.db" ] || { echo "no $DATA/$SCALE: run bench/run.sh prepare first" >&2; exit 1; }
# shellcheck source=bench/tools/server.sh
. "$BENCH/tools/server.sh"
T=$(mktemp -d)
PID=""
cleanup() {
	bench_stop "$PID"
	rm -rf "$T"
}
trap cleanup EXIT
cp "$DATA/$SCALE/pristine.db" "$T/db"
PORT=$(bench_free_port)
"$BIN" serve --db "$T/db" --listen "127.0.0.1:$PORT" --quiet --threads "${THREADS:-4}" \
	--rate-limit 0 > "$T/log" 2>&1 &
PID=$!
bench_wait_up "$PORT" 100 || { echo "the server did not start: $(tail -3 "$T/log")" >&2; exit 1; }
if [ -n "${BEFORE:-}" ]; then
	read -r bw bsecs <<< "$BEFORE"
	bench_workload_env "$bw" "$DATA/$SCALE"
	timeout $((bsecs + 30)) wrk -t2 -c32 -d"${bsecs}s" -s "$BENCH/wrk/$SCRIPT" "http://127.0.0.1:$PORT" > /dev/null 2>&1 || true
fi
bench_workload_env "$W" "$DATA/$SCALE"
snapshot() {
	local cpu io commits
	cpu=$(awk '{print $14 + $15}' "/proc/$PID/stat")
	io=$(awk '/^write_bytes/ {print $2}' "/proc/$PID/io")
	commits=$(curl -s -H "Authorization: Bearer $BENCH_TOKEN" "http://127.0.0.1:$PORT/metrics" |
		awk '/^rapport_store_commit_(batches|writes)_total/ {printf "%s ", $2}')
	echo "$cpu $io $commits"
}
timeout 30 wrk -t"$WRK_THREADS" -c"${CONNS:-32}" -d1s -s "$BENCH/wrk/$SCRIPT" "http://127.0.0.1:$PORT" > /dev/null 2>&1 || true
before=$(snapshot)
timeout $((SECS + 30)) wrk -t"$WRK_THREADS" -c"${CONNS:-32}" -d"${SECS}s" --timeout 10s -s "$BENCH/wrk/$SCRIPT" \
	"http://127.0.0.1:$PORT" > "$T/wrk.txt" 2>&1 || true
after=$(snapshot)
python3 - "$(basename "$BIN")" "$W" "$SECS" "$(getconf CLK_TCK)" "$before" "$after" "$T/wrk.txt" <<'EOF'
import json, sys
name, w, secs, tck, before, after, wrk = sys.argv[1:]
line = next((l for l in open(wrk) if l.startswith("BENCH_JSON ")), None)
if not line:
    sys.exit("wrk printed no result: " + open(wrk).read()[-300:])
r = json.loads(line[len("BENCH_JSON "):])
b = [float(x) for x in before.split()]
a = [float(x) for x in after.split()]
n = max(r["requests"], 1)
out = "%s %s: %.0f req/s, p50 %.2f ms, p99 %.2f ms, server CPU %.3f ms/request, %.1f KB written/request" % (
    name, w, r["rps"], r["p50_ms"], r["p99_ms"], (a[0] - b[0]) / float(tck) * 1000 / n,
    (a[1] - b[1]) / 1024 / n)
if w in ("create", "update", "delete", "mixed") and len(a) >= 4 and a[2] > b[2]:
    batches, writes = a[2] - b[2], a[3] - b[3]
    out += ", %.1f writes/batch, a round every %.2f ms" % (writes / batches, float(secs) * 1000 / batches)
print(out)
EOF
