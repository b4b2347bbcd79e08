#!/usr/bin/env bash
# check-style.sh — the checks `make check-style` and `make test` run:
# the layering rule, cppcheck's warnings, and clang-format's house style.
set -u
cd "$(dirname "$0")/.."
rc=0
scripts/check-layers.sh || rc=1
# each numbered migration has its PostgreSQL twin, and no twin is alone
a=$(cd src/store/migrations && ls -- *.sql)
b=$(cd src/store/migrations/pg && ls -- *.sql)
if [ "$a" != "$b" ]; then
	echo "style: src/store/migrations and migrations/pg differ:"
	diff <(echo "$a") <(echo "$b") | sed 's/^/  /'
	rc=1
fi
files=$(git ls-files 'src/*.c' 'src/*.h' 'tests/unit/*.c' 'tests/unit/*.h' 2>/dev/null)
if command -v cppcheck >/dev/null; then
	cppcheck --quiet --std=c11 --enable=warning,portability --inline-suppr \
		--error-exitcode=1 -D_GNU_SOURCE -Isrc \
		--suppress=missingIncludeSystem src || { echo "style: cppcheck found problems"; rc=1; }
fi
if command -v clang-format >/dev/null; then
	bad=$(for f in $files; do
		clang-format --dry-run -Werror "$f" >/dev/null 2>&1 || echo "$f"
	done)
	if [ -n "$bad" ]; then
		echo "style: not formatted (run: clang-format -i FILE):"
		echo "$bad" | sed 's/^/  /'
		rc=1
	fi
fi
exit $rc
