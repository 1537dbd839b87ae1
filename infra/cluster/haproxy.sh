#!/usr/bin/env bash
# HAProxy in front of the cluster's Api instances (sticky sessions by cookie), from Debian's package (installed when
# missing), run as a plain process with its own configuration: nothing in /etc/haproxy is read or changed.
#
#   haproxy.sh start | stop | status
# shellcheck source=infra/cluster/common.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/common.sh"

CFG=$CLUSTER_DIR/haproxy/haproxy.cfg
PIDFILE=$RUN_DIR/haproxy.pid
running() { pid_alive "$(head -n 1 "$PIDFILE" 2>/dev/null)"; }

cmd_start() {
  if ! command -v haproxy >/dev/null; then
    say "haproxy: installing Debian's package"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q haproxy >"$LOG_DIR/apt-haproxy.log" 2>&1 ||
      die "apt-get install haproxy failed; see $LOG_DIR/apt-haproxy.log"
    # The package starts its own service on :80 where systemd runs; ours needs none of it.
    command -v systemctl >/dev/null && systemctl disable --now haproxy >/dev/null 2>&1 || true
  fi
  running && { say "haproxy: already running on 127.0.0.1:$HTTP_PORT"; return 0; }
  require_free "$HTTP_PORT" HAProxy
  require_free "$STATS_PORT" "HAProxy's statistics"
  local servers="" i
  for i in "${!API_PORTS[@]}"; do
    servers+="    server api$((i + 1)) 127.0.0.1:${API_PORTS[$i]} check cookie api$((i + 1))"$'\n'
  done
  mkdir -p "$(dirname "$CFG")"
  render "$CLUSTER_SCRIPTS/haproxy.cfg.template" PIDFILE="$PIDFILE" HTTP_PORT="$HTTP_PORT" STATS_PORT="$STATS_PORT" \
    SERVERS="${servers%$'\n'}" >"$CFG"
  haproxy -c -q -f "$CFG" || die "haproxy: $CFG does not check"
  haproxy -D -f "$CFG" </dev/null >>"$LOG_DIR/haproxy.log" 2>&1 || die "haproxy did not start; see $LOG_DIR/haproxy.log"
  say "haproxy: http://127.0.0.1:$HTTP_PORT/ → Api ${API_PORTS[*]} (statistics http://127.0.0.1:$STATS_PORT/)"
}

cmd_stop() {
  local pid
  pid=$(head -n 1 "$PIDFILE" 2>/dev/null)
  running || return 0
  kill -TERM "$pid"
  wait_gone "$pid" 10 || kill -9 "$pid"
  rm -f "$PIDFILE"
  say "haproxy: stopped"
}

case ${1:-} in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status)
    if running; then say "haproxy: running on 127.0.0.1:$HTTP_PORT (pid $(head -n 1 "$PIDFILE"))"; else say "haproxy: not running"; exit 3; fi ;;
  *) sed -n '2,5p' "$0" >&2; exit 2 ;;
esac
