#!/usr/bin/env bash
# test.sh [unit|unit-pg|api|api-pg|e2e|e2e-pg|tsan|valgrind|fuzz|all] — runs the C
# unit tests (plain and ASan+UBSan), each fuzz target over its seed corpus,
# the black-box API tests against build/rapport, build/rapport-asan and
# build/rapport-tsan, the browser tests, the store's unit tests, the API
# tests and the browser tests again on a throwaway PostgreSQL
# (scripts/pg.sh), and the layering check; ends with the line "N passed,
# N failed".
set -u
cd "$(dirname "$0")/.."
what=${1:-all}
pass=0
fail=0
log=$(mktemp -d)

count_cmocka() { # file
	local p f
	p=$(grep -Eo '^\[  PASSED  \] [0-9]+' "$1" | grep -Eo '[0-9]+$' | awk '{s+=$1} END {print s+0}')
	f=$(grep -Eo '^\[  FAILED  \] [0-9]+' "$1" | grep -Eo '[0-9]+$' | awk '{s+=$1} END {print s+0}')
	pass=$((pass + ${p:-0}))
	fail=$((fail + ${f:-0}))
}

run_unit() { # dir label
	for t in "$1"/test_*; do
		[ -x "$t" ] || continue
		local out="$log/$(basename "$t").$2"
		if ! "$t" >"$out" 2>&1; then
			grep -q 'FAILED' "$out" || fail=$((fail + 1))
			echo "--- $2 $(basename "$t") failed:"; tail -n 30 "$out"
		fi
		count_cmocka "$out"
	done
}

# Runs a node --test command with the TAP reporter and counts its results.
run_tap() { # label command...
	local label=$1 out="$log/tap.$1"
	shift
	"$@" >"$out" 2>&1
	local p f
	p=$(grep -E '^# pass [0-9]+' "$out" | grep -Eo '[0-9]+$')
	f=$(grep -E '^# fail [0-9]+' "$out" | grep -Eo '[0-9]+$')
	pass=$((pass + ${p:-0}))
	fail=$((fail + ${f:-0}))
	if [ "${f:-0}" != 0 ] || [ -z "$p" ]; then
		[ -z "$p" ] && fail=$((fail + 1))
		echo "--- $label failures:"
		grep -E -B2 -A25 '^not ok|^    not ok|^        not ok' "$out" | head -n 300
		[ -z "$p" ] && tail -n 30 "$out"
	fi
}

run_api() { # binary label
	RAPPORT_BIN="$1" run_tap "API tests ($2)" node --test --test-reporter=tap \
		--test-concurrency=2 tests/api/
}

# `make valgrind`: the API tests against build/rapport-vg with every
# server and CLI command under $RAPPORT_WRAP (memcheck; tests/api/lib/
# server.mjs fails a file on a report and keeps each whole report in
# build/valgrind/). Two files at a time: memcheck runs a process's threads
# one at a time, so each file takes about one core.
run_valgrind() {
	local files=() f
	for f in tests/api/*.test.mjs; do
		case $(basename "$f") in
		# kills the server with SIGKILL at random moments: a killed process
		# leaves no valgrind report, and the rounds are sized for full speed
		crash.test.mjs) continue ;;
		# 1,000 slow connections at once and time limits of a few seconds
		# (idle time-out, rate per second): it measures the server's speed,
		# which memcheck divides by 20-50
		limits.test.mjs) continue ;;
		# imports of 40,000 rows timed against clock jumps, under
		# libfaketime's LD_PRELOAD, which the wrapper would take too
		jobs.test.mjs) continue ;;
		esac
		files+=("$f")
	done
	rm -rf build/valgrind
	RAPPORT_BIN="$PWD/build/rapport-vg" run_tap "API tests (valgrind)" \
		node --test --test-reporter=tap --test-concurrency=2 "${files[@]}"
	if [ -n "$(ls -A build/valgrind 2>/dev/null)" ]; then
		echo "--- valgrind reports:"; ls build/valgrind | sed 's/^/  build\/valgrind\//'
	fi
}

# The store's unit tests again on a throwaway PostgreSQL (scripts/pg.sh).
run_unit_pg() { # dir label
	local pgdir url
	pgdir=$(mktemp -d /tmp/rapport-pg.XXXXXX)
	if ! url=$(scripts/pg.sh start "$pgdir" 2>"$log/pg.err"); then
		fail=$((fail + 1))
		echo "--- PostgreSQL did not start:"; tail -n 20 "$log/pg.err"
		return
	fi
	local out="$log/test_store.$2-pg"
	if ! RAPPORT_TEST_PG="$(scripts/pg.sh createdb "$pgdir" "unit_$2")" \
		"$1/test_store" >"$out" 2>&1; then
		grep -q 'FAILED' "$out" || fail=$((fail + 1))
		echo "--- $2 test_store on PostgreSQL failed:"; tail -n 30 "$out"
	fi
	count_cmocka "$out"
	scripts/pg.sh stop "$pgdir"
}

# The API tests again with every database on a throwaway PostgreSQL.
run_api_pg() { # binary label
	local pgdir
	pgdir=$(mktemp -d /tmp/rapport-pg.XXXXXX)
	if ! scripts/pg.sh start "$pgdir" >/dev/null 2>"$log/pg-api.err"; then
		fail=$((fail + 1))
		echo "--- PostgreSQL did not start:"; tail -n 20 "$log/pg-api.err"
		return
	fi
	# every test database starts as a copy of one migrated once
	local tmpl
	if ! tmpl=$(scripts/pg.sh createdb "$pgdir" template_api) ||
		! "$1" migrate --db "$tmpl" >"$log/pg-migrate.out" 2>&1; then
		fail=$((fail + 1))
		echo "--- rapport migrate on PostgreSQL failed:"; tail -n 20 "$log/pg-migrate.out"
		scripts/pg.sh stop "$pgdir"
		return
	fi
	RAPPORT_TEST_PG_DIR="$pgdir" RAPPORT_TEST_PG_TEMPLATE=template_api RAPPORT_BIN="$1" \
		run_tap "API tests ($2, PostgreSQL)" \
		node --test --test-reporter=tap --test-concurrency=2 tests/api/
	scripts/pg.sh stop "$pgdir"
}

# The browser tests with every server on a throwaway PostgreSQL.
run_e2e_pg() {
	local pgdir tmpl
	pgdir=$(mktemp -d /tmp/rapport-pg.XXXXXX)
	if ! scripts/pg.sh start "$pgdir" >/dev/null 2>"$log/pg-e2e.err" ||
		! tmpl=$(scripts/pg.sh createdb "$pgdir" template_e2e) ||
		! build/rapport migrate --db "$tmpl" >"$log/pg-e2e.err" 2>&1; then
		fail=$((fail + 1))
		echo "--- PostgreSQL for the browser tests did not start:"; tail -n 20 "$log/pg-e2e.err"
		scripts/pg.sh stop "$pgdir"
		return
	fi
	RAPPORT_TEST_PG_DIR="$pgdir" RAPPORT_TEST_PG_TEMPLATE=template_e2e \
		RAPPORT_BIN="$PWD/build/rapport" run_tap "browser tests (PostgreSQL)" tests/e2e/run.sh
	scripts/pg.sh stop "$pgdir"
}

# Each fuzz target over its seed corpus (a second or two in all): they
# build, and no seed (old crashes among them) fails again.
run_fuzz_smoke() {
	local out="$log/fuzz" p f
	scripts/fuzz.sh smoke >"$out" 2>&1
	p=$(tail -n 1 "$out" | grep -Eo '^[0-9]+')
	f=$(tail -n 1 "$out" | grep -Eo '[0-9]+ failed' | grep -Eo '[0-9]+')
	pass=$((pass + ${p:-0}))
	fail=$((fail + ${f:-1}))
	[ "${f:-1}" = 0 ] || { echo "--- fuzz targets over their seeds:"; tail -n 60 "$out"; }
}

run_layers() {
	if scripts/check-style.sh; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
}

# Runs one part and says how long it took, to keep the whole under 15
# minutes knowingly.
timed() { # command...
	local t0=$SECONDS
	"$@"
	echo "  ($* — $((SECONDS - t0)) s)" | sed "s|$PWD/||g"
}

case "$what" in
unit)
	run_unit build/tests unit
	run_unit_pg build/tests unit
	;;
unit-pg) run_unit_pg build/tests unit ;;
api) run_api "$PWD/build/rapport" plain ;;
api-pg) run_api_pg "$PWD/build/rapport" plain ;;
valgrind) timed run_valgrind ;;
tsan) TSAN_OPTIONS=halt_on_error=0:second_deadlock_stack=1 run_api "$PWD/build/rapport-tsan" tsan ;;
all)
	timed run_layers
	timed run_unit build/tests unit
	timed run_unit build/tests-asan asan
	timed run_unit_pg build/tests unit
	timed run_unit_pg build/tests-asan asan
	timed run_fuzz_smoke
	timed run_api "$PWD/build/rapport" plain
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 timed run_api "$PWD/build/rapport-asan" asan
	# the server's threads share memos (callers, accounts, the statement
	# cache): a race there shows only under ThreadSanitizer
	TSAN_OPTIONS=halt_on_error=0:second_deadlock_stack=1 timed run_api "$PWD/build/rapport-tsan" tsan
	timed run_api_pg "$PWD/build/rapport" plain
	timed run_tap "UI unit tests" node --test --test-reporter=tap web/test/
	RAPPORT_BIN="$PWD/build/rapport" timed run_tap "browser tests" tests/e2e/run.sh
	timed run_e2e_pg
	;;
e2e) RAPPORT_BIN="$PWD/build/rapport" run_tap "browser tests" tests/e2e/run.sh ;;
e2e-pg) run_e2e_pg ;;
fuzz) run_fuzz_smoke ;;
esac
rm -rf "$log"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
