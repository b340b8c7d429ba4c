#!/usr/bin/env bash
# The production shape on this machine, in the foreground (README, "Operations"): PostgreSQL with a
# persistent data directory and Redis for the shared login limit (Debian's packages, installed when
# missing; started here unless DATABASE_URL / RATELIMIT_STORAGE_URI point elsewhere), migrations,
# the shipped processes, demo data only with DEMO=1, the first admin when XIETONG_ADMIN_PASSWORD is
# set, then WEB_PROCESSES gunicorn server processes and TIMER_WORKERS timer workers. Migrations run as
# the database's owner role, everything else as the application's role, which may only append to the
# audit trail (README, "Audit trail").
# Ctrl-C or SIGTERM stops everything it started; so does the exit of any server or timer worker.
# Reads no standard input. `make production` runs `make setup` (venv, assets) first.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
source scripts/lib/postgres.sh

BIN="${VENV:-$ROOT/.venv}/bin"
DATA_DIR=$(realpath -m "${XIETONG_DATA_DIR:-$ROOT/instance}")
RUN_DIR="$DATA_DIR/run"
TIMER_WORKERS=${TIMER_WORKERS:-1}
PG_PORT=${PG_PORT:-5432}
PG_OWNER_ROLE=${PG_OWNER_ROLE:-xietong_owner}  # owns the tables: migrations
PG_APP_ROLE=${PG_APP_ROLE:-xietong_app}        # the servers and timer workers: cannot change the audit trail
DATABASE_OWNER_URL=${DATABASE_OWNER_URL:-}     # with DATABASE_URL: the same database as its owner, for migrations
export XIETONG_CONFIG=${XIETONG_CONFIG:-production}
export FLASK_APP=wsgi.py
export ATTACHMENT_DIR=${ATTACHMENT_DIR:-$DATA_DIR/attachments}
APP_PIDS=()
REDIS_PID=""
STARTED_PG=""

log() { echo "run-production: $*" >&2; }

# The user name in DATABASE_URL: the role the servers connect as.
app_role() {
  "$BIN/python" -c 'import sys; from sqlalchemy.engine import make_url; print(make_url(sys.argv[1]).username)' \
    "$DATABASE_URL"
}

# Stop what this script started, newest first: servers and workers (gracefully, then killed after
# GRACEFUL_TIMEOUT), then Redis, then PostgreSQL (fast: open transactions roll back).
stop_all() {
  trap - EXIT INT TERM
  if [ ${#APP_PIDS[@]} -gt 0 ]; then
    kill -TERM "${APP_PIDS[@]}" 2>/dev/null || true
    wait_gone $(( ${GRACEFUL_TIMEOUT:-30} + 5 )) "${APP_PIDS[@]}"
  fi
  if [ -n "$REDIS_PID" ]; then
    kill -TERM "$REDIS_PID" 2>/dev/null || true
    wait_gone 10 "$REDIS_PID"
  fi
  [ -z "$STARTED_PG" ] || pg_stop "$PGDATA" fast
  log "stopped"
}

# wait_gone SECONDS PID...: wait for the processes to end; kill those still there after SECONDS.
wait_gone() {
  local deadline=$(( SECONDS + $1 )); shift
  while kill -0 "$@" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
  kill -KILL "$@" 2>/dev/null || true
  wait "$@" 2>/dev/null || true
}

trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# SECRET_KEY from the environment, else one generated once and kept in the data directory.
keep_secret_key() {
  [ -z "${SECRET_KEY:-}" ] || return 0
  local file="$DATA_DIR/secret_key"
  if [ ! -s "$file" ]; then
    (umask 077 && "$BIN/python" -c 'import secrets; print(secrets.token_hex(32))' > "$file.new")
    mv "$file.new" "$file"
    log "generated a SECRET_KEY in $file"
  fi
  chmod 600 "$file"
  SECRET_KEY=$(cat "$file")
  export SECRET_KEY
}

start_postgres() {
  if [ -n "${DATABASE_URL:-}" ]; then
    log "database: DATABASE_URL"
    return
  fi
  pg_setup
  if ! "${PG_RUN_AS[@]}" test -x "$DATA_DIR"; then
    log "the postgres user cannot reach $DATA_DIR: choose a XIETONG_DATA_DIR whose parents it may enter"
    exit 1
  fi
  PGDATA=$(realpath -m "${PGDATA:-$DATA_DIR/pgdata}")
  pg_init "$PGDATA"
  if pg_running "$PGDATA"; then
    log "PostgreSQL already runs on $PGDATA: using it"
  else
    pg_start "$PGDATA" "$RUN_DIR/postgres" "$PG_PORT" "$DATA_DIR/postgres.log"
  fi
  STARTED_PG=1
  pg_createdb "$RUN_DIR/postgres" "$PG_PORT" xietong
  pg_roles "$RUN_DIR/postgres" "$PG_PORT" xietong "$PG_OWNER_ROLE" "$PG_APP_ROLE"
  DATABASE_OWNER_URL=$(pg_url "$RUN_DIR/postgres" "$PG_PORT" xietong "$PG_OWNER_ROLE")
  DATABASE_URL=$(pg_url "$RUN_DIR/postgres" "$PG_PORT" xietong "$PG_APP_ROLE")
  export DATABASE_URL
  log "database: PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}'), data in $PGDATA;" \
      "migrations as $PG_OWNER_ROLE, the servers as $PG_APP_ROLE"
}

# Redis on a private Unix socket, without persistence: it holds only rate-limit counters.
start_redis() {
  if [ -n "${RATELIMIT_STORAGE_URI:-}" ]; then
    log "rate-limit storage: RATELIMIT_STORAGE_URI"
    return
  fi
  command -v redis-server >/dev/null || bash scripts/apt-install.sh redis-server >/dev/null
  local dir="$RUN_DIR/redis" as_user=()
  mkdir -p "$dir"
  if [ "$(id -u)" = "0" ] && id redis >/dev/null 2>&1; then
    chown redis "$dir"
    as_user=(setpriv --reuid=redis --regid=redis --init-groups)
  fi
  chmod 700 "$dir"
  rm -f "$dir/redis.sock"
  setsid "${as_user[@]}" redis-server --port 0 --unixsocket "$dir/redis.sock" --unixsocketperm 700 \
    --dir "$dir" --save '' --appendonly no --loglevel warning &
  REDIS_PID=$!
  local tries=0
  until [ "$(redis-cli -s "$dir/redis.sock" ping 2>/dev/null)" = "PONG" ]; do
    tries=$(( tries + 1 ))
    [ $tries -lt 100 ] || { log "Redis did not start"; exit 1; }
    sleep 0.1
  done
  export RATELIMIT_STORAGE_URI="redis+unix://$dir/redis.sock"
  log "rate-limit storage: Redis $(redis-server --version | awk '{print $3}' | cut -d= -f2) on $dir/redis.sock"
}

# Migrations as the owner, then the application's role gets its privileges (the audit trail append-only);
# everything after runs as the application. With only DATABASE_URL given, it does all of it.
prepare_database() {
  if [ -n "$DATABASE_OWNER_URL" ]; then
    DATABASE_URL=$DATABASE_OWNER_URL "$BIN/flask" db upgrade
    DATABASE_URL=$DATABASE_OWNER_URL "$BIN/flask" grant-app-role "$(app_role)"
  else
    "$BIN/flask" db upgrade
  fi
  if [ "${DEMO:-0}" = "1" ]; then
    "$BIN/flask" seed-demo
  fi
  "$BIN/flask" deploy-processes
  if [ -n "${XIETONG_ADMIN_PASSWORD:-}" ]; then
    "$BIN/flask" create-admin "${XIETONG_ADMIN_NAME:-admin}" --if-missing
  fi
}

# Each in a session of its own, so that Ctrl-C reaches only this script, which stops them in order.
start_servers() {
  export PROMETHEUS_MULTIPROC_DIR=${PROMETHEUS_MULTIPROC_DIR:-$RUN_DIR/metrics}
  mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
  find "$PROMETHEUS_MULTIPROC_DIR" -maxdepth 1 -name '*.db' -delete  # the figures start at this run
  export GUNICORN_CONTROL_SOCKET=${GUNICORN_CONTROL_SOCKET:-$RUN_DIR/gunicorn.ctl}
  setsid "$BIN/gunicorn" --config "$ROOT/gunicorn.conf.py" wsgi:app &
  APP_PIDS+=($!)
  local n
  for (( n = 0; n < TIMER_WORKERS; n++ )); do
    setsid "$BIN/flask" run-timers &
    APP_PIDS+=($!)
  done
  log "serving on http://${BIND:-127.0.0.1:8000} with ${WEB_PROCESSES:-2} server process(es) and" \
      "$TIMER_WORKERS timer worker(s); Ctrl-C stops"
}

mkdir -p "$DATA_DIR" "$RUN_DIR"
keep_secret_key
start_postgres
start_redis
prepare_database
start_servers
# Whichever ends first, a server or a worker, ends the shape (a supervisor may then restart it).
wait -n "${APP_PIDS[@]}" && status=0 || status=$?
log "process exited with status $status: stopping the others"
exit 1
