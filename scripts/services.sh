#!/usr/bin/env bash
# The test suite's servers, on 127.0.0.1 only: a throwaway PostgreSQL 15 and an S3-compatible
# object store (s3rver, scripts/s3-server.mjs). `start` prints XJWATCH_TEST_PG=<url> and
# XJWATCH_TEST_S3=<endpoint> (reusing servers it started before, if they still answer), `url`
# prints the PostgreSQL URL while it runs, `stop` stops both and removes their data.
# test/helpers/global-services.ts runs `start`; scripts/setup.sh installs postgresql-15 and
# postgresql-contrib, npm installs s3rver.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'services: %s\n' "$*" >&2; }

state=$PWD/.cache/services
urlfile=$state/pg.url
mkdir -p "$state"
# one caller at a time: test runs started together must not build two clusters in one folder
exec 9>"$state/lock"
flock -w 120 9 || { say "another scripts/services.sh has held $state/lock for 2 minutes"; exit 1; }

bin=/usr/lib/postgresql/15/bin
[ -x "$bin/pg_ctl" ] || bin=$(pg_config --bindir 2>/dev/null || true)
if [ ! -x "$bin/initdb" ] || [ ! -x "$bin/pg_ctl" ]; then
  say "no PostgreSQL server programs (initdb, pg_ctl) in /usr/lib/postgresql/15/bin: install postgresql-15 (scripts/setup.sh does)"
  exit 1
fi
psql=$bin/psql
[ -x "$psql" ] || psql=psql

# PostgreSQL refuses to run as root: then initdb and the server run as Debian's `postgres` user
as=()
if [ "$(id -u)" = 0 ]; then
  user=postgres
  if ! id -u postgres >/dev/null 2>&1; then
    user=xjwatch-pg
    id -u "$user" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$user"
  fi
  as=(runuser -u "$user" --)
fi

# where the cluster lives (data, socket, log): recorded in pg.base by `start`
base=$(cat "$state/pg.base" 2>/dev/null || true)
# only paths this script makes are ever removed, whatever pg.base says
case $base in "$state" | "${TMPDIR:-/tmp}"/xjwatch-pg.*) ;; *) base= ;; esac
# fd 9 (the lock) closed: else the server would inherit it and hold the lock for its lifetime
pg() { (cd "${base:-/}" && "${as[@]}" "$@" 9>&-); }

# running = the recorded URL reaches the server on our own data folder, not some other one
running() {
  [ -n "$base" ] && [ -f "$urlfile" ] &&
    [ "$("$psql" "$(cat "$urlfile")" -XAtqc 'show data_directory' 2>/dev/null)" = "$base/pg-data" ]
}

clean() {
  [ -n "$base" ] || return 0
  [ ! -f "$base/pg-data/postmaster.pid" ] || pg "$bin/pg_ctl" stop -D "$base/pg-data" -m fast -s >/dev/null 2>&1 || true
  rm -rf "$base/pg-data" "$base/pg-sock"
  [ "$base" = "$state" ] || rm -rf "$base"
  rm -f "$state/pg.base" "$urlfile"
  base=
}

fail() {
  [ ! -s "$base/pg.log" ] || tail -n 30 "$base/pg.log" >&2
  say "$*"
  [ ! -f "$base/pg-data/postmaster.pid" ] || pg "$bin/pg_ctl" stop -D "$base/pg-data" -m immediate -s >/dev/null 2>&1 || true
  exit 1
}

# taken = something answers on 127.0.0.1:PORT (a cluster started by hand on 55432, say)
taken() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start() {
  if running; then printf 'XJWATCH_TEST_PG=%s\n' "$(cat "$urlfile")"; return; fi
  clean # a cluster from before a reboot or a killed run: throwaway, so made anew
  base=$state
  # the server user must reach the folder, and a socket path must stay under 108 bytes
  if { ((${#as[@]})) && ! "${as[@]}" test -x "$state"; } || ((${#state} > 80)); then
    base=$(mktemp -d "${TMPDIR:-/tmp}/xjwatch-pg.XXXXXX")
  fi
  printf '%s\n' "$base" >"$state/pg.base"
  trap 'fail "command failed on line $LINENO of scripts/services.sh"' ERR
  mkdir -p "$base/pg-data" "$base/pg-sock"
  : >"$base/pg.log"
  chmod 700 "$base/pg-data"
  ((${#as[@]} == 0)) || chown "$user:" "$base/pg-data" "$base/pg-sock" "$base/pg.log"
  [ "$base" = "$state" ] || ((${#as[@]} == 0)) || chown "$user:" "$base"
  # UTF-8 ctype: under the C ctype pg_trgm makes no trigrams of Chinese text. Trust on 127.0.0.1
  # and --no-sync: a test cluster that holds nothing worth a password or a crash-safe disk
  pg "$bin/initdb" -D "$base/pg-data" --encoding=UTF8 --locale=C.UTF-8 --auth=trust -U xjwatch --no-sync \
    >>"$base/pg.log" 2>&1 || fail "initdb failed (log: $base/pg.log)"
  local port=55432
  while taken "$port"; do
    port=$((port + 1))
    ((port < 55532)) || fail "no free TCP port in 55432-55531 on 127.0.0.1"
  done
  # fsync and friends off: the cluster is thrown away, and it makes the tests' writes cheap
  pg "$bin/pg_ctl" start -w -t 60 -s -D "$base/pg-data" -l "$base/pg.log" \
    -o "-h 127.0.0.1 -p $port -k '$base/pg-sock' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    >/dev/null 2>&1 || fail "the PostgreSQL server did not start on 127.0.0.1:$port (log: $base/pg.log)"
  local url="postgres://xjwatch@127.0.0.1:$port/postgres" out
  if ! out=$(PGCLIENTENCODING=UTF8 "$psql" "$url" -XAtq -v ON_ERROR_STOP=1 -c 'BEGIN' -c 'CREATE EXTENSION pg_trgm' \
    -c "SELECT cardinality(show_trgm('卫星工厂')) > 0" -c 'ROLLBACK' 2>&1); then
    fail "the extension pg_trgm does not load: install postgresql-contrib ($out)"
  fi
  [ "$out" = t ] || fail "pg_trgm makes no trigrams of Chinese text: the cluster's ctype is not UTF-8 ($out)"
  trap - ERR
  printf '%s\n' "$url" >"$urlfile"
  printf 'XJWATCH_TEST_PG=%s\n' "$url"
}

# the object store: one bucket, xjwatch-test; each test keeps to a prefix of its own
s3url=$state/s3.url
s3pid=$state/s3.pid
s3_running() {
  [ -f "$s3url" ] && [ -f "$s3pid" ] && kill -0 "$(cat "$s3pid")" 2>/dev/null && taken "$(sed 's/.*://' "$s3url")"
}
s3_clean() {
  [ ! -f "$s3pid" ] || kill "$(cat "$s3pid")" 2>/dev/null || true
  rm -rf "$state/s3-data" "$s3url" "$s3pid"
}
s3_start() {
  if s3_running; then printf 'XJWATCH_TEST_S3=%s\n' "$(cat "$s3url")"; return; fi
  s3_clean
  local port=59000
  while taken "$port"; do
    port=$((port + 1))
    ((port < 59100)) || { say "no free TCP port in 59000-59099 on 127.0.0.1"; exit 1; }
  done
  mkdir -p "$state/s3-data"
  nohup node scripts/s3-server.mjs "$state/s3-data" "$port" xjwatch-test >"$state/s3.log" 2>&1 9>&- &
  echo $! >"$s3pid"
  for _ in $(seq 1 100); do
    taken "$port" && break
    kill -0 "$(cat "$s3pid")" 2>/dev/null || { tail -n 20 "$state/s3.log" >&2; say "the S3 server (s3rver) did not start"; exit 1; }
    sleep 0.1
  done
  taken "$port" || { say "the S3 server (s3rver) did not answer on 127.0.0.1:$port in 10 s"; exit 1; }
  printf 'http://127.0.0.1:%s\n' "$port" >"$s3url"
  printf 'XJWATCH_TEST_S3=%s\n' "$(cat "$s3url")"
}

case ${1:-} in
  start) start; s3_start ;;
  stop) clean; s3_clean ;;
  url) running || { say "no PostgreSQL started by scripts/services.sh is running"; exit 1; }; cat "$urlfile" ;;
  *) say "usage: bash scripts/services.sh start|stop|url"; exit 2 ;;
esac
