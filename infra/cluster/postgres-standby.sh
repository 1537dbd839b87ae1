#!/usr/bin/env bash
# PostgreSQL 15 as a primary with a streaming standby, on one machine: two data folders, two ports, no systemd.
#
#   postgres-standby.sh start     the primary (initdb with data checksums, the replication role) and the standby
#                                 (pg_basebackup -R over a slot); a node a failover left behind rejoins as a standby
#                                 (pg_rewind from the new primary) before it starts, so there is never a second primary
#   postgres-standby.sh stop      both, fast
#   postgres-standby.sh status    which node is primary, which follows, and the standby's lag
#   postgres-standby.sh promote   failover: the standby becomes the primary (the old one should be down: see promote.sh)
#   postgres-standby.sh kill-primary   kill -9 the primary's postmaster (the tests' and chaos's way to lose it)
#   postgres-standby.sh primary-port   prints the port of the node that is primary now
#
# Nodes are named pg1 and pg2 (ports NCP_CLUSTER_PG_PORTS); $PG_DIR/primary names the one that should lead.
# shellcheck source=infra/cluster/common.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/common.sh"

PG_BIN=${NCP_PG_BIN:-/usr/lib/postgresql/15/bin}
PG_DIR=$CLUSTER_DIR/postgres
NODES=(pg1 pg2)
data_of() { echo "$PG_DIR/$1/data"; }
socket_of() { echo "$PG_DIR/$1/socket"; }
port_of() { [[ $1 == pg1 ]] && echo "${PG_PORTS[0]}" || echo "${PG_PORTS[1]}"; }
other() { [[ $1 == pg1 ]] && echo pg2 || echo pg1; }
leader() { cat "$PG_DIR/primary" 2>/dev/null || echo pg1; }

as_pg() { runuser -u postgres -- "$@"; }
postmaster_pid() { head -n 1 "$(data_of "$1")/postmaster.pid" 2>/dev/null || true; }
running() { pid_alive "$(postmaster_pid "$1")"; }
psql_on() { # node sql
  as_pg "$PG_BIN/psql" -X -q -At -v ON_ERROR_STOP=1 -h "$(socket_of "$1")" -p "$(port_of "$1")" -U postgres -d postgres -c "$2"
}
in_recovery() { [[ $(psql_on "$1" 'select pg_is_in_recovery()' 2>/dev/null) == t ]]; }

write_settings() { # node
  render "$CLUSTER_SCRIPTS/postgresql.conf.template" PORT="$(port_of "$1")" SOCKET="$(socket_of "$1")" |
    as_pg tee "$(data_of "$1")/ncp-cluster.conf" >/dev/null
}

pg_start_node() { # node
  local data log out
  data=$(data_of "$1")
  log=$PG_DIR/$1.log
  running "$1" && return 0
  require_free "$(port_of "$1")" "PostgreSQL $1"
  # A killed postmaster may be an unreaped zombie a while; postgres refuses to start while its PID exists.
  local pid
  pid=$(postmaster_pid "$1")
  [[ -z $pid ]] || wait_gone "$pid" 15 || true
  as_pg mkdir -p "$(socket_of "$1")"
  write_settings "$1"
  out=$(as_pg "$PG_BIN/pg_ctl" start -w -t 60 -D "$data" -l "$log" 2>&1 </dev/null) ||
    die "postgres $1 did not start: ${out##*$'\n'}; $(tail -n 3 "$log")"
}

init_primary() { # node
  local data password replicator
  data=$(data_of "$1")
  say "postgres: creating the primary $1 (data checksums, so that pg_rewind can bring an old primary back)"
  password=$(secret "$SECRETS/postgres-ncp.password")
  replicator=$(secret "$SECRETS/postgres-replicator.password")
  mkdir -p "$PG_DIR/$1"
  chown -R postgres:postgres "$PG_DIR"
  chmod 700 "$PG_DIR/$1"
  as_pg "$PG_BIN/initdb" -D "$data" -U postgres --data-checksums --auth-local=trust --auth-host=scram-sha-256 \
    --encoding=UTF8 --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 </dev/null || die "initdb failed: $(tail -n 3 "$PG_DIR/initdb.log")"
  printf "\ninclude_if_exists = 'ncp-cluster.conf'\n" | as_pg tee -a "$data/postgresql.conf" >/dev/null
  printf 'host replication replicator 127.0.0.1/32 scram-sha-256\n' | as_pg tee -a "$data/pg_hba.conf" >/dev/null
  pg_start_node "$1"
  psql_on "$1" "create role ncp login createdb password '$password'" >/dev/null
  psql_on "$1" "create database ncp owner ncp" >/dev/null
  psql_on "$1" "create role replicator replication login password '$replicator'" >/dev/null
  echo "$1" >"$PG_DIR/primary"
}

init_standby() { # node: a fresh copy of the leader, following it
  local data leader
  data=$(data_of "$1")
  leader=$(leader)
  say "postgres: copying $leader into the standby $1 (pg_basebackup -R, slot ${1}_slot)"
  rm -rf "$data"
  mkdir -p "$PG_DIR/$1"
  chown postgres:postgres "$PG_DIR/$1"
  chmod 700 "$PG_DIR/$1"
  psql_on "$leader" "select pg_drop_replication_slot('${1}_slot') from pg_replication_slots where slot_name = '${1}_slot'" >/dev/null
  as_pg env PGPASSWORD="$(secret "$SECRETS/postgres-replicator.password")" \
    "$PG_BIN/pg_basebackup" -h 127.0.0.1 -p "$(port_of "$leader")" -U replicator -D "$data" -R -X stream -C -S "${1}_slot" -c fast \
    >"$PG_DIR/basebackup.log" 2>&1 </dev/null || die "pg_basebackup failed: $(tail -n 3 "$PG_DIR/basebackup.log")"
}

# A node that led before a failover has writes the new primary never saw: pg_rewind winds it back to where they parted
# (it finishes the killed node's crash recovery first), then it follows the new primary over its own slot.
rejoin() { # node
  local data leader
  data=$(data_of "$1")
  leader=$(leader)
  say "postgres: $1 led before the failover; winding it back to $leader (pg_rewind) to follow it"
  # A just-promoted primary names its new timeline in its control file only after its first checkpoint; before that
  # pg_rewind reads the old timeline, says "no rewind required", and the old primary then never follows (and a second
  # failover would promote it with none of the writes since the first one).
  psql_on "$leader" "checkpoint" >/dev/null
  if ! as_pg "$PG_BIN/pg_rewind" -D "$data" --source-server="host=$(socket_of "$leader") port=$(port_of "$leader") user=postgres dbname=postgres" \
    >"$PG_DIR/rewind.log" 2>&1 </dev/null; then
    say "postgres: pg_rewind failed ($(tail -n 1 "$PG_DIR/rewind.log")); copying $leader afresh instead"
    init_standby "$1"
    return
  fi
  psql_on "$leader" "select pg_create_physical_replication_slot('${1}_slot') where not exists
    (select from pg_replication_slots where slot_name = '${1}_slot')" >/dev/null
  as_pg touch "$data/standby.signal"
  # pg_rewind copied the leader's auto.conf (which may name the other as primary): the connection to follow is set again.
  as_pg sed -i '/^primary_conninfo\|^primary_slot_name/d' "$data/postgresql.auto.conf"
  printf "primary_conninfo = 'host=127.0.0.1 port=%s user=replicator password=%s application_name=%s'\nprimary_slot_name = '%s'\n" \
    "$(port_of "$leader")" "$(secret "$SECRETS/postgres-replicator.password")" "$1" "${1}_slot" |
    as_pg tee -a "$data/postgresql.auto.conf" >/dev/null
}

cmd_start() {
  local leader follower
  leader=$(leader)
  follower=$(other "$leader")
  mkdir -p "$PG_DIR"
  chown postgres:postgres "$PG_DIR"
  chmod 700 "$PG_DIR"
  if [[ -f $(data_of "$leader")/PG_VERSION ]]; then
    pg_start_node "$leader"
  else
    init_primary "$leader"
  fi
  in_recovery "$leader" && die "postgres: $leader should lead but is a standby; promote it (infra/cluster/promote.sh)"
  if [[ ! -f $(data_of "$follower")/PG_VERSION ]]; then
    init_standby "$follower"
  elif [[ ! -f $(data_of "$follower")/standby.signal ]] && ! running "$follower"; then
    rejoin "$follower"
  fi
  pg_start_node "$follower"
  in_recovery "$follower" || die "postgres: $follower runs as a second primary; stop it and run start again (it rejoins)"
  say "postgres: primary $leader on 127.0.0.1:$(port_of "$leader"), standby $follower on 127.0.0.1:$(port_of "$follower")"
}

cmd_stop() {
  local node
  for node in "${NODES[@]}"; do
    running "$node" || continue
    as_pg "$PG_BIN/pg_ctl" stop -D "$(data_of "$node")" -m fast -w -t 60 >/dev/null 2>&1 </dev/null || die "postgres $node did not stop"
    say "postgres: $node stopped"
  done
}

cmd_status() {
  local node rc=0
  for node in "${NODES[@]}"; do
    if ! running "$node"; then
      say "postgres: $node (127.0.0.1:$(port_of "$node")) not running"
      rc=3
    elif in_recovery "$node"; then
      say "postgres: $node (127.0.0.1:$(port_of "$node")) standby, $(psql_on "$node" "select status from pg_stat_wal_receiver" || echo '?') ($(
        psql_on "$node" "select coalesce(round(extract(epoch from now() - pg_last_xact_replay_timestamp())::numeric, 1)::text, '-')") s behind)"
    else
      say "postgres: $node (127.0.0.1:$(port_of "$node")) primary, standbys: $(psql_on "$node" \
        "select coalesce(string_agg(application_name || ' ' || state, ', '), 'none') from pg_stat_replication")"
    fi
  done
  return "$rc"
}

cmd_promote() {
  local leader follower started
  leader=$(leader)
  follower=$(other "$leader")
  running "$follower" || die "postgres: the standby $follower is not running: nothing to promote"
  in_recovery "$follower" || die "postgres: $follower is already a primary"
  if running "$leader"; then
    # Two primaries would each take writes: the old one is stopped first (it rejoins as a standby at the next start).
    say "postgres: stopping the old primary $leader first"
    as_pg "$PG_BIN/pg_ctl" stop -D "$(data_of "$leader")" -m fast -w -t 60 >/dev/null 2>&1 </dev/null || true
  fi
  started=$(date +%s.%N)
  as_pg "$PG_BIN/pg_ctl" promote -w -t 60 -D "$(data_of "$follower")" >/dev/null 2>&1 </dev/null || die "postgres: promoting $follower failed"
  echo "$follower" >"$PG_DIR/primary"
  say "postgres: $follower (127.0.0.1:$(port_of "$follower")) is the primary now (promoted in $(awk -v a="$started" -v b="$(date +%s.%N)" \
    'BEGIN { printf "%.2f", b - a }') s); infra/cluster/postgres-standby.sh start brings $leader back as its standby"
}

case ${1:-} in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  promote) cmd_promote ;;
  kill-primary)
    pid=$(postmaster_pid "$(leader)")
    pid_alive "$pid" || die "postgres: the primary $(leader) is not running"
    kill -9 "$pid"
    say "postgres: killed the primary $(leader) (pid $pid)"
    ;;
  primary-port) port_of "$(leader)" ;;
  *) sed -n '2,13p' "$0" >&2; exit 2 ;;
esac
