#!/usr/bin/env bash
# ./ncp up|down|status|test|chaos --cluster: two Api and two Worker instances behind HAProxy, a three-node RabbitMQ
# cluster and PostgreSQL as a primary with a streaming standby, all on this machine, on ports and data of their own
# (infra/cluster/common.sh), beside the single-node servers of infra/servers.sh. Mail: one Postfix/Dovecot of its own
# (infra/servers.sh start mail with the cluster's data folder). See docs/deployment.md, "A cluster on one machine".
#
#   cluster.sh up               build, start what is missing, apply the schemas, wait until every instance is ready
#   cluster.sh down             stop everything of the cluster (data stays in NCP_CLUSTER_DIR)
#   cluster.sh status           one line per server and instance
#   cluster.sh promote          PostgreSQL failover: the standby becomes the primary (infra/cluster/promote.sh)
#   cluster.sh start [NAME...]  start what is not running (after a kill), without building; an old primary rejoins;
#                               with names (api2 worker2), only those instances, once ready
#   cluster.sh stop NAME...     stop those instances (SIGTERM, as a supervisor would); HAProxy routes to the others
#   cluster.sh kill WHAT        kill -9 one of api1 api2 worker1 worker2 rabbit1 rabbit2 rabbit3 pg-primary
#   cluster.sh test             the tests of Ncp.Tests/Cluster against the cluster (started first when it is not running);
#                               prints the recovery time per kill (also kept in NCP_CLUSTER_DIR/recovery.tsv);
#                               NCP_CLUSTER_KILLS="pg-primary api2" kills only those (default: api1 worker1 rabbit1 pg-primary)
#   cluster.sh chaos            the kill test NCP_CHAOS_KILLS times [3], then the recovery per kill: p50 and max
#   cluster.sh env              print the path of cluster.env (the instances' settings; the cluster tests read it)
# shellcheck source=infra/cluster/common.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/common.sh"

API_DLL=$ROOT/Ncp.Api/bin/$CONFIGURATION/net10.0/Ncp.Api.dll
WORKER_DLL=$ROOT/Ncp.Worker/bin/$CONFIGURATION/net10.0/Ncp.Worker.dll
INSTANCES=(api1 api2 worker1 worker2)

mail_servers() { # start|stop|status
  NCP_DATA_DIR=$SINGLE_DIR NCP_SMTP_PORT=${MAIL_PORTS[0]} NCP_IMAP_PORT=${MAIL_PORTS[1]} NCP_LMTP_PORT=${MAIL_PORTS[2]} \
    NCP_PG_PORT=$((MAIL_PORTS[0] + 1)) NCP_RABBIT_PORT=$((MAIL_PORTS[0] + 2)) NCP_RABBIT_MGMT_PORT=$((MAIL_PORTS[0] + 3)) \
    NCP_RABBIT_DIST_PORT=$((MAIL_PORTS[0] + 4)) NCP_EPMD_PORT=$EPMD_PORT "$ROOT/infra/servers.sh" "$1" mail
}

instance_port() {
  case $1 in
    api1) echo "${API_PORTS[0]}" ;; api2) echo "${API_PORTS[1]}" ;;
    worker1) echo "${WORKER_PORTS[0]}" ;; worker2) echo "${WORKER_PORTS[1]}" ;;
    *) die "no instance $1 (${INSTANCES[*]})" ;;
  esac
}
instance_pid() { local pid; pid=$(cat "$RUN_DIR/$1.pid" 2>/dev/null) && pid_alive "$pid" && echo "$pid"; }
ready() { # port
  local status
  exec 3<>"/dev/tcp/127.0.0.1/$1" || return 1
  printf 'GET /health/ready HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
  read -r _ status _ <&3 || status=0
  exec 3>&-
  [[ $status == 200 ]]
} 2>/dev/null

# The instances' settings: the multi-host connection string (Npgsql goes to whichever node accepts writes), every
# RabbitMQ node, quorum queues, and the mail servers and keys of the cluster's data folder.
write_env() {
  local pg_password rabbit_password nodes="" port
  pg_password=$(secret "$SECRETS/postgres-ncp.password")
  rabbit_password=$(secret "$SECRETS/rabbitmq-ncp.password")
  for port in "${RABBIT_PORTS[@]}"; do nodes+="${nodes:+,}127.0.0.1:$port"; done
  (
    umask 077
    {
      printf '# Written by infra/cluster/cluster.sh up: the settings of every Api and Worker instance of the cluster.\n'
      printf 'export NCP_CLUSTER_DIR=%q\n' "$CLUSTER_DIR"
      printf 'export NCP_CLUSTER_URL=http://127.0.0.1:%s\n' "$HTTP_PORT"
      printf 'export NCP_CLUSTER_API_PORTS=%q\n' "${API_PORTS[*]}"
      printf 'export NCP_CLUSTER_WORKER_PORTS=%q\n' "${WORKER_PORTS[*]}"
      printf 'export ASPNETCORE_ENVIRONMENT=%s\n' "${ASPNETCORE_ENVIRONMENT:-Development}"
      printf "export ConnectionStrings__Postgres='%s'\n" \
        "Host=127.0.0.1:${PG_PORTS[0]},127.0.0.1:${PG_PORTS[1]};Database=ncp;Username=ncp;Password=$pg_password;Target Session Attributes=primary;Host Recheck Seconds=2"
      printf 'export RabbitMq__Host=127.0.0.1\nexport RabbitMq__Port=%s\nexport RabbitMq__Nodes=%s\n' "${RABBIT_PORTS[0]}" "$nodes"
      printf 'export RabbitMq__QuorumQueues=true\nexport RabbitMq__VirtualHost=ncp\nexport RabbitMq__Username=ncp\n'
      printf "export RabbitMq__Password='%s'\n" "$rabbit_password"
      # Every node's management API, asked in turn: one node down leaves the dead letters readable.
      printf 'export RabbitMq__ManagementUrl=%s\n' "$(printf 'http://127.0.0.1:%s/,' "$((RABBIT_PORTS[0] + 3))" "$((RABBIT_PORTS[1] + 3))" "$((RABBIT_PORTS[2] + 3))" | sed 's/,$//')"
      grep -E '^export (Smtp|Imap|Mail)__' "$SINGLE_DIR/servers.env" "$SINGLE_DIR/keys/keys.env" | cut -d: -f2-
    } >"$CLUSTER_ENV.tmp"
  )
  mv -f "$CLUSTER_ENV.tmp" "$CLUSTER_ENV"
}

start_instance() { # name
  local name=$1 port dll dir
  instance_pid "$name" >/dev/null && return 0
  port=$(instance_port "$name")
  require_free "$port" "$name"
  case $name in api*) dll=$API_DLL dir=$ROOT/Ncp.Api ;; *) dll=$WORKER_DLL dir=$ROOT/Ncp.Worker ;; esac
  # Its own session: a Ctrl-C in the terminal that ran ./ncp up --cluster does not reach it; ./ncp down --cluster does.
  (
    # shellcheck disable=SC1090
    source "$CLUSTER_ENV"
    cd "$dir" && exec setsid dotnet "$dll" --urls "http://127.0.0.1:$port"
  ) </dev/null >>"$LOG_DIR/$name.log" 2>&1 &
  echo $! >"$RUN_DIR/$name.pid"
}

wait_ready() { # name...
  local name deadline=$((SECONDS + 120))
  for name in "$@"; do
    until ready "$(instance_port "$name")"; do
      instance_pid "$name" >/dev/null || die "$name exited while starting; its log: $LOG_DIR/$name.log"
      ((SECONDS < deadline)) || die "$name is not ready after 120 s; see $LOG_DIR/$name.log"
      sleep 0.5
    done
  done
}

stop_instance() { # name
  local pid
  pid=$(instance_pid "$1") || return 0
  kill -TERM "$pid"
  wait_gone "$pid" 30 || kill -9 "$pid"
  rm -f "$RUN_DIR/$1.pid"
  say "$1 stopped"
}

servers_start() {
  NCP_DATA_DIR=$SINGLE_DIR "$ROOT/infra/keys.sh" >/dev/null </dev/null || die "infra/keys.sh (cluster) failed"
  mail_servers start >"$LOG_DIR/mail.log" 2>&1 || die "mail did not start: $(tail -n 3 "$LOG_DIR/mail.log")"
  # RabbitMQ's three boots take the longest; PostgreSQL starts meanwhile.
  "$CLUSTER_SCRIPTS/rabbitmq-cluster.sh" start &
  local rabbit=$!
  "$CLUSTER_SCRIPTS/postgres-standby.sh" start || { wait "$rabbit"; exit 1; }
  wait "$rabbit" || exit 1
  write_env
}

cmd_up() {
  command -v dotnet >/dev/null || die "the .NET SDK (10.0) is not on PATH"
  local started=$SECONDS
  say "building ($CONFIGURATION) while the servers start..."
  dotnet build "$ROOT/Ncp.sln" -c "$CONFIGURATION" -nologo -v quiet -clp:ErrorsOnly >"$LOG_DIR/build.log" 2>&1 &
  local build=$!
  servers_start
  wait "$build" || die "the build failed: $(grep -m 3 error "$LOG_DIR/build.log")"
  local servers_ready=$((SECONDS - started))
  say "applying the schemas and declaring the queues..."
  (
    # shellcheck disable=SC1090
    source "$CLUSTER_ENV"
    cd "$ROOT/Ncp.Api" && dotnet "$API_DLL" migrate >"$LOG_DIR/migrate-api.log" 2>&1 || exit 1
    cd "$ROOT/Ncp.Worker" && dotnet "$WORKER_DLL" migrate >"$LOG_DIR/migrate-worker.log" 2>&1
  ) || die "migrate failed; see $LOG_DIR/migrate-api.log and migrate-worker.log"
  cmd_start_instances
  cat <<READY

  The Ncp cluster is running, ready in $((SECONDS - started)) s (servers in $servers_ready s).
    Web UI, API   http://127.0.0.1:$HTTP_PORT/   (HAProxy, sticky by the cookie ncp_server; statistics http://127.0.0.1:$STATS_PORT/)
    Api           http://127.0.0.1:${API_PORTS[0]}/ and :${API_PORTS[1]}/     Worker health :${WORKER_PORTS[0]} and :${WORKER_PORTS[1]}
    PostgreSQL    127.0.0.1:${PG_PORTS[0]} (primary) and :${PG_PORTS[1]} (standby); failover: infra/cluster/promote.sh
    RabbitMQ      127.0.0.1:${RABBIT_PORTS[0]}, :${RABBIT_PORTS[1]}, :${RABBIT_PORTS[2]} (one cluster, quorum queues)
    Mail          SMTP 127.0.0.1:${MAIL_PORTS[0]}, IMAP 127.0.0.1:${MAIL_PORTS[1]}
    Settings      $CLUSTER_ENV      Logs $LOG_DIR/
  ./ncp status --cluster shows them, ./ncp test --cluster kills one of each, ./ncp down --cluster stops them.
READY
}

cmd_start_instances() {
  local name
  for name in "${INSTANCES[@]}"; do start_instance "$name"; done
  wait_ready "${INSTANCES[@]}"
  "$CLUSTER_SCRIPTS/haproxy.sh" start
}

cmd_down() {
  local name
  "$CLUSTER_SCRIPTS/haproxy.sh" stop
  for name in "${INSTANCES[@]}"; do stop_instance "$name" & done
  wait
  "$CLUSTER_SCRIPTS/rabbitmq-cluster.sh" stop
  "$CLUSTER_SCRIPTS/postgres-standby.sh" stop
  mail_servers stop >>"$LOG_DIR/mail.log" 2>&1 && say "mail: stopped"
}

cmd_status() {
  local rc=0 name
  "$CLUSTER_SCRIPTS/haproxy.sh" status || rc=3
  for name in "${INSTANCES[@]}"; do
    if ! instance_pid "$name" >/dev/null; then
      say "$name: not running"; rc=3
    elif ready "$(instance_port "$name")"; then
      say "$name: ready on 127.0.0.1:$(instance_port "$name") (pid $(instance_pid "$name"))"
    else
      say "$name: running on 127.0.0.1:$(instance_port "$name") (pid $(instance_pid "$name")) but not ready"; rc=3
    fi
  done
  "$CLUSTER_SCRIPTS/rabbitmq-cluster.sh" status || rc=3
  "$CLUSTER_SCRIPTS/postgres-standby.sh" status || rc=3
  mail_servers status | sed 's/^/cluster: /' || rc=3
  return "$rc"
}

cmd_kill() {
  local pid
  case ${1:-} in
    api1 | api2 | worker1 | worker2)
      pid=$(instance_pid "$1") || die "$1 is not running"
      kill -9 "$pid"
      say "killed $1 (pid $pid)"
      ;;
    rabbit[123]) "$CLUSTER_SCRIPTS/rabbitmq-cluster.sh" kill "${1#rabbit}" ;;
    pg-primary) "$CLUSTER_SCRIPTS/postgres-standby.sh" kill-primary ;;
    *) die "usage: cluster.sh kill api1|api2|worker1|worker2|rabbit1|rabbit2|rabbit3|pg-primary" ;;
  esac
}

# Only the tests marked [Trait("Category", "Cluster")]: they kill parts of this cluster, which plain ./ncp test never does.
cmd_test() {
  cmd_status >/dev/null 2>&1 || cmd_up
  local results=$ROOT/artifacts/test-results-cluster status=0 before
  before=$(recovery_lines)
  rm -rf "$results"
  dotnet build "$ROOT/Ncp.Tests/Ncp.Tests.csproj" -c "$CONFIGURATION" -nologo -v quiet -clp:ErrorsOnly >"$LOG_DIR/build.log" 2>&1 ||
    die "the build failed: $(grep -m 3 error "$LOG_DIR/build.log")"
  NCP_CLUSTER_DIR=$CLUSTER_DIR dotnet test "$ROOT/Ncp.Tests/Ncp.Tests.csproj" -c "$CONFIGURATION" --no-build -nologo \
    --filter "Category=Cluster${NCP_CLUSTER_TEST_FILTER:+&$NCP_CLUSTER_TEST_FILTER}" --logger "console;verbosity=detailed" --logger "trx;LogFilePrefix=cluster" \
    --results-directory "$results" || status=$?
  (($(recovery_lines) > before)) && { say "recovery per kill (this run):"; tail -n +$((before + 1)) "$CLUSTER_DIR/recovery.tsv"; }
  return "$status"
}

# Lines in recovery.tsv, where the tests add one per kill: what a run added is what follows the count taken before it.
recovery_lines() {
  if [[ -f $CLUSTER_DIR/recovery.tsv ]]; then wc -l <"$CLUSTER_DIR/recovery.tsv"; else echo 0; fi
}

cmd_chaos() {
  local kills=${NCP_CHAOS_KILLS:-3} i failed=0 started before
  started=$(date -u '+%F %T')
  before=$(recovery_lines)
  for ((i = 1; i <= kills; i++)); do
    say "chaos: round $i of $kills"
    NCP_CLUSTER_TEST_FILTER="FullyQualifiedName~Killing_an_Api" cmd_test >"$LOG_DIR/chaos-$i.log" 2>&1 || failed=$((failed + 1))
  done
  say "chaos: $kills rounds since $started, $failed failed (logs $LOG_DIR/chaos-*.log); seconds until work flowed again:"
  tail -n +$((before + 1)) "$CLUSTER_DIR/recovery.tsv" | awk -F'\t' '
    { t = $1; s = match($2, /again after [0-9.]+ s/) ? substr($2, RSTART + 12, RLENGTH - 14) + 0 : 999; n[t]++; v[t, n[t]] = s; if (s > max[t]) max[t] = s }
    END { for (t in n) { m = n[t]; for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (v[t, j] < v[t, i]) { x = v[t, i]; v[t, i] = v[t, j]; v[t, j] = x }
          printf "  %-24s p50 %5.1f s   max %5.1f s   (%d kills)\n", t, v[t, int((m + 1) / 2)], max[t], m } }'
  ((failed == 0))
}

case ${1:-} in
  up) cmd_up ;;
  chaos) cmd_chaos ;;
  test) cmd_test ;;
  down) cmd_down ;;
  status) cmd_status ;;
  promote) exec "$CLUSTER_SCRIPTS/promote.sh" ;;
  start)
    if (($# > 1)); then
      for name in "${@:2}"; do start_instance "$name"; done
      wait_ready "${@:2}"
    else
      servers_start
      cmd_start_instances
    fi
    ;;
  stop)
    (($# > 1)) || die "usage: cluster.sh stop ${INSTANCES[*]}"
    for name in "${@:2}"; do instance_port "$name" >/dev/null && stop_instance "$name"; done
    ;;
  kill) cmd_kill "${2:-}" ;;
  env) echo "$CLUSTER_ENV" ;;
  *) sed -n '2,19p' "$0" >&2; exit 2 ;;
esac
