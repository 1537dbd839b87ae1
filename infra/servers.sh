#!/usr/bin/env bash
# Local PostgreSQL 15, RabbitMQ 3.10 and mail (Postfix SMTP -> LMTP -> Dovecot IMAP) for development
# and CI, bound to 127.0.0.1 only.
#
#   infra/servers.sh start|stop|status [postgres|rabbitmq|mail ...]   (no names = all)
#   infra/servers.sh psql [psql args]           psql as ncp on database ncp
#   infra/servers.sh rabbitmqctl [args]         rabbitmqctl against the project's node
#   infra/servers.sh browser                    install Debian's Chromium for the browser tests (./ncp test)
#
# Environment (defaults in brackets):
#   NCP_DATA_DIR [<repo>/.data]  NCP_PG_PORT [55432]  NCP_PG_ARCHIVE [on]  NCP_RABBIT_PORT [55672]
#   NCP_RABBIT_MGMT_PORT [55673]  NCP_RABBIT_DIST_PORT [25672]  NCP_EPMD_PORT [4369]
#   NCP_RABBIT_NODENAME [ncp@localhost]
#   NCP_SMTP_PORT [2525]  NCP_IMAP_PORT [10143]  NCP_LMTP_PORT [10024]
#   NCP_CHROMIUM [/usr/bin/chromium]: the browser the tests drive; when set, it is used as it is, never installed
# Mail: mailboxes are MAIL_MAILBOXES in infra/mail/mail.sh, all with the password in $NCP_DATA_DIR/secrets/mail.password;
# mail for any other domain bounces back to its sender, nothing leaves the machine. SMTP and IMAP offer STARTTLS with a
# certificate from the development CA of infra/keys.sh ($NCP_DATA_DIR/keys/ca.pem, named in servers.env).
# After start, $NCP_DATA_DIR/servers.env holds the connection settings (source it).
#
# This file only reads the settings and dispatches. Each server is a script of its own with its configuration as
# templates beside it: infra/postgres/, infra/rabbitmq/, infra/mail/ (postfix.sh, dovecot.sh), infra/browser.sh;
# infra/lib.sh and infra/packages.sh hold what they share. A script that runs more instances of a server (a cluster)
# sources this file, which then only defines, and points a server's functions elsewhere with its <prefix>_instance:
#   source infra/servers.sh; pg_instance "$dir/standby" 55433; PG_ARCHIVE=off; lock; pg_start
set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd -- "$SCRIPT_DIR/.." && pwd)

# shellcheck source=infra/lib.sh
source "$SCRIPT_DIR/lib.sh"
# shellcheck source=infra/packages.sh
source "$SCRIPT_DIR/packages.sh"

DATA_DIR=${NCP_DATA_DIR:-$REPO_ROOT/.data}
case $DATA_DIR in
  /*) ;;
  *) DATA_DIR=$PWD/$DATA_DIR ;;
esac
DATA_DIR=${DATA_DIR%/}

# PostgreSQL and Postfix refuse to run as root, so their users must be able to enter the data folder. A checkout
# where only root may enter (a mktemp folder, a private home) keeps its data under /var/lib/ncp instead, linked from
# .data so that every later command finds it.
reachable_by_others() {
  local dir=$1
  while [[ $dir != / ]]; do
    dir=$(dirname "$dir")
    (($(stat -c %a "$dir") % 2 == 1)) || return 1
  done
}
if [[ -z ${NCP_DATA_DIR:-} && $EUID -eq 0 && ! -L $DATA_DIR ]] && ! reachable_by_others "$DATA_DIR"; then
  relocated=/var/lib/ncp/$(printf '%s' "$DATA_DIR" | sha256sum | cut -c1-12)
  mkdir -p "$relocated"
  chmod 755 /var/lib/ncp "$relocated"
  rmdir "$DATA_DIR" 2>/dev/null || true
  ln -sfn "$relocated" "$DATA_DIR"
  printf 'data: %s is not reachable by the server users; keeping the data in %s (linked from .data)\n' "$(dirname "$DATA_DIR")" "$relocated"
fi
[[ -L $DATA_DIR ]] && DATA_DIR=$(readlink -f "$DATA_DIR")
SECRETS_DIR=$DATA_DIR/secrets
ENV_FILE=$DATA_DIR/servers.env

# on: every WAL file goes to pgBackRest's repository in $DATA_DIR/backup (./ncp backup, ./ncp restore --to TIME). off:
# for a machine that only runs benchmarks, whose WAL nobody will restore (it is kept until the next backup expires it).
PG_ARCHIVE=${NCP_PG_ARCHIVE:-on}

# shellcheck source=infra/postgres/postgres.sh
source "$SCRIPT_DIR/postgres/postgres.sh"
# shellcheck source=infra/rabbitmq/rabbitmq.sh
source "$SCRIPT_DIR/rabbitmq/rabbitmq.sh"
# shellcheck source=infra/mail/postfix.sh
source "$SCRIPT_DIR/mail/postfix.sh"
# shellcheck source=infra/mail/dovecot.sh
source "$SCRIPT_DIR/mail/dovecot.sh"
# shellcheck source=infra/mail/mail.sh
source "$SCRIPT_DIR/mail/mail.sh"
# shellcheck source=infra/browser.sh
source "$SCRIPT_DIR/browser.sh"

# The one instance of each server this script runs: its folder under DATA_DIR and its ports from the environment.
# RabbitMQ's default distribution port is AMQP port + 20000, which is past 65535 for 55672.
pg_instance "$DATA_DIR/postgres" "${NCP_PG_PORT:-55432}"
rabbit_instance "$DATA_DIR/rabbitmq" "${NCP_RABBIT_NODENAME:-ncp@localhost}" "${NCP_RABBIT_PORT:-55672}" \
  "${NCP_RABBIT_MGMT_PORT:-55673}" "${NCP_RABBIT_DIST_PORT:-25672}" "${NCP_EPMD_PORT:-4369}"
mail_instance "$DATA_DIR/mail" "${NCP_SMTP_PORT:-2525}" "${NCP_IMAP_PORT:-10143}" "${NCP_LMTP_PORT:-10024}"

ALL_SERVERS=(postgres rabbitmq mail)

# Each server's script names its functions <prefix>_start, _stop, _status, _settings (its lines of servers.env) and
# _missing_packages.
server_prefix() {
  case $1 in
    postgres) echo pg ;;
    rabbitmq) echo rabbit ;;
    mail | browser) echo "$1" ;;
    *) die "unknown server $1" ;;
  esac
}

usage() {
  cat >&2 <<'USAGE'
usage: infra/servers.sh start|stop|status [postgres|rabbitmq|mail ...]
       infra/servers.sh psql [psql arguments]
       infra/servers.sh rabbitmqctl [rabbitmqctl arguments]
       infra/servers.sh browser
USAGE
  exit 2
}

check_settings() {
  check_port_number NCP_PG_PORT "$PG_PORT"
  [[ $PG_ARCHIVE == on || $PG_ARCHIVE == off ]] || die "NCP_PG_ARCHIVE=$PG_ARCHIVE: on or off"
  check_port_number NCP_RABBIT_PORT "$RABBIT_PORT"
  check_port_number NCP_RABBIT_MGMT_PORT "$RABBIT_MGMT_PORT"
  check_port_number NCP_RABBIT_DIST_PORT "$RABBIT_DIST_PORT"
  check_port_number NCP_EPMD_PORT "$EPMD_PORT"
  check_port_number NCP_SMTP_PORT "$SMTP_PORT"
  check_port_number NCP_IMAP_PORT "$IMAP_PORT"
  check_port_number NCP_LMTP_PORT "$LMTP_PORT"
  local -A seen=()
  local p
  for p in "$PG_PORT" "$RABBIT_PORT" "$RABBIT_MGMT_PORT" "$RABBIT_DIST_PORT" "$EPMD_PORT" \
    "$SMTP_PORT" "$IMAP_PORT" "$LMTP_PORT"; do
    [[ -z ${seen[$p]:-} ]] || die "port $p is configured for two servers; NCP_*_PORT values must differ"
    seen[$p]=1
  done
  [[ $RABBIT_NODENAME == *@* ]] || die "NCP_RABBIT_NODENAME=$RABBIT_NODENAME must look like name@host"
  mail_check_mailboxes
}

write_env_file() {
  local tmp=$ENV_FILE.tmp server
  (
    umask 077
    {
      printf '# Written by infra/servers.sh start. Use: source %s\n' "$ENV_FILE"
      printf 'export NCP_DATA_DIR=%s\n' "$(quote "$DATA_DIR")"
      for server in "${ALL_SERVERS[@]}"; do
        "$(server_prefix "$server")_settings"
      done
    } >"$tmp"
  )
  chmod 600 "$tmp"
  mv -f "$tmp" "$ENV_FILE"
}

lock() {
  exec 9>"$DATA_DIR/.servers.lock"
  flock -w 300 9 || die "another infra/servers.sh has held $DATA_DIR/.servers.lock for 5 minutes"
}

parse_servers() {
  SERVERS=()
  local name
  if (($# == 0)); then
    SERVERS=("${ALL_SERVERS[@]}")
    return 0
  fi
  for name in "$@"; do
    case $name in
      postgres | rabbitmq | mail) SERVERS+=("$name") ;;
      *)
        printf 'error: unknown server "%s" (known: %s)\n' "$name" "${ALL_SERVERS[*]}" >&2
        usage
        ;;
    esac
  done
}

cmd_start() {
  # postgres (another user when we are root) must be able to traverse it.
  if [[ ! -d $DATA_DIR ]]; then
    mkdir -p "$DATA_DIR"
    chmod 755 "$DATA_DIR"
  fi
  # Fail before starting anything rather than after the others.
  [[ " ${SERVERS[*]} " != *" mail "* ]] || mail_require_root
  lock
  ensure_installed "$DATA_DIR/apt.log" "${SERVERS[@]}"
  local server
  for server in "${SERVERS[@]}"; do
    "$(server_prefix "$server")_start"
  done
  write_env_file
  say "settings: source $ENV_FILE"
}

cmd_stop() {
  local server
  [[ -d $DATA_DIR ]] || {
    for server in "${SERVERS[@]}"; do say "$server: not running"; done
    return 0
  }
  lock
  for server in "${SERVERS[@]}"; do
    "$(server_prefix "$server")_stop"
  done
}

cmd_status() {
  local server rc=0
  for server in "${SERVERS[@]}"; do
    "$(server_prefix "$server")_status" || rc=3
  done
  return "$rc"
}

main() {
  (($# >= 1)) || usage
  local command=$1
  shift
  case $command in
    start | stop | status)
      check_settings
      parse_servers "$@"
      "cmd_$command"
      ;;
    psql) pg_psql "$@" ;;
    rabbitmqctl) rabbit_ctl "$@" ;;
    browser)
      (($# == 0)) || usage
      browser_ensure
      ;;
    -h | --help | help) usage ;;
    *) usage ;;
  esac
}

[[ ${BASH_SOURCE[0]} != "$0" ]] || main "$@"
