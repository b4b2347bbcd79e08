#!/usr/bin/env bash
# soak.sh — the reliability soak (`make soak`): the mixed workload
# (bench/wrk/mixed.lua: 80 % reads, 20 % creates and updates) at full
# speed against a copy of the 10k demo database for SOAK_SECONDS (600),
# in slices of SOAK_SLICE seconds (30). After each slice it samples the
# server's RSS and open descriptors. It fails on any error response or
# socket error, on RSS growing past the noise after the first two
# minutes (more than 10 % and 8 MiB), and on descriptors leaking (more
# than 16 over the count after warm-up). Writes bench/out/soak-<stamp>.json
# and prints a table.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH=$ROOT/bench
BIN=${RAPPORT_BIN:-$ROOT/build/rapport}
SECONDS_TOTAL=${SOAK_SECONDS:-600}
SLICE=${SOAK_SLICE:-30}
CONNS=${SOAK_CONNS:-64}
DATA=${BENCH_DATA:-$BENCH/data}

BENCH_SCALES=10000 "$BENCH/run.sh" prepare > /dev/null
dir=$DATA/10000
# shellcheck disable=SC1091
. "$dir/meta.env"
work=$(mktemp -d)
db=$work/soak.db
cp --reflink=auto "$dir/pristine.db" "$db"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$BIN" serve --db "$db" --listen "127.0.0.1:$port" --quiet --rate-limit 0 > "$work/server.log" 2>&1 &
pid=$!
cleanup() {
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
for _ in $(seq 1 200); do
	curl -sf -o /dev/null "http://127.0.0.1:$port/healthz" && break
	sleep 0.05
done

export BENCH_WRK_DIR=$BENCH/wrk BENCH_TOKEN BENCH_CONTACTS=$CONTACTS BENCH_ACCOUNTS=$ACCOUNTS \
	BENCH_BIG=$BIG BENCH_THREADS=2 BENCH_NAME=soak
BENCH_TOKEN=$(cat "$dir/token")
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$pid/status"; }
fds() { find "/proc/$pid/fd" -mindepth 1 -maxdepth 1 | wc -l; }

samples=$work/samples.txt
: > "$samples"
printf '%6s %10s %9s %6s %8s\n' "t(s)" "requests/s" "RSS(KiB)" "fds" "errors"
elapsed=0
while [ "$elapsed" -lt "$SECONDS_TOTAL" ]; do
	out=$work/wrk.txt
	wrk -t2 -c"$CONNS" -d"${SLICE}s" --timeout 10s -s "$BENCH/wrk/mixed.lua" \
		"http://127.0.0.1:$port" > "$out" 2>&1 || { cat "$out"; exit 1; }
	elapsed=$((elapsed + SLICE))
	rps=$(awk '/^Requests\/sec/ {print $2}' "$out")
	errs=$(awk '/Non-2xx or 3xx responses/ {n += $NF} /Socket errors/ {gsub(",", ""); n += $4 + $6 + $8 + $10} END {print n + 0}' "$out")
	kill -0 "$pid" 2>/dev/null || { echo "soak: the server died"; tail -20 "$work/server.log"; exit 1; }
	printf '%6d %10s %9d %6d %8d\n' "$elapsed" "$rps" "$(rss_kb)" "$(fds)" "$errs"
	echo "$elapsed $rps $(rss_kb) $(fds) $errs" >> "$samples"
done

mkdir -p "$BENCH/out"
report=$BENCH/out/soak-$(date -u +%Y%m%dT%H%M%SZ).json
python3 - "$samples" "$report" "$SECONDS_TOTAL" <<'PY'
import json, sys
rows = [list(map(float, l.split())) for l in open(sys.argv[1]) if l.strip()]
warm = [r for r in rows if r[0] >= 120] or rows
base_rss, base_fd = warm[0][2], warm[0][3]
end_rss, end_fd = rows[-1][2], rows[-1][3]
errors = int(sum(r[4] for r in rows))
growth = end_rss - base_rss
ok_rss = growth <= max(0.10 * base_rss, 8192)
ok_fd = end_fd <= base_fd + 16
result = {"seconds": int(sys.argv[3]), "errors": errors, "rss_after_warmup_kb": base_rss,
          "rss_end_kb": end_rss, "rss_max_kb": max(r[2] for r in rows), "fds_after_warmup": base_fd,
          "fds_end": end_fd, "requests_per_s_mean": sum(r[1] for r in rows) / len(rows),
          "samples": rows, "ok": errors == 0 and ok_rss and ok_fd}
json.dump(result, open(sys.argv[2], "w"), indent=1)
print(f"soak: {errors} errors; RSS {base_rss:.0f} -> {end_rss:.0f} KiB after warm-up; "
      f"fds {base_fd:.0f} -> {end_fd:.0f}; {result['requests_per_s_mean']:.0f} requests/s on average")
sys.exit(0 if result["ok"] else 1)
PY
