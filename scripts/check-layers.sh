#!/usr/bin/env bash
# check-layers.sh — the dependency direction of DESIGN.md, enforced:
# core ← model ← store ← domain ← io ← api ← cli, http on core alone;
# only src/store includes database headers, only src/http includes
# microhttpd.h. Prints each violation; exits 1 if any.
set -u
cd "$(dirname "$0")/.."
bad=0
allowed() { # layer -> allowed include prefixes
	case $1 in
	core) echo "core" ;;
	model) echo "core model" ;;
	store) echo "core model store" ;;
	domain) echo "core model store domain" ;;
	io|jobs|analytics) echo "core model store domain $1" ;;
	http) echo "core http model/query.h model/record.h model/entity.h" ;;
	api) echo "core model store domain io jobs analytics http api" ;;
	cli) echo "core model store domain io jobs analytics http api cli" ;;
	esac
}
for f in $(git ls-files 'src/*.c' 'src/*.h' 2>/dev/null || find src -name '*.[ch]'); do
	layer=$(echo "$f" | cut -d/ -f2)
	ok=$(allowed "$layer")
	while read -r inc; do
		match=0
		for a in $ok; do
			case "$inc" in "$a"/*|"$a") match=1 ;; esac
		done
		if [ $match = 0 ]; then
			echo "layering: $f includes \"$inc\""
			bad=1
		fi
	done < <(grep -Eo '^#include "[^"]+"' "$f" | sed 's/#include "//; s/"$//')
	if [ "$layer" != store ] && grep -Eq '#include <(sqlite3|libpq-fe)\.h>' "$f"; then
		echo "layering: $f includes a database header"; bad=1
	fi
	if [ "$layer" != http ] && grep -q '#include <microhttpd.h>' "$f"; then
		echo "layering: $f includes microhttpd.h"; bad=1
	fi
done
exit $bad
