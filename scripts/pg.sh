#!/usr/bin/env bash
# pg.sh — a throwaway PostgreSQL (Debian's package, 15 preferred) for the
# tests: a cluster in a temporary folder, run by an unprivileged user,
# listening on a loopback port and a socket in that folder.
#
#   scripts/pg.sh start [DIR [PORT]]  initdb + start; prints the URL of the
#                                     database "rapport" (DIR: a new temp
#                                     folder, PORT: a free one)
#   scripts/pg.sh createdb DIR NAME [TEMPLATE]
#                                     a new database (empty, or a copy of
#                                     TEMPLATE); prints its URL
#   scripts/pg.sh url DIR             the URL of the database "rapport"
#   scripts/pg.sh replica PRIMARY [DIR]
#                                     a streaming replica of the cluster
#                                     in PRIMARY (a base backup, then
#                                     started as a hot standby); prints the
#                                     URL of its database "rapport"
#   scripts/pg.sh sql DIR NAME SQL    runs SQL in database NAME, prints rows
#   scripts/pg.sh stop DIR            stops the server and removes DIR
#
# As root the cluster belongs to the package's "postgres" user (initdb
# refuses to run as root); otherwise to the caller. Connections from
# loopback are trusted: it is a test server, never a real one.
set -eu

bindir() {
	local d
	for d in /usr/lib/postgresql/15/bin $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -rV); do
		[ -x "$d/initdb" ] && { echo "$d"; return; }
	done
	echo "pg.sh: no PostgreSQL server found (apt-get install postgresql postgresql-contrib)" >&2
	exit 1
}

# Runs a command as the cluster's owner.
as_owner() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

url() { # DIR [NAME]
	echo "postgres://rapport@127.0.0.1:$(cat "$1/port")/${2:-rapport}"
}

# Makes DIR (or a new temp folder) owned by the cluster's user and picks
# its port; prints DIR.
prepare() { # DIR PORT
	local dir=${1:-} port=${2:-}
	[ -n "$dir" ] || dir=$(mktemp -d /tmp/rapport-pg.XXXXXX)
	[ -n "$port" ] || port=$(free_port)
	mkdir -p "$dir"
	[ "$(id -u)" = 0 ] && chown postgres: "$dir"
	echo "$port" >"$dir/port.tmp"
	mv "$dir/port.tmp" "$dir/port"
	[ "$(id -u)" = 0 ] && chown postgres: "$dir/port"
	echo "$dir"
}

run_server() { # DIR
	local dir=$1
	as_owner "$(bindir)/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
		-o "-k $dir -p $(cat "$dir/port") -c listen_addresses=127.0.0.1 -c max_connections=200" \
		start >/dev/null 2>"$dir/pg_ctl.err" ||
		{ cat "$dir/pg_ctl.err" "$dir/server.log" >&2; exit 1; }
}

start() {
	local dir bin
	dir=$(prepare "${1:-}" "${2:-}")
	bin=$(bindir)
	if [ ! -f "$dir/data/PG_VERSION" ]; then
		# byte order for text (as SQLite compares), Unicode case rules
		# for lower() and pg_trgm
		as_owner "$bin/initdb" -D "$dir/data" -U rapport -A trust -E UTF8 \
			--lc-collate=C --lc-ctype=C.UTF-8 --no-instructions >"$dir/initdb.log" 2>&1 ||
			{ cat "$dir/initdb.log" >&2; exit 1; }
	fi
	run_server "$dir"
	as_owner "$bin/createdb" -h "$dir" -p "$(cat "$dir/port")" -U rapport rapport 2>/dev/null || true
	url "$dir"
}

# The tests' clusters allow replication from loopback (initdb's trust
# lines); -R writes the standby's connection to the primary.
replica() { # PRIMARY [DIR]
	local primary=$1 dir
	dir=$(prepare "${2:-}" "")
	as_owner "$(bindir)/pg_basebackup" -h "$primary" -p "$(cat "$primary/port")" -U rapport \
		-D "$dir/data" -R -X stream -c fast >"$dir/basebackup.log" 2>&1 ||
		{ cat "$dir/basebackup.log" >&2; exit 1; }
	run_server "$dir"
	url "$dir"
}

sql() { # DIR NAME SQL
	PGOPTIONS='-c client_min_messages=warning' as_owner "$(bindir)/psql" -h "$1" -p "$(cat "$1/port")" -U rapport -d "$2" -X -A -t -q \
		-v ON_ERROR_STOP=1 -c "$3"
}

createdb_() { # DIR NAME [TEMPLATE] (an existing database is kept)
	local out
	out=$(as_owner "$(bindir)/createdb" -h "$1" -p "$(cat "$1/port")" -U rapport \
		${3:+-T "$3"} "$2" 2>&1) ||
		echo "$out" | grep -q "already exists" || { echo "$out" >&2; exit 1; }
	url "$1" "$2"
}

stop() {
	local dir=$1
	[ -d "$dir/data" ] && as_owner "$(bindir)/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
	rm -rf "$dir"
}

case "${1:-}" in
start) shift; start "$@" ;;
createdb) createdb_ "$2" "$3" "${4:-}" ;;
url) url "$2" ;;
replica) shift; replica "$@" ;;
sql) sql "$2" "$3" "$4" ;;
stop) stop "$2" ;;
*) sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
