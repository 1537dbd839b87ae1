#!/usr/bin/env bash
# Three RabbitMQ 3.10 nodes in one cluster (node1..3@localhost), loopback only, beside the project's own node: their own
# data, ports, Erlang cookie and epmd (NCP_CLUSTER_EPMD_PORT), so stopping or killing them touches nothing else.
# The Api and Worker declare their queues as quorum queues (RabbitMq:QuorumQueues): replicated on all three nodes,
# so a queue keeps its messages and goes on serving while any one node is down.
#
#   rabbitmq-cluster.sh start          start the nodes missing (node2 and node3 join node1 the first time)
#   rabbitmq-cluster.sh stop           stop all three (and the cluster's epmd)
#   rabbitmq-cluster.sh status         which nodes run and which the cluster sees
#   rabbitmq-cluster.sh kill N         kill -9 node N's VM (the tests' and chaos's way to lose one)
#   rabbitmq-cluster.sh ctl N args...  rabbitmqctl against node N
# shellcheck source=infra/cluster/common.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/common.sh"

RABBIT_BIN=/usr/lib/rabbitmq/bin
RABBIT_DIR=$CLUSTER_DIR/rabbitmq
RABBIT_HOME=$RABBIT_DIR/home # one HOME for all: the shared .erlang.cookie

node_dir() { echo "$RABBIT_DIR/node$1"; }
pid_file() { echo "$RABBIT_DIR/node$1/rabbitmq.pid"; }
amqp_port() { echo "${RABBIT_PORTS[$1 - 1]}"; }
dist_port() { echo $(($(amqp_port "$1") - 30000)); }
# The management API (the dead-letter pages and DeadLetterWatch read it): AMQP + 3, past the three AMQP ports.
mgmt_port() { echo $(($(amqp_port "$1") + 3)); }

# Debian's /usr/sbin wrappers switch to the rabbitmq user and /var/lib/rabbitmq: the scripts are called directly, with
# every path set, so /etc/rabbitmq is never read.
renv() { # N command...
  local n=$1 dir
  shift
  dir=$(node_dir "$n")
  env LC_ALL=C.UTF-8 LANG=C.UTF-8 HOME="$RABBIT_HOME" \
    RABBITMQ_NODENAME="node$n@localhost" RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
    RABBITMQ_NODE_PORT="$(amqp_port "$n")" RABBITMQ_DIST_PORT="$(dist_port "$n")" \
    RABBITMQ_CONF_ENV_FILE="$dir/rabbitmq-env.conf" RABBITMQ_CONFIG_FILE="$dir/rabbitmq.conf" \
    RABBITMQ_ADVANCED_CONFIG_FILE="$dir/advanced.config" RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins" \
    RABBITMQ_MNESIA_BASE="$dir/mnesia" RABBITMQ_LOG_BASE="$dir/log" RABBITMQ_PID_FILE="$(pid_file "$n")" \
    RABBITMQ_CTL_DIST_PORT_MIN=$(($(dist_port 1) + 10)) RABBITMQ_CTL_DIST_PORT_MAX=$(($(dist_port 1) + 20)) \
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}" \
    ERL_EPMD_ADDRESS=127.0.0.1 ERL_EPMD_PORT="$EPMD_PORT" \
    "$@"
}
ctl() { local n=$1; shift; renv "$n" "$RABBIT_BIN/rabbitmqctl" -n "node$n@localhost" "$@"; }
vm_pid() { local pid; pid=$(head -n 1 "$(pid_file "$1")" 2>/dev/null); pid_alive "$pid" && grep -q beam "/proc/$pid/cmdline" && echo "$pid"; }
running() { vm_pid "$1" >/dev/null; }

write_config() { # N password
  local dir
  dir=$(node_dir "$1")
  mkdir -p "$dir/mnesia" "$dir/log" "$RABBIT_HOME"
  chmod 700 "$RABBIT_DIR" "$RABBIT_HOME"
  if [[ ! -s $RABBIT_HOME/.erlang.cookie ]]; then
    (umask 077 && openssl rand -hex 20 | tr 'a-f0-9' 'A-J' >"$RABBIT_HOME/.erlang.cookie")
  fi
  chmod 400 "$RABBIT_HOME/.erlang.cookie"
  : >"$dir/rabbitmq-env.conf"
  printf '[].\n' >"$dir/advanced.config"
  printf '[rabbitmq_management].\n' >"$dir/enabled_plugins"
  (
    umask 077
    cat >"$RABBIT_DIR/definitions.json" <<JSON
{
  "users": [{"name": "ncp", "password": "$2", "tags": ["administrator"]}],
  "vhosts": [{"name": "ncp"}],
  "permissions": [{"user": "ncp", "vhost": "ncp", "configure": ".*", "write": ".*", "read": ".*"}]
}
JSON
    render "$CLUSTER_SCRIPTS/rabbitmq.conf.template" NODE="node$1" PORT="$(amqp_port "$1")" MGMT_PORT="$(mgmt_port "$1")" DEFINITIONS="$RABBIT_DIR/definitions.json" \
      >"$dir/rabbitmq.conf"
  )
}

boot() { # N: starts the VM and waits until the node serves
  local n=$1 log
  log=$(node_dir "$n")/log/startup.log
  running "$n" && return 0
  require_free "$(amqp_port "$n")" "RabbitMQ node$n"
  require_free "$(dist_port "$n")" "RabbitMQ node$n's distribution"
  require_free "$(mgmt_port "$n")" "RabbitMQ node$n's management API"
  write_config "$n" "$(secret "$SECRETS/rabbitmq-ncp.password")"
  rm -f "$(pid_file "$n")"
  renv "$n" "$RABBIT_BIN/rabbitmq-server" -detached </dev/null >>"$log" 2>&1 || die "node$n did not start: $(tail -n 3 "$log")"
  # await_startup right after -detached exits 69; wait on the PID file does not.
  ctl "$n" wait "$(pid_file "$n")" --timeout 120 </dev/null >>"$log" 2>&1 ||
    die "node$n is not up after 120 s: $(tail -n 5 "$(node_dir "$n")/log/node$n@localhost.log" 2>/dev/null)"
}

joined() { # N: node N already belongs to node1's cluster
  ctl 1 cluster_status --formatter json 2>/dev/null | grep -q "\"node$1@localhost\""
}

cmd_start() {
  local n started=$SECONDS
  # The three boot side by side: a node that was not the last to stop waits at boot for the one that was (its Mnesia
  # tables), so starting node1 alone first could wait out its retries (5 min) when node2 or 3 stopped last (after a kill).
  # A node that never joined does so once it is up (stop_app, join_cluster, start_app).
  for n in 1 2 3; do boot "$n" & done
  wait
  for n in 1 2 3; do running "$n" || die "node$n did not start; see $(node_dir "$n")/log"; done
  for n in 2 3; do
    if ! joined "$n"; then
      say "rabbitmq: node$n joins node1"
      { ctl "$n" stop_app && ctl "$n" join_cluster node1@localhost && ctl "$n" start_app; } </dev/null >>"$(node_dir "$n")/log/startup.log" 2>&1 ||
        die "node$n could not join node1; see $(node_dir "$n")/log/startup.log"
    fi
  done
  say "rabbitmq: node1..3 on 127.0.0.1:${RABBIT_PORTS[*]} in one cluster ($((SECONDS - started)) s)"
}

cmd_stop() {
  local n pid
  # The last node to stop is the first to be started again (it has the newest view of the cluster): 3, 2, then 1.
  for n in 3 2 1; do
    pid=$(vm_pid "$n") || continue
    ctl "$n" stop </dev/null >/dev/null 2>&1 || kill -TERM "$pid"
    # rabbitmqctl stop returns before the VM exits.
    wait_gone "$pid" 60 || { kill -9 "$pid"; say "rabbitmq: node$n did not stop in 60 s; killed"; }
    say "rabbitmq: node$n stopped"
  done
  # Our epmd (its own port) would outlive the nodes; nothing else registers with it.
  local epmd
  epmd=$(command -v epmd || ls /usr/lib/erlang/erts-*/bin/epmd 2>/dev/null | head -n 1) || true
  [[ -n $epmd ]] && ERL_EPMD_PORT=$EPMD_PORT "$epmd" -kill >/dev/null 2>&1 || true
}

cmd_status() {
  local n rc=0
  for n in 1 2 3; do
    if running "$n"; then
      say "rabbitmq: node$n on 127.0.0.1:$(amqp_port "$n") running (pid $(vm_pid "$n"))"
    else
      say "rabbitmq: node$n on 127.0.0.1:$(amqp_port "$n") not running"
      rc=3
    fi
  done
  for n in 1 2 3; do
    running "$n" || continue
    say "rabbitmq: running nodes as node$n sees them: $(ctl "$n" eval 'rabbit_nodes:all_running().' 2>/dev/null | tr -d '\n ')"
    break
  done
  return "$rc"
}

case ${1:-} in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  kill)
    [[ ${2:-} =~ ^[123]$ ]] || die "usage: rabbitmq-cluster.sh kill 1|2|3"
    pid=$(vm_pid "$2") || die "rabbitmq: node$2 is not running"
    kill -9 "$pid"
    say "rabbitmq: killed node$2 (pid $pid)"
    ;;
  ctl) shift; n=$1; shift; ctl "$n" "$@" ;;
  *) sed -n '2,12p' "$0" >&2; exit 2 ;;
esac
