#!/bin/bash
# start-stop.sh BIN DB PORT — one timed start for hyperfine: starts
# `rapport serve`, polls GET /healthz every millisecond (bash's /dev/tcp,
# no curl to fork) until it answers 200, then kills the server (SIGKILL:
# the time to stop is not part of the start). Gives up after 10 s.
BIN=$1 DB=$2 PORT=$3
"$BIN" serve --db "$DB" --listen "127.0.0.1:$PORT" --quiet --threads 4 2>/dev/null &
pid=$!
ok=1
for _ in $(seq 1 5000); do
	if { exec 3<>"/dev/tcp/127.0.0.1/$PORT"; } 2>/dev/null; then
		printf 'GET /healthz HTTP/1.0\r\n\r\n' >&3
		line=""
		read -r -t 2 line <&3
		exec 3<&-
		case $line in *" 200 "*) ok=0; break ;; esac
	fi
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.001
done
kill -KILL "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
exit $ok
