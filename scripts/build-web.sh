#!/bin/sh
# build-web.sh OUT — assembles the browser UI into OUT: our own files from
# web/ plus the pinned npm packages it uses, copied from web/node_modules
# (installed from web/package-lock.json when missing). Nothing is fetched
# at run time.
set -eu
out=$1
cd "$(dirname "$0")/.."
if [ -f web/package.json ]; then
	if [ ! -d web/node_modules ] || [ web/package-lock.json -nt web/node_modules/.stamp ]; then
		(cd web && npm ci --no-audit --no-fund --silent && touch node_modules/.stamp)
	fi
fi
rm -rf "$out.tmp"
mkdir -p "$out.tmp"
# our files (not the package manifests or the tests)
(cd web && find . -type f ! -path './node_modules/*' ! -name 'package*.json' \
	! -path './test/*' | while read -r f; do
	mkdir -p "../$out.tmp/$(dirname "$f")"
	cp "$f" "../$out.tmp/$f"
done)
# vendored modules: web/vendor.list has "node_modules/PATH DEST" lines
if [ -f web/vendor.list ]; then
	while read -r src dest; do
		[ -z "$src" ] && continue
		case "$src" in \#*) continue ;; esac
		mkdir -p "$out.tmp/$(dirname "$dest")"
		cp "web/$src" "$out.tmp/$dest"
	done < web/vendor.list
	rm -f "$out.tmp/vendor.list"
fi
# Preload every module: without a bundler the browser would otherwise
# discover the import graph one level per round trip.
if [ -f "$out.tmp/index.html" ]; then
	links=$(cd "$out.tmp" && find app vendor -name '*.js' 2>/dev/null | LC_ALL=C sort |
		sed 's|.*|<link rel="modulepreload" href="/&">|')
	awk -v links="$links" '/<script type="module"/ { print links } { print }' \
		"$out.tmp/index.html" > "$out.tmp/index.html.new"
	mv "$out.tmp/index.html.new" "$out.tmp/index.html"
fi
rm -rf "$out"
mv "$out.tmp" "$out"
