#!/usr/bin/env bash
# fuzz.sh run|smoke [TARGET...] — runs the libFuzzer targets built in
# build/fuzz/ (all of them unless named). run: each for FUZZ_SECONDS
# (default 60) from its seed corpus tests/fuzz/corpus/NAME, new inputs
# kept in build/fuzz/corpus/NAME, crashes in build/fuzz/crashes/. smoke:
# each over its seed corpus once (-runs=0). Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
mode=${1:-smoke}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
	for f in tests/fuzz/*.c; do
		n=$(basename "$f" .c)
		[ "$n" = harness ] || targets+=("$n")
	done
fi
secs=${FUZZ_SECONDS:-60}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
pass=0
fail=0
mkdir -p build/fuzz/crashes build/fuzz/logs
for t in "${targets[@]}"; do
	bin=build/fuzz/$t seeds=tests/fuzz/corpus/$t
	dict=()
	[ -f "tests/fuzz/$t.dict" ] && dict=(-dict="tests/fuzz/$t.dict")
	log=build/fuzz/logs/$t.$mode.log
	if [ ! -x "$bin" ] || [ ! -d "$seeds" ]; then
		echo "fuzz: $t: no binary ($bin) or no seed corpus ($seeds)"
		fail=$((fail + 1))
		continue
	fi
	case "$mode" in
	smoke) "$bin" -runs=0 -artifact_prefix="build/fuzz/crashes/$t-" "$seeds" >"$log" 2>&1 ;;
	run)
		mkdir -p "build/fuzz/corpus/$t"
		"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
			-print_final_stats=1 -artifact_prefix="build/fuzz/crashes/$t-" "${dict[@]}" \
			"build/fuzz/corpus/$t" "$seeds" >"$log" 2>&1
		;;
	*) echo "usage: fuzz.sh run|smoke [TARGET...]" >&2; exit 2 ;;
	esac
	rc=$?
	if [ $rc = 0 ]; then
		pass=$((pass + 1))
		echo "fuzz: $t ok ($(grep -Eo '(stat::number_of_executed_units|INITED|DONE)[^$]*' "$log" | tail -n 1))"
	else
		fail=$((fail + 1))
		echo "--- fuzz: $t failed (log: $log):"
		grep -E -A25 '==ERROR|runtime error|property failed|Test unit written' "$log" | head -n 60
	fi
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
