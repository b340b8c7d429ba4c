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

# pg_url SOCKET_DIR PORT NAME [ROLE]: the SQLAlchemy URL of a database on the socket (as postgres by default).
pg_url() {
  echo "postgresql+psycopg://${4:-postgres}@/$3?host=$1&port=$2"
}

# pg_roles SOCKET_DIR PORT NAME OWNER APP: the two login roles of an installation, created when missing.
# OWNER owns the database, its schema and everything in it (migrations run as OWNER); APP is what the
# servers and timer workers connect as (`flask grant-app-role APP`, run as OWNER after each upgrade, gives
# it every table and only SELECT and INSERT on the audit trail). Objects made before the roles existed
# (owned by postgres) are handed to OWNER; running this again changes nothing.
pg_roles() {
  "${PG_RUN_AS[@]}" "$PG_BIN/psql" -h "$1" -p "$2" -U postgres -d "$3" -X -q -v ON_ERROR_STOP=1 \
    -v owner="$4" -v app="$5" >/dev/null <<'SQL'
SELECT format('CREATE ROLE %I LOGIN', r) FROM unnest(ARRAY[:'owner', :'app']) AS r
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) \gexec
SELECT format('ALTER DATABASE %I OWNER TO %I', current_database(), :'owner') \gexec
SELECT format('ALTER SCHEMA public OWNER TO %I', :'owner') \gexec
SELECT format('ALTER TABLE public.%I OWNER TO %I', tablename, :'owner') FROM pg_tables
 WHERE schemaname = 'public' AND tableowner <> :'owner' \gexec
SELECT format('ALTER FUNCTION %s OWNER TO %I', p.oid::regprocedure, :'owner')
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE n.nspname = 'public' AND pg_get_userbyid(p.proowner) <> :'owner' \gexec
SQL
}
