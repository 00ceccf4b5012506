#!/usr/bin/env bash
# Set up a fresh machine for xjwatch: the Debian packages it needs that are missing, then the npm
# packages and the build. The README's first command and .ci/run both use this one step, so a
# green CI means a newcomer's machine gets the same. Quiet about what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'setup: %s\n' "$*" >&2; }

# what is missing, and why xjwatch needs it
need=()
why=()
want() { need+=("$1"); why+=("$1: $2"); }

have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

if [ -n "${XJWATCH_CHROMIUM:-}" ] && [ -x "${XJWATCH_CHROMIUM}" ]; then
  : # the operator named a browser of their own
elif ! command -v chromium >/dev/null 2>&1 && ! have_pkg chromium; then
  want chromium 'passes JavaScript challenges, renders script-built lists, takes screenshots and PDF prints'
fi
if ! { command -v fc-list >/dev/null 2>&1 && fc-list :lang=zh 2>/dev/null | grep -qi 'CJK'; }; then
  have_pkg fonts-noto-cjk || want fonts-noto-cjk 'Chinese text in screenshots and PDF prints instead of empty boxes'
fi
command -v openssl >/dev/null 2>&1 || want openssl 'RFC 3161 time-stamps; the local time-stamp authority of the demo'
command -v tesseract >/dev/null 2>&1 || want tesseract-ocr 'reads scanned PDF attachments (pages that are pictures) by OCR'
have_pkg tesseract-ocr-chi-sim || want tesseract-ocr-chi-sim 'Simplified Chinese for that OCR'
command -v pdftoppm >/dev/null 2>&1 || want poppler-utils 'renders a scanned PDF page to an image for OCR (pdftoppm)'
# the evidence tests check bundles with the tools a third party would use
command -v unzip >/dev/null 2>&1 || want unzip 'the tests open evidence bundles as a third party would'
command -v python3 >/dev/null 2>&1 || want python3 'the tests read WARC files with an independent reader'
# team storage: the PostgreSQL server the tests run the team mode against (scripts/services.sh)
have_pkg postgresql-15 || want postgresql-15 'the PostgreSQL 15 server the team-mode tests run against, on 127.0.0.1'
have_pkg postgresql-contrib || want postgresql-contrib 'pg_trgm, the trigram index of team-mode search'

if ((${#need[@]})); then
  if ! command -v apt-get >/dev/null 2>&1; then
    say "this is not a Debian-like machine; install these yourself, then run this again:"
    printf '  %s\n' "${why[@]}" >&2
    exit 1
  fi
  sudo=()
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 || { say "not root and no sudo: install ${need[*]} as root, then run this again"; exit 1; }
    sudo=(sudo)
  fi
  say "installing Debian packages that are missing:"
  printf '  %s\n' "${why[@]}" >&2
  log=$(mktemp)
  # apt's chatter goes to a log, shown only when something fails
  if ! { "${sudo[@]}" apt-get update -qq && DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}"; } >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    say "apt-get could not install ${need[*]} (full log: $log)"
    exit 1
  fi
  rm -f "$log"
  say "installed ${need[*]}"
fi

# npm ci wipes node_modules and rebuilds better-sqlite3 (about a minute): only when the lock file
# changed since the last set-up; otherwise the build alone brings dist/ up to date.
stamp=node_modules/.xjwatch-setup
lock=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$lock-$(node --version)" ]; then
  npm run --silent build
else
  say "installing npm packages (npm ci) and building xjwatch"
  npm ci --no-audit --no-fund --loglevel=error
  printf '%s' "$lock-$(node --version)" >"$stamp"
fi

# replayweb.page, for the test that opens a bundle's WACZ as a reader would: its player (ui.js)
# and service worker (sw.js), prebuilt in its npm package. Only those two files are taken: the
# package itself installs an Electron app. npm pack checks the tarball against the registry's hash.
rwp_version=2.5.3
rwp=.cache/replaywebpage-$rwp_version
if [ ! -f "$rwp/ui.js" ] || [ ! -f "$rwp/sw.js" ]; then
  tmp=$(mktemp -d)
  if (cd "$tmp" && npm pack "replaywebpage@$rwp_version" --silent >/dev/null 2>&1) && tar -xzf "$tmp/replaywebpage-$rwp_version.tgz" -C "$tmp" package/ui.js package/sw.js; then
    mkdir -p "$rwp" && mv "$tmp/package/ui.js" "$tmp/package/sw.js" "$rwp/"
  else
    say "could not fetch replayweb.page $rwp_version from the npm registry: the test that opens a bundle in it will say so"
  fi
  rm -rf "$tmp"
fi
