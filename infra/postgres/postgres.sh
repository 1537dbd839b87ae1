# shellcheck shell=bash
# PostgreSQL 15 on 127.0.0.1 with continuous WAL archiving (infra/backup.sh). Sourced by infra/servers.sh after
# infra/lib.sh; it uses DATA_DIR, SECRETS_DIR, PG_ARCHIVE and SCRIPT_DIR from there. Its settings are
# ncp-servers.conf.template (included from postgresql.conf) and its role and databases roles.sql.template.
#
# One instance at a time: pg_instance DIR PORT points the functions below at a server's folder and port, so that
# a script may start a second server beside the first (its own DIR, its own PORT). Backups (infra/backup.sh) know only
# the server in $DATA_DIR/postgres: start any other with PG_ARCHIVE=off, or its WAL goes to the first one's stanza.

PG_BIN=/usr/lib/postgresql/15/bin
PG_TEMPLATES=$SCRIPT_DIR/postgres

pg_instance() {
  PG_DIR=$1
  PG_PORT=$2
  PG_DATA=$PG_DIR/data
  PG_SOCKET_DIR=$PG_DIR/socket
  PG_LOG=$PG_DIR/postgres.log
  PG_INITDB_LOG=$PG_DIR/initdb.log
  PG_PASSWORD_FILE=$SECRETS_DIR/postgres-ncp.password
}

pg_missing_packages() {
  local -a missing=()
  [[ -x $PG_BIN/initdb ]] || missing+=(postgresql)
  # WAL archiving and ./ncp backup (infra/backup.sh).
  [[ -x /usr/bin/pgbackrest ]] || missing+=(pgbackrest)
  ((${#missing[@]} == 0)) || echo "${missing[*]}"
}

# pg_ctl and initdb refuse to run as root.
as_pg() {
  if is_root; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

pg_running() {
  [[ -f $PG_DATA/PG_VERSION && -x $PG_BIN/pg_ctl ]] || return 1
  as_pg "$PG_BIN/pg_ctl" status -D "$PG_DATA" >/dev/null 2>&1 &&
    pid_alive "$(head -n 1 "$PG_DATA/postmaster.pid" 2>/dev/null)"
}

# The port of the running postmaster, which may differ from NCP_PG_PORT if that changed since.
pg_running_port() {
  local port
  port=$(sed -n 4p "$PG_DATA/postmaster.pid" 2>/dev/null || true)
  printf '%s\n' "${port:-$PG_PORT}"
}

# After a crash the old postmaster may still be an unreaped zombie, and postgres refuses to start
# while the PID in postmaster.pid exists.
pg_wait_for_dead_postmaster() {
  local pid tries=0
  pid=$(head -n 1 "$PG_DATA/postmaster.pid" 2>/dev/null || true)
  [[ $pid =~ ^[0-9]+$ ]] || return 0
  while [[ -e /proc/$pid ]] && ! pid_alive "$pid"; do
    ((++tries <= 30)) || die "postgres: the crashed postmaster (pid $pid) has not been reaped after 15 s; try again later"
    sleep 0.5
  done
}

pg_prepare_dirs() {
  mkdir -p "$PG_DIR"
  if is_root; then
    id postgres >/dev/null 2>&1 || die "user postgres does not exist (the postgresql package creates it)"
    chown postgres:postgres "$PG_DIR"
    chmod 700 "$PG_DIR"
    runuser -u postgres -- test -w "$PG_DIR" ||
      die "user postgres cannot reach $PG_DIR: every parent folder must be traversable by others (chmod o+x), or set NCP_DATA_DIR elsewhere"
  else
    chmod 700 "$PG_DIR"
  fi
  as_pg mkdir -p "$PG_SOCKET_DIR"
}

pg_init() {
  [[ -f $PG_DATA/PG_VERSION ]] && return 0
  say "postgres: creating cluster in $PG_DATA"
  # Without an explicit locale initdb picks SQL_ASCII when LANG is unset.
  as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
    --encoding=UTF8 --locale=C.UTF-8 >"$PG_INITDB_LOG" 2>&1 </dev/null ||
    die "initdb failed: $(tail -n 3 "$PG_INITDB_LOG") (full log: $PG_INITDB_LOG)"
  printf "\n# Settings owned by infra/servers.sh, rewritten at every start.\ninclude_if_exists = 'ncp-servers.conf'\n" |
    as_pg tee -a "$PG_DATA/postgresql.conf" >/dev/null
}

backup_sh() { NCP_DATA_DIR=$DATA_DIR NCP_PG_PORT=$PG_PORT NCP_PG_BIN=$PG_BIN "$SCRIPT_DIR/backup.sh" "$@"; }

pg_write_settings() {
  local PG_ARCHIVE_COMMAND settings
  # shellcheck disable=SC2034 # read by render, by name
  PG_ARCHIVE_COMMAND=$(backup_sh archive-command)
  render settings "$PG_TEMPLATES/ncp-servers.conf.template" PG_PORT PG_SOCKET_DIR PG_ARCHIVE PG_ARCHIVE_COMMAND
  printf '%s' "$settings" | as_pg tee "$PG_DATA/ncp-servers.conf" >/dev/null
}

pg_psql_admin() {
  as_pg "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCKET_DIR" -p "$(pg_running_port)" -U postgres -d postgres
}

pg_ensure_objects() {
  local PG_NCP_PASSWORD sql
  # shellcheck disable=SC2034 # read by render, by name
  PG_NCP_PASSWORD=$(ensure_secret "$PG_PASSWORD_FILE")
  render sql "$PG_TEMPLATES/roles.sql.template" PG_NCP_PASSWORD
  # On stdin, so the password shows in no process's arguments.
  printf '%s' "$sql" | pg_psql_admin >/dev/null ||
    die "postgres: could not create role/databases (log: $PG_LOG)"
}

pg_start() {
  if pg_running; then
    say "postgres: already running on 127.0.0.1:$(pg_running_port)"
    [[ $(pg_running_port) == "$PG_PORT" ]] ||
      warn "postgres runs on port $(pg_running_port), not NCP_PG_PORT=$PG_PORT; stop it first to change the port"
    pg_ensure_objects
    return 0
  fi
  local socket_path=$PG_SOCKET_DIR/.s.PGSQL.$PG_PORT
  ((${#socket_path} < 108)) ||
    die "postgres: socket path $socket_path is longer than Unix allows (107 bytes); set NCP_DATA_DIR to a shorter path"
  require_free_port "$PG_PORT" NCP_PG_PORT
  pg_wait_for_dead_postmaster
  pg_prepare_dirs
  pg_init
  backup_sh configure
  pg_write_settings
  local out
  # pg_ctl hands the postmaster its own log, so no pipe of ours stays open; fd 9 is the lock.
  if ! out=$(as_pg "$PG_BIN/pg_ctl" start -w -t 60 -D "$PG_DATA" -l "$PG_LOG" 2>&1 </dev/null 9>&-); then
    die "postgres did not start: ${out##*$'\n'}; last log lines:
$(tail -n 5 "$PG_LOG" 2>/dev/null)"
  fi
  pg_ensure_objects
  # The stanza is created on the first start; archive-push fails (and PostgreSQL retries) until it exists.
  backup_sh stanza
  say "postgres: started on 127.0.0.1:$PG_PORT (data $PG_DATA, log $PG_LOG)"
}

pg_stop() {
  if ! pg_running; then
    say "postgres: not running"
    return 0
  fi
  local out
  out=$(as_pg "$PG_BIN/pg_ctl" stop -D "$PG_DATA" -m fast -w -t 60 2>&1 </dev/null) ||
    die "postgres did not stop: $out"
  say "postgres: stopped"
}

pg_status() {
  if pg_running; then
    say "postgres: running on 127.0.0.1:$(pg_running_port) (pid $(head -n 1 "$PG_DATA/postmaster.pid"), data $PG_DATA)"
  else
    say "postgres: not running"
    return 1
  fi
}

# psql as ncp on database ncp (infra/servers.sh psql).
pg_psql() {
  pg_running || die "postgres is not running; run infra/servers.sh start postgres"
  PGPASSWORD=$(head -n 1 "$PG_PASSWORD_FILE") exec "$PG_BIN/psql" \
    -h 127.0.0.1 -p "$(pg_running_port)" -U ncp -d ncp "$@"
}

# Its lines of servers.env, once it has a password.
pg_settings() {
  [[ -s $PG_PASSWORD_FILE ]] || return 0
  local port=$PG_PORT password
  pg_running && port=$(pg_running_port)
  password=$(head -n 1 "$PG_PASSWORD_FILE")
  printf 'export ConnectionStrings__Postgres=%s\n' \
    "$(quote "Host=127.0.0.1;Port=$port;Database=ncp;Username=ncp;Password=$password")"
  printf 'export ConnectionStrings__PostgresTest=%s\n' \
    "$(quote "Host=127.0.0.1;Port=$port;Database=ncp_test;Username=ncp;Password=$password")"
  printf 'export NCP_PG_BIN=%s\n' "$PG_BIN"
  printf 'export NCP_PG_PORT=%s\n' "$port"
  printf 'export NCP_PG_PASSWORD=%s\n' "$(quote "$password")"
}
