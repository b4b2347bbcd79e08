#!/bin/sh
# deps.sh — installs the Debian packages Rapport needs to build, run,
# test and fuzz, skipping those already present. Safe to run repeatedly.
set -eu
BUILD="build-essential pkg-config libmicrohttpd-dev libjansson-dev
libsqlite3-dev libsodium-dev libutf8proc-dev libicu-dev libcmocka-dev sqlite3
libcsv-dev libuchardet-dev libxlsxwriter-dev libzip-dev libxml2-dev libpq-dev liboath-dev"
# PostgreSQL 15 (with pg_trgm and unaccent from contrib): the tests run the
# store on it too, started by scripts/pg.sh
# libfaketime: the job tests set the server's clock forward and back
TEST="nodejs npm cppcheck clang-format postgresql postgresql-contrib libfaketime"
# libFuzzer and the sanitizers' runtimes come with clang; llvm brings
# llvm-symbolizer for readable stack traces
FUZZ="clang libclang-rt-dev llvm"
# `make valgrind`: the API tests (node) with the server under memcheck
VALGRIND="valgrind nodejs"
case "${1:-build}" in
build) want="$BUILD" ;;
test) want="$BUILD $TEST $FUZZ" ;; # make test runs the fuzz targets over their seeds
fuzz) want="$BUILD $FUZZ" ;;
valgrind) want="$BUILD $VALGRIND" ;;
*) echo "usage: deps.sh [build|test|fuzz|valgrind]" >&2; exit 2 ;;
esac
missing=""
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
# node may come from elsewhere than Debian's package; only its presence matters
if command -v node >/dev/null 2>&1; then
	missing=$(echo "$missing" | tr ' ' '\n' | grep -vx -e nodejs -e npm | tr '\n' ' ')
fi
missing=$(echo "$missing" | xargs)
[ -z "$missing" ] && exit 0
echo "installing: $missing" >&2
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
