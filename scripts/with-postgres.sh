#!/usr/bin/env bash
# Run a command with TEST_DATABASE_URL pointing at a private PostgreSQL server.
# Installs Debian's PostgreSQL when it is missing, starts a throw-away cluster on a
# Unix socket, and stops and removes it afterwards.
set -euo pipefail

pg_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  [ -n "$dir" ] && [ -x "$dir/initdb" ] && echo "$dir"
}

BIN=$(pg_bin || true)
if [ -z "$BIN" ]; then
  echo "PostgreSQL not found: installing Debian's package" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq postgresql >/dev/null
  BIN=$(pg_bin)
fi

RUN_AS=()
if [ "$(id -u)" = "0" ]; then
  id postgres >/dev/null 2>&1 || useradd --system --home /var/lib/postgresql postgres
  RUN_AS=(runuser -u postgres --)
fi

WORK=$(mktemp -d /tmp/xietong-pg.XXXXXX)
chmod 755 "$WORK"
[ "$(id -u)" = "0" ] && chown postgres "$WORK"
PORT=${PGTEST_PORT:-54329}
cleanup() {
  "${RUN_AS[@]}" "$BIN/pg_ctl" -D "$WORK/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

"${RUN_AS[@]}" "$BIN/initdb" -D "$WORK/data" -U postgres --auth=trust -E UTF8 >/dev/null
"${RUN_AS[@]}" "$BIN/pg_ctl" -D "$WORK/data" -o "-p $PORT -k $WORK -c listen_addresses=''" -l "$WORK/log" -w start >/dev/null
"${RUN_AS[@]}" "$BIN/createdb" -h "$WORK" -p "$PORT" -U postgres xietong_test

export TEST_DATABASE_URL="postgresql+psycopg://postgres@/xietong_test?host=$WORK&port=$PORT"
echo "PostgreSQL $("$BIN/postgres" --version | awk '{print $3}') on $WORK:$PORT" >&2
"$@"
