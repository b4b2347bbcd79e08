#!/bin/sh
# run.sh — the end-to-end browser tests of the web UI. Installs Debian's
# chromium and CJK fonts when missing, the pinned playwright-core when
# node_modules is missing, then runs every tests/e2e/*.test.mjs one file at
# a time. Needs build/rapport (make build/rapport) or $RAPPORT_BIN.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

missing=""
[ -x /usr/bin/chromium ] || missing="$missing chromium"
dpkg-query -W -f='${Status}' fonts-noto-cjk 2>/dev/null | grep -q 'ok installed' || missing="$missing fonts-noto-cjk"
if [ -n "$missing" ]; then
	echo "e2e: installing$missing" >&2
	sudo_cmd=""
	[ "$(id -u)" = 0 ] || sudo_cmd="sudo"
	export DEBIAN_FRONTEND=noninteractive
	$sudo_cmd apt-get update -qq >/dev/null
	$sudo_cmd apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

if [ ! -d "$here/node_modules/playwright-core" ]; then
	(cd "$here" && npm ci --no-audit --no-fund --silent)
fi

if [ ! -x "${RAPPORT_BIN:-$root/build/rapport}" ]; then
	echo "e2e: no server binary; run make build/rapport first (or set RAPPORT_BIN)" >&2
	exit 2
fi

cd "$root"
exec node --test --test-reporter=tap --test-concurrency=1 --test-timeout=120000 tests/e2e/
