#!/bin/sh
# bench/deps.sh — installs what the benchmarks need from Debian, if missing:
# wrk (HTTP load), nginx (the HTTP ceiling), hyperfine (command timing),
# sqlite3 (the storage ceiling), curl and python3 (the driver). Safe to run again; does nothing when all
# are present. Works as root, or through sudo otherwise.
set -eu

want=""
have() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

for p in wrk hyperfine sqlite3 curl python3; do
	have "$p" || want="$want $p"
done
# nginx: nginx-light where the release still ships it (Debian 11 and
# older), else nginx; any installed flavour will do.
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
	if apt-cache show nginx-light >/dev/null 2>&1; then
		want="$want nginx-light"
	else
		want="$want nginx"
	fi
fi

[ -z "$want" ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
	SUDO=""
elif command -v sudo >/dev/null 2>&1; then
	SUDO="sudo"
else
	echo "bench/deps.sh: need root or sudo to install:$want" >&2
	exit 1
fi
echo "bench/deps.sh: installing$want" >&2
export DEBIAN_FRONTEND=noninteractive
# An old package list may not know the packages: refresh once on failure.
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $want >/dev/null ||
	{ $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends $want >/dev/null; }
# The Debian nginx package starts a system nginx on port 80; the bench runs
# its own instance, so stop the system one if the package just started it.
if [ -x /usr/sbin/nginx ] && command -v systemctl >/dev/null 2>&1; then
	$SUDO systemctl disable --now nginx >/dev/null 2>&1 || true
fi
