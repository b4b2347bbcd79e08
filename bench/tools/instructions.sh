#!/bin/bash
# bench/tools/instructions.sh BIN PATH [N] — the server's instructions per
# request for one GET, under callgrind: a count that does not move with
# the machine's load, for comparing two builds when wall-clock figures are
# noise. Serves a copy of bench/data/10000 (made by bench/run.sh), sends N
# and then 2N requests (default 100) with curl, one connection each, and
# prints the difference divided by N, so start-up and shutdown cancel out.
# Example: bench/tools/instructions.sh build/rapport '/api/v1/contacts/5'
set -Eeuo pipefail
BIN=${1:?usage: bench/tools/instructions.sh BIN PATH [N]}
URLPATH=${2:?usage: bench/tools/instructions.sh BIN PATH [N]}
N=${3:-100}
BENCH=$(cd "$(dirname "$0")/.." && pwd)
DATA=${BENCH_DATA:-$BENCH/data}/10000
[ -f "$DATA/pristine.db" ] || { echo "no $DATA: run bench/run.sh prepare first" >&2; exit 1; }
command -v valgrind > /dev/null || { echo "valgrind is missing: apt-get install valgrind" >&2; exit 1; }
TOKEN=$(cat "$DATA/token")
# shellcheck source=bench/tools/server.sh
. "$BENCH/tools/server.sh"
T=$(mktemp -d)
PID=""
cleanup() {
	bench_stop "$PID" 60 # callgrind writes its profile on the way out
	rm -rf "$T"
}
trap cleanup EXIT

# Prints the instructions of a server that answered $1 requests.
run() {
	cp "$DATA/pristine.db" "$T/db"
	rm -f "$T"/db-wal "$T"/db-shm "$T"/cg.*
	local port
	port=$(bench_free_port)
	valgrind --tool=callgrind --callgrind-out-file="$T/cg.%p" "$BIN" serve --db "$T/db" \
		--listen "127.0.0.1:$port" --quiet --threads 2 --rate-limit 0 > /dev/null 2>&1 &
	PID=$!
	bench_wait_up "$port" 1200 || { echo "the server did not start under callgrind" >&2; exit 1; }
	for _ in $(seq 1 "$1"); do
		curl -sf -o /dev/null -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$port$URLPATH" ||
			{ echo "GET $URLPATH failed" >&2; exit 1; }
	done
	bench_stop "$PID" 60
	PID=""
	awk '/^summary:/ {s += $2} END {print s}' "$T"/cg.*
}
once=$(run "$N")
twice=$(run $((2 * N)))
echo "$(basename "$BIN") $URLPATH: $(((twice - once) / N)) instructions/request"
