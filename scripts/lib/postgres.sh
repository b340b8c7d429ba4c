# PostgreSQL helpers shared by with-postgres.sh (a throw-away cluster for the tests) and
# run-production.sh (a persistent one). Source this file; it defines functions only.
# Clusters listen on a private Unix socket only (no TCP); as root, the server and its tools run
# as the `postgres` system user, which is created when missing.

pg_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  [ -n "$dir" ] && [ -x "$dir/initdb" ] && echo "$dir"
}

# Sets PG_BIN (installing Debian's package when missing) and PG_RUN_AS (the prefix that runs a
# command as the cluster's owner).
pg_setup() {
  PG_BIN=$(pg_bin || true)
  if [ -z "$PG_BIN" ]; then
    echo "PostgreSQL not found: installing Debian's package" >&2
    bash "$(dirname "${BASH_SOURCE[0]}")/../apt-install.sh" postgresql >/dev/null
    PG_BIN=$(pg_bin)
  fi
  PG_RUN_AS=()
  if [ "$(id -u)" = "0" ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home /var/lib/postgresql postgres
    PG_RUN_AS=(runuser -u postgres --)
  fi
}

# Make a directory owned by the cluster's user, reachable by nobody else (socket, data).
pg_private_dir() {
  mkdir -p "$1"
  [ "$(id -u)" = "0" ] && chown postgres "$1"
  chmod 700 "$1"
}

# pg_init DATA_DIR: create the cluster unless the directory already holds one.
pg_init() {
  [ -f "$1/PG_VERSION" ] && return 0
  pg_private_dir "$1"
  "${PG_RUN_AS[@]}" "$PG_BIN/initdb" -D "$1" -U postgres --auth=trust -E UTF8 >/dev/null
}

# pg_running DATA_DIR: whether a server runs on this cluster (say, left by a run that was killed).
pg_running() {
  "${PG_RUN_AS[@]}" "$PG_BIN/pg_ctl" -D "$1" status >/dev/null 2>&1
}

# pg_start DATA_DIR SOCKET_DIR PORT LOG_FILE: start the server on the socket only and wait for it.
pg_start() {
  pg_private_dir "$2"
  touch "$4"
  [ "$(id -u)" = "0" ] && chown postgres "$4"
  "${PG_RUN_AS[@]}" "$PG_BIN/pg_ctl" -D "$1" -o "-p $3 -k $2 -c listen_addresses=''" -l "$4" -w start >/dev/null
}

# pg_stop DATA_DIR [MODE]: stop the server (fast: roll back open transactions; immediate: no checkpoint).
pg_stop() {
  "${PG_RUN_AS[@]}" "$PG_BIN/pg_ctl" -D "$1" -m "${2:-fast}" -w stop >/dev/null 2>&1 || true
}

# pg_createdb SOCKET_DIR PORT NAME: create the database unless it exists.
pg_createdb() {
  local found
  found=$("${PG_RUN_AS[@]}" "$PG_BIN/psql" -h "$1" -p "$2" -U postgres -Atc \
          "SELECT 1 FROM pg_database WHERE datname = '$3'" postgres)
  [ "$found" = "1" ] || "${PG_RUN_AS[@]}" "$PG_BIN/createdb" -h "$1" -p "$2" -U postgres "$3"
}

# pg_url SOCKET_DIR PORT NAME: the SQLAlchemy URL of a database on the socket.
pg_url() {
  echo "postgresql+psycopg://postgres@/$3?host=$1&port=$2"
}
