# shellcheck shell=bash
# bench/tools/server.sh — sourced by the benchmark scripts (run.sh for
# its ports; profile.sh, tools/cost.sh, tools/instructions.sh, which run
# one server themselves): a free port, waiting for a server, stopping it,
# and the environment of a workload's wrk script. Expects BENCH (the
# bench/ directory) to be set.

# A port nothing listens on, below the kernel's range for the local ports
# of outgoing connections: a port in that range may be a client socket's
# own, and a server's bind() on it fails (nginx's did, ending a full run).
bench_free_port() {
	local low p
	low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
	[ "${low:-0}" -gt 12000 ] 2>/dev/null || low=32768
	for _ in $(seq 1 200); do
		p=$((10000 + RANDOM % (low - 10000)))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

# Waits until the server on $1 answers /healthz, at most $2 tries 0.1 s
# apart; returns 1 if it never did.
bench_wait_up() {
	local port=$1 tries=$2
	for _ in $(seq 1 "$tries"); do
		curl -sf -o /dev/null --max-time 2 "http://127.0.0.1:$port/healthz" && return 0
		sleep 0.1
	done
	return 1
}

# Stops the server $1 (SIGTERM, then SIGKILL after $2 seconds, default 5)
# and waits for it.
bench_stop() {
	local pid=$1 grace=${2:-5}
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null || true
	for _ in $(seq 1 $((grace * 10))); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

# Sets SCRIPT (the wrk script of workload $1) and exports what the
# scripts read, for the database in directory $2 (its meta.env and token).
bench_workload_env() {
	local w=$1 dir=$2 terms=""
	# shellcheck disable=SC1091
	. "$dir/meta.env"
	# shellcheck disable=SC2034 # read by the caller
	case $w in
	search_prefix) SCRIPT=search.lua terms=prefix ;;
	search_cjk) SCRIPT=search.lua terms=cjk ;;
	*) SCRIPT=$w.lua ;;
	esac
	BENCH_TOKEN=$(cat "$dir/token")
	export BENCH_WRK_DIR=$BENCH/wrk BENCH_TOKEN BENCH_CONTACTS=$CONTACTS \
		BENCH_ACCOUNTS=$ACCOUNTS BENCH_BIG=$BIG BENCH_THREADS=2 BENCH_NAME=$w \
		BENCH_TERMS=$terms BENCH_PAGES=50 BENCH_LO=1 BENCH_HI=$CONTACTS
}
