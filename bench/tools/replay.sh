#!/bin/bash
# replay.sh DB FILE... — the storage ceiling: runs each FILE of SQL through
# its own sqlite3 shell on DB, all at once, output discarded; the shells'
# error messages are appended to FILE.err (a statement that fails, e.g. a
# write whose row is gone, still counts: the shell goes on to the next). hyperfine
# (or the caller) times the whole. The files hold the exact statements
# rapport ran (from the sqltrace shim), so the shell does the same storage
# work without HTTP, JSON, auth or ACL.
db=$1
shift
pids=()
for f in "$@"; do
	# the first shell to open the file may recover its log, holding a
	# lock the others would otherwise fail on ("database is locked")
	sqlite3 -batch -cmd ".timeout 10000" "$db" < "$f" > /dev/null 2>> "$f.err" &
	pids+=($!)
done
for p in "${pids[@]}"; do
	wait "$p" || true
done
exit 0
