#!/usr/bin/env bash
# Run a command with TEST_DATABASE_URL pointing at a private PostgreSQL server.
# Installs Debian's PostgreSQL when it is missing, starts a throw-away cluster on a
# Unix socket, and stops and removes it afterwards.
set -euo pipefail
source "$(dirname "$0")/lib/postgres.sh"
pg_setup

WORK=$(mktemp -d /tmp/xietong-pg.XXXXXX)
chmod 755 "$WORK"
[ "$(id -u)" = "0" ] && chown postgres "$WORK"
PORT=${PGTEST_PORT:-54329}
cleanup() {
  pg_stop "$WORK/data" immediate
  rm -rf "$WORK"
}
trap cleanup EXIT

pg_init "$WORK/data"
pg_start "$WORK/data" "$WORK" "$PORT" "$WORK/log"
pg_createdb "$WORK" "$PORT" xietong_test

export TEST_DATABASE_URL
TEST_DATABASE_URL=$(pg_url "$WORK" "$PORT" xietong_test)
echo "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on $WORK:$PORT" >&2
"$@"
