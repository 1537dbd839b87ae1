# shellcheck shell=bash
# RabbitMQ 3.10 with its management plugin on 127.0.0.1, a private node that never reads /etc/rabbitmq. Sourced by
# infra/servers.sh after infra/lib.sh; it uses SECRETS_DIR from there. Its configuration is rabbitmq.conf.template,
# its user, vhosts and permissions definitions.json.template.
#
# One node at a time: rabbit_instance DIR NODENAME AMQP_PORT MGMT_PORT DIST_PORT EPMD_PORT points the functions below
# at a node, so that a script may start more nodes beside the first (each its own DIR, name and ports).

RABBIT_BIN=/usr/lib/rabbitmq/bin
RABBIT_TEMPLATES=$SCRIPT_DIR/rabbitmq

rabbit_instance() {
  RABBIT_DIR=$1
  RABBIT_NODENAME=$2
  RABBIT_PORT=$3
  RABBIT_MGMT_PORT=$4
  RABBIT_DIST_PORT=$5
  EPMD_PORT=$6
  RABBIT_HOME=$RABBIT_DIR/home
  RABBIT_PID_FILE=$RABBIT_DIR/rabbitmq.pid
  RABBIT_STATE_FILE=$RABBIT_DIR/running.conf
  RABBIT_EPMD_MARKER=$RABBIT_DIR/epmd-started-by-us
  RABBIT_PASSWORD_FILE=$SECRETS_DIR/rabbitmq-ncp.password
}

rabbit_missing_packages() {
  [[ -x $RABBIT_BIN/rabbitmq-server ]] || echo rabbitmq-server
}

# The running node keeps the ports and name it was started with, whatever the environment says now.
rabbit_load_state() {
  read_state "$RABBIT_STATE_FILE" nodename:RABBIT_NODENAME amqp_port:RABBIT_PORT mgmt_port:RABBIT_MGMT_PORT \
    dist_port:RABBIT_DIST_PORT epmd_port:EPMD_PORT
}

rabbit_save_state() {
  printf '%s\n' "nodename=$RABBIT_NODENAME" "amqp_port=$RABBIT_PORT" "mgmt_port=$RABBIT_MGMT_PORT" \
    "dist_port=$RABBIT_DIST_PORT" "epmd_port=$EPMD_PORT" >"$RABBIT_STATE_FILE"
}

# Runs a RabbitMQ/Erlang program with the node's private environment; server and CLI must share
# HOME (Erlang cookie), node name and epmd port. The env file is ours so /etc/rabbitmq is never read.
rabbit_env() {
  env LC_ALL=C.UTF-8 LANG=C.UTF-8 \
    HOME="$RABBIT_HOME" \
    RABBITMQ_NODENAME="$RABBIT_NODENAME" \
    RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
    RABBITMQ_NODE_PORT="$RABBIT_PORT" \
    RABBITMQ_DIST_PORT="$RABBIT_DIST_PORT" \
    RABBITMQ_CONF_ENV_FILE="$RABBIT_DIR/rabbitmq-env.conf" \
    RABBITMQ_CONFIG_FILE="$RABBIT_DIR/rabbitmq.conf" \
    RABBITMQ_ADVANCED_CONFIG_FILE="$RABBIT_DIR/advanced.config" \
    RABBITMQ_ENABLED_PLUGINS_FILE="$RABBIT_DIR/enabled_plugins" \
    RABBITMQ_MNESIA_BASE="$RABBIT_DIR/mnesia" \
    RABBITMQ_LOG_BASE="$RABBIT_DIR/log" \
    RABBITMQ_PID_FILE="$RABBIT_PID_FILE" \
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}" \
    ERL_EPMD_ADDRESS=127.0.0.1 \
    ERL_EPMD_PORT="$EPMD_PORT" \
    "$@"
}

rabbitmqctl() {
  rabbit_env "$RABBIT_BIN/rabbitmqctl" "$@"
}

epmd_bin() {
  local candidate
  for candidate in /usr/bin/epmd /usr/lib/erlang/bin/epmd /usr/lib/erlang/erts-*/bin/epmd; do
    [[ -x $candidate ]] && {
      printf '%s\n' "$candidate"
      return 0
    }
  done
  return 1
}

epmd_running() {
  local epmd
  epmd=$(epmd_bin) || return 1
  rabbit_env "$epmd" -names >/dev/null 2>&1
}

rabbit_pid() {
  local pid
  pid=$(head -n 1 "$RABBIT_PID_FILE" 2>/dev/null || true)
  pid_alive "$pid" && grep -q beam "/proc/$pid/cmdline" 2>/dev/null || return 1
  printf '%s\n' "$pid"
}

rabbit_running() { rabbit_pid >/dev/null; }

rabbit_load_state_if_running() {
  if rabbit_running; then
    rabbit_load_state
  fi
}

rabbit_write_config() {
  # shellcheck disable=SC2034 # read by render, by name
  local RABBIT_NCP_PASSWORD=$1 definitions conf
  mkdir -p "$RABBIT_HOME" "$RABBIT_DIR/mnesia" "$RABBIT_DIR/log"
  chmod 700 "$RABBIT_DIR" "$RABBIT_HOME"
  if [[ ! -s $RABBIT_HOME/.erlang.cookie ]]; then
    (
      umask 077
      random_secret | tr 'a-f0-9' 'A-J' >"$RABBIT_HOME/.erlang.cookie"
    )
  fi
  chmod 400 "$RABBIT_HOME/.erlang.cookie"
  : >"$RABBIT_DIR/rabbitmq-env.conf"
  [[ -f $RABBIT_DIR/advanced.config ]] || printf '[].\n' >"$RABBIT_DIR/advanced.config"
  printf '[rabbitmq_management].\n' >"$RABBIT_DIR/enabled_plugins"
  # With definitions to load RabbitMQ never creates guest; they are re-imported at every boot,
  # which keeps vhosts, permissions and the password in line with the password file.
  render definitions "$RABBIT_TEMPLATES/definitions.json.template" RABBIT_NCP_PASSWORD
  render conf "$RABBIT_TEMPLATES/rabbitmq.conf.template" RABBIT_PORT RABBIT_MGMT_PORT RABBIT_DIR
  (
    umask 077
    printf '%s' "$definitions" >"$RABBIT_DIR/definitions.json"
    printf '%s' "$conf" >"$RABBIT_DIR/rabbitmq.conf"
  )
}

rabbit_start() {
  rabbit_load_state_if_running
  if rabbit_running; then
    say "rabbitmq: already running on 127.0.0.1:$RABBIT_PORT (management http://127.0.0.1:$RABBIT_MGMT_PORT/)"
    return 0
  fi
  require_free_port "$RABBIT_PORT" NCP_RABBIT_PORT
  require_free_port "$RABBIT_MGMT_PORT" NCP_RABBIT_MGMT_PORT
  require_free_port "$RABBIT_DIST_PORT" NCP_RABBIT_DIST_PORT
  local who
  if who=$(port_user "$EPMD_PORT") && [[ $who != epmd* && $who != "another process" ]]; then
    die "port $EPMD_PORT on 127.0.0.1 is in use by $who, not by epmd; set NCP_EPMD_PORT to another port"
  fi

  local password
  password=$(ensure_secret "$RABBIT_PASSWORD_FILE")
  rabbit_write_config "$password"
  # epmd outlives the node; remember whether it is ours so stop does not kill someone else's.
  if epmd_running; then
    rm -f "$RABBIT_EPMD_MARKER"
  else
    : >"$RABBIT_EPMD_MARKER"
  fi
  rm -f "$RABBIT_PID_FILE"
  rabbit_save_state

  say "rabbitmq: starting node $RABBIT_NODENAME"
  local startup_log=$RABBIT_DIR/log/startup.log
  # The detached VM must not keep our stdout/stderr (a caller's pipe would never close) nor fd 9 (the lock).
  rabbit_env "$RABBIT_BIN/rabbitmq-server" -detached </dev/null >>"$startup_log" 2>&1 9>&- ||
    die "rabbitmq-server -detached failed: $(tail -n 3 "$startup_log")"
  if ! rabbitmqctl wait --timeout 90 "$RABBIT_PID_FILE" </dev/null >>"$startup_log" 2>&1 9>&-; then
    die "rabbitmq did not become ready within 90 s; see $startup_log and $RABBIT_DIR/log/$RABBIT_NODENAME.log:
$(tail -n 5 "$RABBIT_DIR/log/$RABBIT_NODENAME.log" 2>/dev/null)"
  fi
  say "rabbitmq: started on 127.0.0.1:$RABBIT_PORT (management http://127.0.0.1:$RABBIT_MGMT_PORT/, data $RABBIT_DIR)"
}

epmd_kill_if_ours() {
  [[ -f $RABBIT_EPMD_MARKER ]] || return 0
  local epmd names
  epmd=$(epmd_bin) || return 0
  names=$(rabbit_env "$epmd" -names 2>/dev/null | grep -c '^name ' || true)
  if [[ $names == 0 ]]; then
    rabbit_env "$epmd" -kill >/dev/null 2>&1 || true
  fi
  rm -f "$RABBIT_EPMD_MARKER"
}

rabbit_stop() {
  if ! rabbit_running; then
    rabbit_load_state
    epmd_kill_if_ours
    say "rabbitmq: not running"
    return 0
  fi
  rabbit_load_state
  local out
  out=$(rabbitmqctl stop "$RABBIT_PID_FILE" 2>&1 </dev/null) ||
    die "rabbitmq did not stop: $out"
  epmd_kill_if_ours
  say "rabbitmq: stopped"
}

rabbit_status() {
  local pid
  if pid=$(rabbit_pid); then
    rabbit_load_state
    say "rabbitmq: running on 127.0.0.1:$RABBIT_PORT (management http://127.0.0.1:$RABBIT_MGMT_PORT/, node $RABBIT_NODENAME, pid $pid)"
  else
    say "rabbitmq: not running"
    return 1
  fi
}

# rabbitmqctl against the running node (infra/servers.sh rabbitmqctl).
rabbit_ctl() {
  rabbit_running || die "rabbitmq is not running; run infra/servers.sh start rabbitmq"
  rabbit_load_state
  rabbitmqctl "$@"
}

# Its lines of servers.env, once it has a password. A node not started by this call keeps the ports it runs on.
rabbit_settings() {
  [[ -s $RABBIT_PASSWORD_FILE ]] || return 0
  rabbit_load_state_if_running
  local password
  password=$(head -n 1 "$RABBIT_PASSWORD_FILE")
  printf 'export RabbitMq__Host=127.0.0.1\n'
  printf 'export RabbitMq__Port=%s\n' "$RABBIT_PORT"
  printf 'export RabbitMq__VirtualHost=ncp\n'
  printf 'export RabbitMq__TestVirtualHost=ncp_test\n'
  printf 'export RabbitMq__Username=ncp\n'
  printf 'export RabbitMq__Password=%s\n' "$(quote "$password")"
  printf 'export RabbitMq__ManagementUrl=%s\n' "http://127.0.0.1:$RABBIT_MGMT_PORT/"
  printf 'export NCP_RABBIT_PASSWORD=%s\n' "$(quote "$password")"
  printf 'export NCP_RABBIT_PORT=%s\n' "$RABBIT_PORT"
  printf 'export NCP_RABBIT_MGMT_PORT=%s\n' "$RABBIT_MGMT_PORT"
  printf 'export NCP_RABBIT_DIST_PORT=%s\n' "$RABBIT_DIST_PORT"
  printf 'export NCP_EPMD_PORT=%s\n' "$EPMD_PORT"
  printf 'export NCP_RABBIT_NODENAME=%s\n' "$(quote "$RABBIT_NODENAME")"
}
