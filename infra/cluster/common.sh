# shellcheck shell=bash
# Settings shared by the cluster's scripts (sourced, not run): where its data lives and which ports it takes. Every port
# is its own, so the cluster runs beside the single-node servers of infra/servers.sh (55432, 55672, epmd 4369, 2525...)
# and never touches them. They lie below Linux's ephemeral range (32768-60999): a port in it can be held at any moment by
# another process's outgoing connection (HAProxy once could not bind 59080 for that reason).
#
#   NCP_CLUSTER_DIR          data, logs, PID files and cluster.env                 [<repo>/.data/cluster]
#   NCP_CLUSTER_PG_PORTS     PostgreSQL, first node then second                   [31432 31433]
#   NCP_CLUSTER_RABBIT_PORTS AMQP of node1..3 (distribution: minus 30000, management: plus 3) [31672 31673 31674]
#   NCP_CLUSTER_EPMD_PORT    the cluster's own epmd (never the shared one on 4369) [31369]
#   NCP_CLUSTER_HTTP_PORT    HAProxy in front of the Api instances                 [31080]  (its statistics page: one below, 31079)
#   NCP_CLUSTER_API_PORTS    [31081 31082]   NCP_CLUSTER_WORKER_PORTS [31091 31092]
#   NCP_CLUSTER_MAIL_PORTS   SMTP IMAP LMTP of the cluster's one Postfix/Dovecot   [31525 31143 31024]
# shellcheck disable=SC2034 # the settings are used by the scripts that source this file
set -euo pipefail

CLUSTER_SCRIPTS=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd -- "$CLUSTER_SCRIPTS/../.." && pwd)
CLUSTER_DIR=${NCP_CLUSTER_DIR:-$ROOT/.data/cluster}
case $CLUSTER_DIR in /*) ;; *) CLUSTER_DIR=$PWD/$CLUSTER_DIR ;; esac
read -r -a PG_PORTS <<<"${NCP_CLUSTER_PG_PORTS:-31432 31433}"
read -r -a RABBIT_PORTS <<<"${NCP_CLUSTER_RABBIT_PORTS:-31672 31673 31674}"
EPMD_PORT=${NCP_CLUSTER_EPMD_PORT:-31369}
HTTP_PORT=${NCP_CLUSTER_HTTP_PORT:-31080}
STATS_PORT=$((HTTP_PORT - 1))
read -r -a API_PORTS <<<"${NCP_CLUSTER_API_PORTS:-31081 31082}"
read -r -a WORKER_PORTS <<<"${NCP_CLUSTER_WORKER_PORTS:-31091 31092}"
read -r -a MAIL_PORTS <<<"${NCP_CLUSTER_MAIL_PORTS:-31525 31143 31024}"
CONFIGURATION=${NCP_CONFIGURATION:-Release}

SECRETS=$CLUSTER_DIR/secrets
RUN_DIR=$CLUSTER_DIR/run
LOG_DIR=$CLUSTER_DIR/logs
# The one Postfix/Dovecot and the development keys: infra/servers.sh and infra/keys.sh with this as their data folder.
SINGLE_DIR=$CLUSTER_DIR/single
CLUSTER_ENV=$CLUSTER_DIR/cluster.env

say() { printf 'cluster: %s\n' "$*"; }
die() { printf 'cluster: %s\n' "$*" >&2; exit 1; }

# PID 1 here reaps orphans late, so a dead daemon can linger as a zombie that kill -0 still finds.
pid_alive() {
  local state
  [[ ${1:-} =~ ^[0-9]+$ ]] || return 1
  state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
  [[ -n $state && $state != Z && $state != X ]]
}
wait_gone() { # pid seconds
  local i
  for ((i = 0; i < $2 * 10; i++)); do pid_alive "$1" || return 0; sleep 0.1; done
  return 1
}
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
require_free() { # port what
  port_free "$1" || die "port $1 on 127.0.0.1 is in use (needed for $2); see NCP_CLUSTER_* in infra/cluster/common.sh"
}

secret() { # file → prints it, made on first use
  if [[ ! -s $1 ]]; then
    mkdir -p "$(dirname "$1")"
    chmod 700 "$(dirname "$1")"
    (umask 077 && openssl rand -hex 16 >"$1")
  fi
  head -n 1 "$1"
}

# Fills a template file's @NAME@ placeholders from the NAME=value arguments.
render() { # template name=value...
  local text
  text=$(<"$1")
  shift
  local pair
  for pair in "$@"; do text=${text//@${pair%%=*}@/${pair#*=}}; done
  [[ $text != *@[A-Z_]*@* ]] || die "render $1: a placeholder is left: $(grep -o '@[A-Z_]*@' <<<"$text" | head -1)"
  printf '%s\n' "$text"
}

mkdir -p "$CLUSTER_DIR" "$RUN_DIR" "$LOG_DIR"
# PostgreSQL's and Postfix's users must be able to enter it.
chmod 755 "$CLUSTER_DIR"
