#!/usr/bin/env bash
# test.sh [unit|api|e2e|tsan|fuzz|all] — runs the C unit tests (plain and ASan+UBSan),
# the black-box API tests against build/rapport and build/rapport-asan,
# each fuzz target over its seed corpus, and the layering check; ends
# with the line "N passed, N failed".
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

case "$what" in
unit) run_unit build/tests unit ;;
api) run_api "$PWD/build/rapport" plain ;;
tsan) TSAN_OPTIONS=halt_on_error=0:second_deadlock_stack=1 run_api "$PWD/build/rapport-tsan" tsan ;;
all)
	run_layers
	run_unit build/tests unit
	run_unit build/tests-asan asan
	run_fuzz_smoke
	run_api "$PWD/build/rapport" plain
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 run_api "$PWD/build/rapport-asan" asan
	run_tap "UI unit tests" node --test --test-reporter=tap web/test/
	RAPPORT_BIN="$PWD/build/rapport" run_tap "browser tests" tests/e2e/run.sh
	;;
e2e) RAPPORT_BIN="$PWD/build/rapport" run_tap "browser tests" tests/e2e/run.sh ;;
fuzz) run_fuzz_smoke ;;
esac
rm -rf "$log"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
