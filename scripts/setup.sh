#!/usr/bin/env bash
# Everything a fresh machine needs before `npm start` or `npm test`: a C toolchain and
# Mbed TLS's headers for the host XS engine and the native crypto module, the npm
# packages from the lock file, then the build (TypeScript and picket-xs).
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v make >/dev/null || missing+=(make)
command -v cc >/dev/null || missing+=(gcc)
[ -f /usr/include/psa/crypto.h ] || missing+=(libmbedtls-dev)
if [ ${#missing[@]} -gt 0 ]; then
	echo "setup: installing ${missing[*]} with apt-get"
	sudo_cmd=()
	[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
	"${sudo_cmd[@]}" apt-get update -qq
	DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# --ignore-scripts: @agoric/xsnap's own install script builds Agoric's worker, which
# Picket does not use; scripts/build.js builds the runtime Picket needs from its sources.
npm ci --ignore-scripts --no-audit --no-fund
# The command post's SQLite binding (better-sqlite3) is native: build it for this Node.
npm rebuild better-sqlite3

# The dashboard's browser test drives Debian's chromium through puppeteer-core; without it
# that test is skipped with one line, so a failed install here is not an error.
if ! command -v chromium >/dev/null && ! command -v chromium-browser >/dev/null; then
	echo "setup: installing chromium with apt-get (for the dashboard's browser test)"
	sudo_cmd=()
	[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
	{ "${sudo_cmd[@]}" apt-get update -qq && DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq chromium >/dev/null; } ||
		echo "setup: chromium not installed; the dashboard's browser test will be skipped"
fi
node scripts/build.js --xs
