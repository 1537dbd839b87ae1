#!/usr/bin/env bash
# Backups of the project's PostgreSQL with pgBackRest (Debian's): base backups plus the continuous WAL archive that
# infra/servers.sh turns on (archive_command = pgbackrest archive-push), so a restore can stop at any moment.
# Everything Ncp keeps is in that one PostgreSQL: the Api's event store, read models and attachment bytes
# (<api schema>.attachment_contents) and the Worker's raw inbound mail, sent MIME, timers and ledgers (worker.*).
# Our private keys are files from the unit's PKI and are backed up with it, not here (docs/deployment.md).
#
#   infra/backup.sh configure              write the pgBackRest configuration (servers.sh, before postgres starts)
#   infra/backup.sh stanza                 create the stanza if it is missing (servers.sh, once postgres runs)
#   infra/backup.sh backup [full|diff|incr] a backup (full when there is none yet, else incr), then expire old ones
#   infra/backup.sh info                   the backups kept and the archived WAL range
#   infra/backup.sh restore --to TIME [--into DIR] [--port PORT] [--no-start]
#                                          point-in-time restore into a fresh data folder (never the live one), started
#                                          on another port for inspection; it archives nothing
#   infra/backup.sh restore --to TIME --replace --yes
#                                          stop the live PostgreSQL, keep its folder aside, restore in its place, start
#
# Environment: NCP_DATA_DIR [<repo>/.data], NCP_PG_PORT [55432], NCP_BACKUP_DIR [$NCP_DATA_DIR/backup] (the repository:
# put it on another disk or host in production), NCP_BACKUP_RETENTION_FULL [2].
set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd -- "$SCRIPT_DIR/.." && pwd)
DATA_DIR=${NCP_DATA_DIR:-$REPO_ROOT/.data}
[[ -e $DATA_DIR ]] && DATA_DIR=$(readlink -f "$DATA_DIR")
PG_BIN=${NCP_PG_BIN:-/usr/lib/postgresql/15/bin}
PG_DIR=$DATA_DIR/postgres
PG_DATA=$PG_DIR/data
PG_SOCKET_DIR=$PG_DIR/socket
PG_PORT=${NCP_PG_PORT:-55432}
BACKUP_DIR=${NCP_BACKUP_DIR:-$DATA_DIR/backup}
CONF=$BACKUP_DIR/pgbackrest.conf
STANZA=ncp
PGBACKREST=/usr/bin/pgbackrest

say() { printf 'backup: %s\n' "$*"; }
die() { printf 'backup: error: %s\n' "$*" >&2; exit 1; }

usage() {
  sed -n '/^#   infra/,/^#$/p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

# pgBackRest, like PostgreSQL, works as the user that owns the data folder.
as_pg() {
  if [[ $EUID -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pgbackrest() { as_pg "$PGBACKREST" --config="$CONF" --stanza="$STANZA" "$@"; }

ensure_installed() {
  [[ -x $PGBACKREST ]] && return 0
  [[ $EUID -eq 0 ]] || die "pgbackrest is not installed: sudo apt-get install -y --no-install-recommends pgbackrest"
  say "installing pgbackrest with apt-get (log: $DATA_DIR/apt-pgbackrest.log)"
  local -a apt=(env DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=300)
  { "${apt[@]}" install -y --no-install-recommends pgbackrest || { "${apt[@]}" update && "${apt[@]}" install -y --no-install-recommends pgbackrest; }; } \
    >"$DATA_DIR/apt-pgbackrest.log" 2>&1 </dev/null || die "apt-get could not install pgbackrest (log: $DATA_DIR/apt-pgbackrest.log)"
}

running_port() {
  local port
  port=$(sed -n 4p "$PG_DATA/postmaster.pid" 2>/dev/null || true)
  printf '%s\n' "${port:-$PG_PORT}"
}

pg_running() { [[ -f $PG_DATA/postmaster.pid ]] && as_pg "$PG_BIN/pg_ctl" status -D "$PG_DATA" >/dev/null 2>&1; }

# The archive_command of servers.sh names this file: it must exist before postgres starts.
cmd_configure() {
  ensure_installed
  mkdir -p "$BACKUP_DIR"
  [[ $EUID -eq 0 ]] && chown postgres:postgres "$BACKUP_DIR"
  chmod 750 "$BACKUP_DIR"
  as_pg mkdir -p "$BACKUP_DIR/repo" "$BACKUP_DIR/log" "$BACKUP_DIR/lock" "$BACKUP_DIR/spool"
  local tmp
  tmp=$(as_pg mktemp "$BACKUP_DIR/.conf.XXXXXX")
  as_pg tee "$tmp" >/dev/null <<EOF
# Written by infra/backup.sh configure; rewritten at every start of infra/servers.sh.
[global]
repo1-path=$BACKUP_DIR/repo
repo1-retention-full=${NCP_BACKUP_RETENTION_FULL:-2}
log-path=$BACKUP_DIR/log
lock-path=$BACKUP_DIR/lock
spool-path=$BACKUP_DIR/spool
log-level-console=warn
log-level-file=info
start-fast=y
# WAL is archived all day while officers work: zstd's fastest level costs little CPU and still shrinks WAL several times.
compress-type=zst
compress-level=1
# A repository out of reach must not fill pg_wal and stop the database: past this, WAL is dropped (with a warning in
# PostgreSQL's log) and point-in-time recovery has a gap until the next backup.
archive-push-queue-max=4GiB

[$STANZA]
pg1-path=$PG_DATA
pg1-port=$(running_port)
pg1-socket-path=$PG_SOCKET_DIR
pg1-user=postgres
EOF
  as_pg mv -f "$tmp" "$CONF"
}

# The line servers.sh puts in postgresql.conf.
cmd_archive_command() {
  printf "%s --config=%s --stanza=%s archive-push %%p\n" "$PGBACKREST" "$CONF" "$STANZA"
}

cmd_stanza() {
  pg_running || die "postgres is not running (infra/servers.sh start postgres)"
  [[ -f $CONF ]] || cmd_configure
  pgbackrest stanza-create >/dev/null || die "stanza-create failed (log: $BACKUP_DIR/log)"
}

has_backup() {
  pgbackrest info --output=json 2>/dev/null | grep -q '"backup":\[{'
}

cmd_backup() {
  local type=${1:-}
  pg_running || die "postgres is not running (infra/servers.sh start postgres)"
  cmd_configure
  cmd_stanza
  if [[ -z $type ]]; then
    type=incr
    has_backup || type=full
  fi
  [[ $type =~ ^(full|diff|incr)$ ]] || die "backup type $type: one of full, diff, incr"
  local started=$SECONDS
  say "$type backup of $PG_DATA into $BACKUP_DIR/repo..."
  pgbackrest --type="$type" backup || die "the backup failed (log: $BACKUP_DIR/log)"
  say "done in $((SECONDS - started)) s; kept:"
  pgbackrest info | sed 's/^/  /'
}

cmd_info() {
  [[ -f $CONF ]] || die "no backups configured yet in $BACKUP_DIR (run ./ncp backup)"
  pgbackrest info
}

free_port() {
  local port=$1
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  printf '%s\n' "$port"
}

# The restored copy must never archive into the live stanza's history, and listens where it is told.
write_restored_settings() { # data port socket
  as_pg tee -a "$1/postgresql.auto.conf" >/dev/null <<EOF
# Set by infra/backup.sh restore: a copy for inspection.
port = $2
listen_addresses = '127.0.0.1'
unix_socket_directories = '$3'
archive_mode = off
EOF
}

cmd_restore() {
  local to="" into="" port="" start=1 replace=0 yes=0
  while (($#)); do
    case $1 in
      --to) to=${2:?--to needs a time, e.g. '2026-12-05 09:40:00+00'}; shift 2 ;;
      --into) into=${2:?--into needs a folder}; shift 2 ;;
      --port) port=${2:?--port needs a number}; shift 2 ;;
      --no-start) start=0; shift ;;
      --replace) replace=1; shift ;;
      --yes) yes=1; shift ;;
      *) usage ;;
    esac
  done
  [[ -n $to ]] || die "say when to restore to: --to '2026-12-05 09:40:00+00' (a time zone, or the server's)"
  [[ -f $CONF ]] || die "no backups configured in $BACKUP_DIR"
  has_backup || die "no backup in $BACKUP_DIR/repo yet (./ncp backup)"
  # The WAL after TIME must be in the archive, or recovery cannot know it has gone past TIME: while the source runs,
  # `check` switches to a new WAL file and waits until the current one is archived.
  if pg_running; then
    pgbackrest check >/dev/null || die "the live server's WAL could not be archived (pgbackrest check; log: $BACKUP_DIR/log)"
  fi
  local started=$SECONDS
  if ((replace)); then
    restore_replacing "$to" "$yes"
  else
    restore_beside "$to" "$into" "$port" "$start"
  fi
  say "restored to $to in $((SECONDS - started)) s"
}

restore_beside() { # to into port start
  local to=$1 into=$2 port=$3 start=$4
  local folder=${into:-$DATA_DIR/restores/$(date -u +%Y%m%dT%H%M%SZ)}
  [[ ! -e $folder/data || -z $(ls -A "$folder/data" 2>/dev/null) ]] || die "$folder/data is not empty: restore into a fresh folder"
  mkdir -p "$folder"
  [[ $EUID -eq 0 ]] && chown postgres:postgres "$folder"
  chmod 700 "$folder"
  as_pg mkdir -p -m 700 "$folder/data" "$folder/socket"
  say "restoring to $to into $folder/data..."
  pgbackrest --pg1-path="$folder/data" --type=time --target="$to" --target-action=promote --archive-mode=off restore ||
    die "the restore failed (log: $BACKUP_DIR/log)"
  port=${port:-$(free_port $((PG_PORT + 10)))}
  write_restored_settings "$folder/data" "$port" "$folder/socket"
  ((start)) || { say "not started; start it with: runuser -u postgres -- $PG_BIN/pg_ctl start -D $folder/data -l $folder/postgres.log"; return 0; }
  # Recovery replays the WAL up to TIME before the server accepts connections.
  as_pg "$PG_BIN/pg_ctl" start -w -t 600 -D "$folder/data" -l "$folder/postgres.log" >/dev/null </dev/null ||
    die "the restored server did not start; its log: $folder/postgres.log"
  wait_promoted "$folder" "$port"
  say "running on 127.0.0.1:$port (data $folder/data, log $folder/postgres.log); the same users and passwords as the source"
  say "stop it with: runuser -u postgres -- $PG_BIN/pg_ctl stop -D $folder/data -m fast"
}

# pg_ctl returns once connections are accepted; with a time target that is after recovery ends, but the promotion
# (the new timeline) is what makes the copy writable, so it is waited for.
wait_promoted() { # folder port
  local tries=0
  until [[ $(as_pg "$PG_BIN/psql" -X -At -h "$1/socket" -p "$2" -U postgres -d postgres -c 'select pg_is_in_recovery()' 2>/dev/null) == f ]]; do
    ((++tries <= 600)) || die "the restored server is still recovering after 5 minutes; its log: $1/postgres.log"
    sleep 0.5
  done
}

restore_replacing() { # to yes
  local to=$1 yes=$2
  ((yes)) || die "--replace stops the live PostgreSQL and puts the restored one in its place (the old folder is kept aside).
Stop the Api and the Worker first, then run again with --yes."
  local aside
  aside=$PG_DIR/data.before-restore-$(date -u +%Y%m%dT%H%M%SZ)
  "$SCRIPT_DIR/servers.sh" stop postgres
  as_pg mv "$PG_DATA" "$aside"
  as_pg mkdir -m 700 "$PG_DATA"
  say "the live folder is kept in $aside; restoring to $to into $PG_DATA..."
  pgbackrest --type=time --target="$to" --target-action=promote restore || {
    as_pg rm -rf "$PG_DATA"
    as_pg mv "$aside" "$PG_DATA"
    die "the restore failed and the live folder is back in place (log: $BACKUP_DIR/log)"
  }
  # Started here, not by servers.sh: until the promotion the server is read-only, and servers.sh would fail setting up
  # its role. Once promoted, servers.sh finds it running, checks the role and writes servers.env.
  as_pg "$PG_BIN/pg_ctl" start -w -t 600 -D "$PG_DATA" -l "$PG_DIR/postgres.log" >/dev/null </dev/null ||
    die "the restored server did not start; its log: $PG_DIR/postgres.log (the live folder is in $aside)"
  wait_promoted "$PG_DIR" "$(running_port)"
  "$SCRIPT_DIR/servers.sh" start postgres
  say "take a full backup now (./ncp backup full): the restored server writes a new timeline"
}

case ${1:-} in
  configure) cmd_configure ;;
  archive-command) cmd_archive_command ;;
  stanza) cmd_stanza ;;
  backup) shift; cmd_backup "$@" ;;
  info) cmd_info ;;
  restore) shift; cmd_restore "$@" ;;
  *) usage ;;
esac
