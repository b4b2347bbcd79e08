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
# static_graph FILE... — FILE and every module it imports statically
# (import … from '…', import '…'; not import('…')), transitively; paths
# relative to the current folder, one a line.
static_graph() {
	seen=""
	todo="$*"
	while [ -n "$todo" ]; do
		set -- $todo
		f=$1; shift; todo="$*"
		case " $seen " in *" $f "*) continue ;; esac
		seen="$seen $f"
		echo "$f"
		for dep in $(grep -o "\(from\|^import\) *['\"]\.\{1,2\}/[^'\"?]*\.js" "$f" | sed "s#.*['\"]##"); do
			todo="$todo $(realpath -m --relative-to=. "$(dirname "$f")/$dep")"
		done
	done
}
# Version every module and style sheet URL with a hash of the whole UI
# (?v=...): the server lets the browser keep such URLs for good
# (src/http/static.c), so a page load asks again only for index.html
# instead of revalidating some 30 files. Relative import specifiers get
# the same suffix, so each module has one URL: static imports (from '…',
# import '…') and dynamic ones with a literal specifier (import('…'), the
# views main.js loads when first shown).
v=$(cd "$out.tmp" && find . -type f | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-16)
find "$out.tmp/app" "$out.tmp/vendor" -name '*.js' 2>/dev/null | while read -r f; do
	sed -i "s#\(\(from\|import\) *(\{0,1\} *['\"]\)\(\.\.\{0,1\}/[^'\"?]*\.js\)\(['\"]\)#\1\3?v=$v\4#g" "$f"
done
if [ -f "$out.tmp/index.html" ]; then
	sed -i "s#\(\(src\|href\)=\"/\(app\|vendor\)/[^\"?]*\)\"#\1?v=$v\"#g" "$out.tmp/index.html"
fi
printf '%s\n' "$v" > "$out.tmp/.version"
# Preload the modules index.html loads and everything they import
# statically: without a bundler the browser would otherwise discover the
# import graph one level per round trip. The views that main.js imports
# with import() when first shown are left out: a page load fetches and
# compiles only the shell and the view on screen. (The script tags' own
# files need no link.)
if [ -f "$out.tmp/index.html" ]; then
	scripts=$(sed -n 's#.*<script type="module"[^>]* src="/\([^"?]*\)[?"].*#\1#p' "$out.tmp/index.html")
	links=$(cd "$out.tmp" && static_graph $scripts | grep -v -x -F "$scripts" | LC_ALL=C sort |
		sed "s|.*|<link rel=\"modulepreload\" href=\"/&?v=$v\">|")
	awk -v links="$links" '/<script type="module" src="\/app\/main.js/ { print links } { print }' \
		"$out.tmp/index.html" > "$out.tmp/index.html.new"
	mv "$out.tmp/index.html.new" "$out.tmp/index.html"
fi
rm -rf "$out"
mv "$out.tmp" "$out"
