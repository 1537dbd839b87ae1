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
# Mail: mailboxes are MAIL_MAILBOXES below, all with the password in $NCP_DATA_DIR/secrets/mail.password;
# mail for any other domain bounces back to its sender, nothing leaves the machine. SMTP and IMAP offer STARTTLS with a
# certificate from the development CA of infra/keys.sh ($NCP_DATA_DIR/keys/ca.pem, named in servers.env).
# After start, $NCP_DATA_DIR/servers.env holds the connection settings (source it).
set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd -- "$SCRIPT_DIR/.." && pwd)

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

PG_PORT=${NCP_PG_PORT:-55432}
# on: every WAL file goes to pgBackRest's repository in $DATA_DIR/backup (./ncp backup, ./ncp restore --to TIME). off:
# for a machine that only runs benchmarks, whose WAL nobody will restore (it is kept until the next backup expires it).
PG_ARCHIVE=${NCP_PG_ARCHIVE:-on}
RABBIT_PORT=${NCP_RABBIT_PORT:-55672}
RABBIT_MGMT_PORT=${NCP_RABBIT_MGMT_PORT:-55673}
# RabbitMQ's default distribution port is AMQP port + 20000, which is past 65535 for 55672.
RABBIT_DIST_PORT=${NCP_RABBIT_DIST_PORT:-25672}
EPMD_PORT=${NCP_EPMD_PORT:-4369}
RABBIT_NODENAME=${NCP_RABBIT_NODENAME:-ncp@localhost}
SMTP_PORT=${NCP_SMTP_PORT:-2525}
IMAP_PORT=${NCP_IMAP_PORT:-10143}
LMTP_PORT=${NCP_LMTP_PORT:-10024}

# The mailboxes (IMAP user = address, one shared password). Their domains are the ones Postfix accepts;
# MAIL_DOMAIN is the NCP's own, the others are test partners. Add a line, then run start mail again.
MAIL_DOMAIN=ncp.example
MAIL_MAILBOXES=(
  ncp@ncp.example
  duty@ncp.example
  supervisor@ncp.example
  head@ncp.example
  officer1@ncp.example
  officer2@ncp.example
  officer3@ncp.example
  de@partner.example
  fr@partner.example
  nl@partner.example
  multi@partner.example
  old@partner.example
  bench@partner.example
)
# Mailbox files belong to this user (mail uid must not be 0 and must be >= Dovecot's first_valid_uid).
MAIL_USER=nobody
MAIL_GROUP=nogroup

PG_BIN=/usr/lib/postgresql/15/bin
RABBIT_BIN=/usr/lib/rabbitmq/bin
POSTFIX_BIN=/usr/sbin/postfix
DOVECOT_BIN=/usr/sbin/dovecot
DOVEADM_BIN=/usr/bin/doveadm
# Playwright's own browser download cannot work offline; the tests drive Debian's Chromium instead.
DEBIAN_CHROMIUM=/usr/bin/chromium
CHROMIUM=${NCP_CHROMIUM:-$DEBIAN_CHROMIUM}

PG_DIR=$DATA_DIR/postgres
pg_paths() {
  PG_DATA=$PG_DIR/data
  PG_SOCKET_DIR=$PG_DIR/socket
  PG_LOG=$PG_DIR/postgres.log
}
pg_paths
RABBIT_DIR=$DATA_DIR/rabbitmq
RABBIT_HOME=$RABBIT_DIR/home
RABBIT_PID_FILE=$RABBIT_DIR/rabbitmq.pid
RABBIT_STATE_FILE=$RABBIT_DIR/running.conf
RABBIT_EPMD_MARKER=$RABBIT_DIR/epmd-started-by-us
MAIL_DIR=$DATA_DIR/mail
MAIL_POSTFIX_DIR=$MAIL_DIR/postfix
MAIL_QUEUE_DIR=$MAIL_DIR/postfix-queue
MAIL_POSTFIX_DATA_DIR=$MAIL_DIR/postfix-data
MAIL_POSTFIX_LOG=$MAIL_DIR/postfix.log
MAIL_DOVECOT_DIR=$MAIL_DIR/dovecot
MAIL_DOVECOT_CONF=$MAIL_DOVECOT_DIR/dovecot.conf
MAIL_USERS_FILE=$MAIL_DOVECOT_DIR/users
MAIL_DOVECOT_RUN=$MAIL_DIR/dovecot-run
MAIL_DOVECOT_STATE=$MAIL_DIR/dovecot-state
MAIL_DOVECOT_LOG=$MAIL_DIR/dovecot.log
MAIL_MAILDIRS=$MAIL_DIR/maildirs
MAIL_COMMAND_LOG=$MAIL_DIR/commands.log
MAIL_STATE_FILE=$MAIL_DIR/running.conf
MAIL_TLS_DIR=$MAIL_DIR/tls
MAIL_TLS_CA=$DATA_DIR/keys/ca.pem
SECRETS_DIR=$DATA_DIR/secrets
PG_PASSWORD_FILE=$SECRETS_DIR/postgres-ncp.password
RABBIT_PASSWORD_FILE=$SECRETS_DIR/rabbitmq-ncp.password
MAIL_PASSWORD_FILE=$SECRETS_DIR/mail.password
ENV_FILE=$DATA_DIR/servers.env

ALL_SERVERS=(postgres rabbitmq mail)

say() { printf '%s\n' "$*"; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() {
  printf 'error: %s\n' "$*" >&2
  exit 1
}

usage() {
  cat >&2 <<'EOF'
usage: infra/servers.sh start|stop|status [postgres|rabbitmq|mail ...]
       infra/servers.sh psql [psql arguments]
       infra/servers.sh rabbitmqctl [rabbitmqctl arguments]
       infra/servers.sh browser
EOF
  exit 2
}

is_root() { [[ $EUID -eq 0 ]]; }

check_port_number() {
  local name=$1 value=$2
  if ! [[ $value =~ ^[0-9]+$ ]] || ((value < 1 || value > 65535)); then
    die "$name=$value is not a TCP port number (1-65535)"
  fi
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
  local mailbox own=0
  for mailbox in "${MAIL_MAILBOXES[@]}"; do
    [[ $mailbox =~ ^[a-z0-9][a-z0-9._-]*@[a-z0-9]([a-z0-9.-]*[a-z0-9])?$ ]] ||
      die "mailbox $mailbox in MAIL_MAILBOXES must be a lower-case address like name@domain"
    [[ ${mailbox#*@} != "$MAIL_DOMAIN" ]] || own=1
  done
  ((own)) || die "MAIL_MAILBOXES has no mailbox in MAIL_DOMAIN=$MAIL_DOMAIN"
}

random_secret() {
  if command -v openssl >/dev/null 2>&1; then
    openssl rand -hex 16
  else
    od -An -N16 -tx1 /dev/urandom | tr -d ' \n'
    printf '\n'
  fi
}

# Prints the secret stored in FILE, creating it on first use so it stays stable across restarts.
ensure_secret() {
  local file=$1
  if [[ ! -s $file ]]; then
    mkdir -p "$SECRETS_DIR"
    chmod 700 "$SECRETS_DIR"
    (
      umask 077
      random_secret >"$file.tmp"
    )
    mv -f "$file.tmp" "$file"
  fi
  chmod 600 "$file"
  head -n 1 "$file"
}

# Prints who listens on 127.0.0.1:PORT (or on all addresses) and succeeds, or fails when the port is free.
port_user() {
  local port=$1 line addr who
  if command -v ss >/dev/null 2>&1; then
    while read -r line; do
      addr=$(awk '{print $4}' <<<"$line")
      case ${addr%:*} in
        127.0.0.1 | 0.0.0.0 | '*' | '[::]' | '[::ffff:127.0.0.1]') ;;
        *) continue ;;
      esac
      who=$(sed -n 's/.*users:(("\([^"]*\)",pid=\([0-9]*\).*/\1 (pid \2)/p' <<<"$line")
      printf '%s\n' "${who:-another process}"
      return 0
    done < <(ss -Hltnp "sport = :$port" 2>/dev/null)
    return 1
  fi
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    printf '%s\n' "another process"
    return 0
  fi
  return 1
}

require_free_port() {
  local port=$1 variable=$2 who
  if who=$(port_user "$port"); then
    die "port $port on 127.0.0.1 is in use by $who; set $variable to another port"
  fi
}

# ---------------------------------------------------------------- packages

# Prints the missing packages of a server, space-separated (nothing when it is installed).
package_for() {
  case $1 in
    postgres)
      local -a missing=()
      [[ -x $PG_BIN/initdb ]] || missing+=(postgresql)
      # WAL archiving and ./ncp backup (infra/backup.sh).
      [[ -x /usr/bin/pgbackrest ]] || missing+=(pgbackrest)
      ((${#missing[@]} == 0)) || echo "${missing[*]}"
      ;;
    rabbitmq) [[ -x $RABBIT_BIN/rabbitmq-server ]] || echo rabbitmq-server ;;
    mail)
      local -a missing=()
      [[ -x $POSTFIX_BIN ]] || missing+=(postfix)
      [[ -x /usr/lib/dovecot/imap ]] || missing+=(dovecot-imapd)
      [[ -x /usr/lib/dovecot/lmtp ]] || missing+=(dovecot-lmtpd)
      ((${#missing[@]} == 0)) || echo "${missing[*]}"
      ;;
    browser)
      local -a missing=()
      [[ -x $CHROMIUM ]] || missing+=(chromium)
      # Screenshots must show Cyrillic and Kazakh letters whatever font fontconfig happened to pull in.
      [[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]] || missing+=(fonts-dejavu-core)
      ((${#missing[@]} == 0)) || echo "${missing[*]}"
      ;;
  esac
}

apt_candidate_missing() {
  local pkg=$1 candidate
  candidate=$(apt-cache policy "$pkg" 2>/dev/null | awk '/Candidate:/ {print $2}')
  [[ -z $candidate || $candidate == "(none)" ]]
}

ensure_installed() {
  local -a pkgs=() sudo=() more=()
  local server pkg
  for server in "$@"; do
    read -ra more <<<"$(package_for "$server")"
    pkgs+=("${more[@]}")
  done
  ((${#pkgs[@]})) || return 0

  if ! is_root; then
    command -v sudo >/dev/null 2>&1 ||
      die "${pkgs[*]} not installed; installing needs root: run 'sudo apt-get install -y --no-install-recommends ${pkgs[*]}' or run this script as root"
    say "${pkgs[*]} not installed; installing with sudo (apt-get needs root)"
    sudo=(sudo)
  fi

  local log=$DATA_DIR/apt.log updated=0
  : >"$log"
  local -a apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=300)

  # Postfix asks for a mail configuration type while installing; it gets none (ours is in .data/mail).
  if [[ " ${pkgs[*]} " == *" postfix "* ]]; then
    printf 'postfix postfix/main_mailer_type select No configuration\n' |
      "${sudo[@]}" debconf-set-selections >>"$log" 2>&1 ||
      die "debconf-set-selections failed (full log: $log)"
  fi

  for pkg in "${pkgs[@]}"; do
    if apt_candidate_missing "$pkg"; then
      say "apt-get update (package lists do not offer $pkg yet)"
      "${apt[@]}" update >>"$log" 2>&1 </dev/null ||
        die "apt-get update failed: $(apt_error_line "$log") (full log: $log)"
      updated=1
      break
    fi
  done

  say "installing ${pkgs[*]} with apt-get (log: $log)"
  if ! "${apt[@]}" install -y --no-install-recommends "${pkgs[@]}" >>"$log" 2>&1 </dev/null; then
    # Stale package lists give 404s; one refresh is worth a retry.
    if ((updated == 0)) &&
      "${apt[@]}" update >>"$log" 2>&1 </dev/null &&
      "${apt[@]}" install -y --no-install-recommends "${pkgs[@]}" >>"$log" 2>&1 </dev/null; then
      :
    else
      die "apt-get could not install ${pkgs[*]}: $(apt_error_line "$log") (full log: $log)"
    fi
  fi

  for server in "$@"; do
    pkg=$(package_for "$server")
    [[ -z $pkg ]] || die "apt-get installed $pkg but its binaries are still missing (full log: $log)"
  done
}

apt_error_line() {
  local line
  line=$(grep -E '^(E|Err):' "$1" | tail -n 1 || true)
  printf '%s\n' "${line:-$(tail -n 1 "$1")}"
}

# ---------------------------------------------------------------- postgres

# pg_ctl and initdb refuse to run as root.
as_pg() {
  if is_root; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# PID 1 here reaps orphans late, so a dead daemon can linger as a zombie that kill -0 still finds.
pid_alive() {
  local state
  [[ $1 =~ ^[0-9]+$ ]] || return 1
  state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
  [[ -n $state && $state != Z && $state != X ]]
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
    --encoding=UTF8 --locale=C.UTF-8 >"$DATA_DIR/initdb.log" 2>&1 </dev/null ||
    die "initdb failed: $(tail -n 3 "$DATA_DIR/initdb.log") (full log: $DATA_DIR/initdb.log)"
  printf "\n# Settings owned by infra/servers.sh, rewritten at every start.\ninclude_if_exists = 'ncp-servers.conf'\n" |
    as_pg tee -a "$PG_DATA/postgresql.conf" >/dev/null
}

pg_write_settings() {
  as_pg tee "$PG_DATA/ncp-servers.conf" >/dev/null <<EOF
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PG_SOCKET_DIR'
max_connections = 200
# Continuous WAL archiving into pgBackRest's repository (infra/backup.sh): ./ncp restore --to TIME can stop at any
# moment since the first backup. archive_timeout bounds what a lost machine loses to a minute of a quiet server.
wal_level = replica
archive_mode = $PG_ARCHIVE
archive_command = '$(backup_sh archive-command)'
archive_timeout = 60
EOF
}

backup_sh() { NCP_DATA_DIR=$DATA_DIR NCP_PG_PORT=$PG_PORT NCP_PG_BIN=$PG_BIN "$SCRIPT_DIR/backup.sh" "$@"; }

pg_psql_admin() {
  as_pg "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCKET_DIR" -p "$(pg_running_port)" -U postgres -d postgres
}

pg_ensure_objects() {
  local password
  password=$(ensure_secret "$PG_PASSWORD_FILE")
  # CREATEDB lets tests make throwaway databases; the password is reset so it always matches the file.
  pg_psql_admin >/dev/null <<SQL || die "postgres: could not create role/databases (log: $PG_LOG)"
\\set pw '$password'
SELECT 'CREATE ROLE ncp' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ncp')\\gexec
ALTER ROLE ncp WITH LOGIN CREATEDB PASSWORD :'pw';
SELECT 'CREATE DATABASE ncp OWNER ncp' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'ncp')\\gexec
SELECT 'CREATE DATABASE ncp_test OWNER ncp' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'ncp_test')\\gexec
SQL
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

# ---------------------------------------------------------------- rabbitmq

# The running node keeps the ports and name it was started with, whatever the environment says now.
rabbit_load_state() {
  [[ -f $RABBIT_STATE_FILE ]] || return 0
  local key value
  while IFS='=' read -r key value; do
    case $key in
      nodename) RABBIT_NODENAME=$value ;;
      amqp_port) RABBIT_PORT=$value ;;
      mgmt_port) RABBIT_MGMT_PORT=$value ;;
      dist_port) RABBIT_DIST_PORT=$value ;;
      epmd_port) EPMD_PORT=$value ;;
    esac
  done <"$RABBIT_STATE_FILE"
}

rabbit_save_state() {
  cat >"$RABBIT_STATE_FILE" <<EOF
nodename=$RABBIT_NODENAME
amqp_port=$RABBIT_PORT
mgmt_port=$RABBIT_MGMT_PORT
dist_port=$RABBIT_DIST_PORT
epmd_port=$EPMD_PORT
EOF
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

rabbit_write_config() {
  local password=$1
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
  (
    umask 077
    cat >"$RABBIT_DIR/definitions.json" <<EOF
{
  "users": [{"name": "ncp", "password": "$password", "tags": ["administrator"]}],
  "vhosts": [{"name": "ncp"}, {"name": "ncp_test"}],
  "permissions": [
    {"user": "ncp", "vhost": "ncp", "configure": ".*", "write": ".*", "read": ".*"},
    {"user": "ncp", "vhost": "ncp_test", "configure": ".*", "write": ".*", "read": ".*"}
  ]
}
EOF
    cat >"$RABBIT_DIR/rabbitmq.conf" <<EOF
# Written by infra/servers.sh at every start.
listeners.tcp.1 = 127.0.0.1:$RABBIT_PORT
management.tcp.ip = 127.0.0.1
management.tcp.port = $RABBIT_MGMT_PORT
loopback_users = none
load_definitions = $RABBIT_DIR/definitions.json
log.console = false
log.file.level = info
EOF
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

rabbit_load_state_if_running() {
  if rabbit_running; then
    rabbit_load_state
  fi
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

# ---------------------------------------------------------------- mail

# Postfix takes SMTP on 127.0.0.1 and hands local mail over LMTP to Dovecot, which serves it over IMAP.
# Both are private instances: configuration, queue, mailboxes and logs live in $MAIL_DIR. Nothing in
# /etc/postfix or /etc/dovecot is changed, and their main.cf, master.cf and dovecot.conf are not used
# (Postfix still reads its package metadata there: postfix-files, dynamicmaps.cf).

# The running instances keep the ports they were started with, whatever the environment says now.
mail_load_state() {
  [[ -f $MAIL_STATE_FILE ]] || return 0
  local key value
  while IFS='=' read -r key value; do
    case $key in
      smtp_port) SMTP_PORT=$value ;;
      imap_port) IMAP_PORT=$value ;;
      lmtp_port) LMTP_PORT=$value ;;
    esac
  done <"$MAIL_STATE_FILE"
}

mail_save_state() {
  cat >"$MAIL_STATE_FILE" <<EOF
smtp_port=$SMTP_PORT
imap_port=$IMAP_PORT
lmtp_port=$LMTP_PORT
EOF
}

postfix_pid() {
  local pid
  pid=$(tr -d ' \n' 2>/dev/null <"$MAIL_QUEUE_DIR/pid/master.pid" || true)
  pid_alive "$pid" && grep -q postfix "/proc/$pid/cmdline" 2>/dev/null || return 1
  printf '%s\n' "$pid"
}

dovecot_pid() {
  local pid
  pid=$(head -n 1 "$MAIL_DOVECOT_RUN/master.pid" 2>/dev/null || true)
  pid_alive "$pid" && grep -q dovecot "/proc/$pid/cmdline" 2>/dev/null || return 1
  printf '%s\n' "$pid"
}

mail_running() { postfix_pid >/dev/null && dovecot_pid >/dev/null; }

mail_load_state_if_running() {
  if postfix_pid >/dev/null || dovecot_pid >/dev/null; then
    mail_load_state
  fi
}

mail_require_root() {
  is_root || die "mail: Postfix and Dovecot need root to run their own instances; run infra/servers.sh as root"
}

# Without syslog, Postfix reports errors only when stderr is a terminal and otherwise exits 1 without a
# word, so its commands run under script(1); their output goes to $MAIL_COMMAND_LOG. fd 9 is the lock.
postfix_cmd() {
  local cmd
  printf -v cmd '%q ' "$POSTFIX_BIN" -c "$MAIL_POSTFIX_DIR" "$@"
  printf '\n$ %s\n' "$cmd" >>"$MAIL_COMMAND_LOG"
  timeout 120 script -qec "$cmd" /dev/null </dev/null >>"$MAIL_COMMAND_LOG" 2>&1 9>&-
}

# Writes stdin to FILE with MODE when the content differs; succeeds only when FILE changed.
write_if_changed() {
  local file=$1 mode=$2
  (
    umask 077
    cat >"$file.tmp"
  )
  chmod "$mode" "$file.tmp"
  if [[ -f $file ]] && cmp -s "$file.tmp" "$file"; then
    rm -f "$file.tmp"
    return 1
  fi
  mv -f "$file.tmp" "$file"
}

# Dovecot's passwd-file password for the shared secret. The salt of the existing file is reused, so an
# unchanged password leaves the file unchanged.
mail_password_hash() {
  local password=$1 salt='' line re='[{]SHA512-CRYPT[}][$]6[$]([^$:]+)[$]'
  if ! command -v openssl >/dev/null 2>&1; then
    printf '{PLAIN}%s\n' "$password"
    return 0
  fi
  line=$(head -n 1 "$MAIL_USERS_FILE" 2>/dev/null || true)
  [[ $line =~ $re ]] && salt=${BASH_REMATCH[1]}
  [[ -n $salt ]] || salt=$(random_secret | cut -c 1-16)
  printf '{SHA512-CRYPT}%s\n' "$(openssl passwd -6 -salt "$salt" -stdin <<<"$password")"
}

# Prints the distinct domains of MAIL_MAILBOXES, one a line, in order.
mail_domains() {
  local -A seen=()
  local mailbox domain
  for mailbox in "${MAIL_MAILBOXES[@]}"; do
    domain=${mailbox#*@}
    [[ -z ${seen[$domain]:-} ]] || continue
    seen[$domain]=1
    printf '%s\n' "$domain"
  done
}

# Writes both configurations; sets MAIL_POSTFIX_CHANGED and MAIL_DOVECOT_CHANGED to 1 when they changed.
mail_write_config() {
  local password=$1 uid gid mailbox hash domains
  MAIL_POSTFIX_CHANGED=0 MAIL_DOVECOT_CHANGED=0
  id postfix >/dev/null 2>&1 || die "user postfix does not exist (the postfix package creates it)"
  id dovecot >/dev/null 2>&1 || die "user dovecot does not exist (the dovecot-core package creates it)"
  uid=$(id -u "$MAIL_USER" 2>/dev/null) || die "mail: user $MAIL_USER (owner of the mailboxes) does not exist"
  gid=$(getent group "$MAIL_GROUP" | cut -d: -f3)
  [[ -n $gid ]] || die "mail: group $MAIL_GROUP (group of the mailboxes) does not exist"
  ((uid != 0)) || die "mail: MAIL_USER must not be root"

  mkdir -p "$MAIL_DIR" "$MAIL_POSTFIX_DIR" "$MAIL_QUEUE_DIR" "$MAIL_DOVECOT_DIR"
  # Dovecot's processes (users dovecot, dovenull, $MAIL_USER) and Postfix's (postfix) must traverse these.
  chmod 755 "$MAIL_DIR" "$MAIL_POSTFIX_DIR" "$MAIL_QUEUE_DIR" "$MAIL_DOVECOT_DIR"
  install -d -o postfix -g postfix -m 700 "$MAIL_POSTFIX_DATA_DIR"
  install -d -o "$uid" -g "$gid" -m 700 "$MAIL_MAILDIRS"
  for mailbox in "${MAIL_MAILBOXES[@]}"; do
    install -d -o "$uid" -g "$gid" -m 700 "$MAIL_MAILDIRS/${mailbox#*@}" "$MAIL_MAILDIRS/${mailbox#*@}/${mailbox%@*}"
  done
  domains=$(mail_domains)
  domains=${domains//$'\n'/ }

  # The same TLS as in production: the Worker refuses a server without STARTTLS or with a certificate it does not
  # trust, and trusts this development CA through its configuration. A renewed certificate is loaded by a reload.
  local before after
  before=$(cat "$MAIL_TLS_DIR/server.pem" 2>/dev/null || true)
  NCP_DATA_DIR=$DATA_DIR "$SCRIPT_DIR/keys.sh" tls "$MAIL_TLS_DIR" >>"$MAIL_COMMAND_LOG" 2>&1 ||
    die "mail: no TLS certificate for the mail servers (infra/keys.sh tls):$(mail_failure_details)"
  after=$(cat "$MAIL_TLS_DIR/server.pem")
  [[ $before == "$after" ]] || MAIL_POSTFIX_CHANGED=1 MAIL_DOVECOT_CHANGED=1

  hash=$(mail_password_hash "$password")
  for mailbox in "${MAIL_MAILBOXES[@]}"; do
    printf '%s:%s\n' "$mailbox" "$hash"
  done | write_if_changed "$MAIL_USERS_FILE" 640 && MAIL_DOVECOT_CHANGED=1
  chown root:dovecot "$MAIL_USERS_FILE"

  write_if_changed "$MAIL_DOVECOT_CONF" 644 <<EOF && MAIL_DOVECOT_CHANGED=1
# Written by infra/servers.sh at every start; run as: dovecot -c $MAIL_DOVECOT_CONF
instance_name = ncp-dovecot
base_dir = $MAIL_DOVECOT_RUN
state_dir = $MAIL_DOVECOT_STATE
log_path = $MAIL_DOVECOT_LOG
listen = 127.0.0.1
protocols = imap lmtp
# STARTTLS on the IMAP port (no implicit-TLS port). Logins without TLS stay allowed for the tools of the tests and
# benches on loopback; the Worker itself never logs in without TLS.
ssl = yes
ssl_cert = <$MAIL_TLS_DIR/server.pem
ssl_key = <$MAIL_TLS_DIR/server.key
ssl_dh = </usr/share/dovecot/dh.pem
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_verbose = yes
login_greeting = NCP mail ready.

passdb {
  driver = passwd-file
  args = scheme=SHA512-CRYPT username_format=%Lu $MAIL_USERS_FILE
}
# Without allow_all_users, LMTP asks the passdb whether a recipient exists.
userdb {
  driver = static
  args = uid=$uid gid=$gid home=$MAIL_MAILDIRS/%Ld/%Ln
}
mail_location = maildir:~/Maildir

namespace inbox {
  inbox = yes
  separator = /
  mailbox Drafts {
    special_use = \\Drafts
    auto = subscribe
  }
  mailbox Sent {
    special_use = \\Sent
    auto = subscribe
  }
  mailbox Junk {
    special_use = \\Junk
    auto = create
  }
  mailbox Trash {
    special_use = \\Trash
    auto = subscribe
  }
}

service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $IMAP_PORT
  }
  inet_listener imaps {
    port = 0
  }
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = $LMTP_PORT
  }
}
# ncp+anything@ncp.example lands in the folder "anything" of ncp (created on first mail): each test run and each
# bench reads its own folder of the one gateway mailbox.
recipient_delimiter = +
lda_mailbox_autocreate = yes
protocol lmtp {
  postmaster_address = postmaster@$MAIL_DOMAIN
  lmtp_save_to_detail_mailbox = yes
}
# Tests and IDLE watchers open many connections per user, all from 127.0.0.1 (the default is 10).
protocol imap {
  mail_max_userip_connections = 100
}
EOF

  for mailbox in "${MAIL_MAILBOXES[@]}"; do
    printf '%s OK\n' "$mailbox"
  done | write_if_changed "$MAIL_POSTFIX_DIR/virtual_mailboxes" 644 && MAIL_POSTFIX_CHANGED=1

  # away.example stands for a partner's mail server elsewhere (./ncp bench mail): Postfix takes such mail and queues
  # it as any other, then its discard transport drops it where it would have handed it on to the partner's server.
  # bounce.example stands for a partner address that no longer exists: Postfix takes the mail and hands it over LMTP to
  # Dovecot, which has no such mailbox and refuses it (550 5.1.1) as a partner's server would; Postfix then returns a
  # delivery status notification (RFC 3464) to the sender. (An error: transport would be refused already at RCPT.)
  printf '%s\n' 'away.example discard:handed on to a partner server elsewhere' \
    "bounce.example lmtp:inet:127.0.0.1:$LMTP_PORT" |
    write_if_changed "$MAIL_POSTFIX_DIR/transport" 644 && MAIL_POSTFIX_CHANGED=1

  write_if_changed "$MAIL_POSTFIX_DIR/main.cf" 644 <<EOF && MAIL_POSTFIX_CHANGED=1
# Written by infra/servers.sh at every start; run as: postfix -c $MAIL_POSTFIX_DIR start
compatibility_level = 3.6
queue_directory = $MAIL_QUEUE_DIR
data_directory = $MAIL_POSTFIX_DATA_DIR
mail_owner = postfix
setgid_group = postdrop
syslog_name = postfix-ncp
# There is no syslog here: Postfix logs to this file through its postlogd service.
maillog_file = $MAIL_POSTFIX_LOG
maillog_file_prefixes = $MAIL_DIR

myhostname = mail.$MAIL_DOMAIN
mydomain = $MAIL_DOMAIN
myorigin = \$mydomain
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
smtpd_banner = \$myhostname ESMTP
# STARTTLS offered, not demanded: partners' servers and smtp-source (the bench's baseline) may still send in clear.
smtpd_tls_security_level = may
smtpd_tls_cert_file = $MAIL_TLS_DIR/server.pem
smtpd_tls_key_file = $MAIL_TLS_DIR/server.key
smtpd_tls_protocols = >=TLSv1.2
smtpd_tls_mandatory_protocols = >=TLSv1.2
# A 50 MB attachment grows to about 68 MB once base64-encoded in a mail.
message_size_limit = 83886080
mailbox_size_limit = 0
virtual_mailbox_limit = 0
biff = no
append_dot_mydomain = no
# Retry soon when Dovecot was down, not after minutes.
queue_run_delay = 10s
minimal_backoff_time = 10s
maximal_backoff_time = 60s
readme_directory = no

# No local (Unix account) delivery: every mailbox is virtual and lives in Dovecot.
mydestination =
local_recipient_maps =
local_transport = error:local delivery is disabled
alias_maps =
alias_database =
virtual_mailbox_domains = $domains
virtual_mailbox_maps = texthash:$MAIL_POSTFIX_DIR/virtual_mailboxes
virtual_transport = lmtp:inet:127.0.0.1:$LMTP_PORT
recipient_delimiter = +

# Nothing may leave this machine: mail for any other domain bounces back to its sender, except that for
# away.example, which is dropped after queueing, and that for bounce.example, which Dovecot refuses so that it bounces
# (see the transport file).
relayhost =
transport_maps = texthash:$MAIL_POSTFIX_DIR/transport
default_transport = error:local delivery only
relay_transport = error:local delivery only
EOF

  write_if_changed "$MAIL_POSTFIX_DIR/master.cf" 644 <<EOF && MAIL_POSTFIX_CHANGED=1
# Written by infra/servers.sh at every start. No port-25 listener, no chroot.
# service type  private unpriv  chroot  wakeup  maxproc command + args
127.0.0.1:$SMTP_PORT inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
virtual   unix  -       n       n       -       -       virtual
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
EOF
  return 0
}

# Waits up to SECONDS for PID to exit.
wait_for_exit() {
  local pid=$1 seconds=$2 tries=0
  while pid_alive "$pid"; do
    ((++tries <= seconds * 10)) || return 1
    sleep 0.1
  done
}

# Waits up to SECONDS until every PORT listens on 127.0.0.1 (FREE=1: until none does).
wait_for_ports() {
  local seconds=$1 free=$2 tries=0 port pending
  shift 2
  while :; do
    pending=0
    for port in "$@"; do
      if port_user "$port" >/dev/null; then
        ((free == 0)) || pending=1
      else
        ((free == 1)) || pending=1
      fi
    done
    ((pending)) || return 0
    ((++tries <= seconds * 10)) || return 1
    sleep 0.1
  done
}

mail_failure_details() {
  local log
  for log in "$MAIL_COMMAND_LOG" "$MAIL_POSTFIX_LOG" "$MAIL_DOVECOT_LOG"; do
    [[ -s $log ]] || continue
    printf '\nlast lines of %s:\n%s' "$log" "$(tail -n 5 "$log" | tr -d '\r')"
  done
}

mail_reload_if_changed() {
  if ((MAIL_DOVECOT_CHANGED)) && dovecot_pid >/dev/null; then
    "$DOVEADM_BIN" -c "$MAIL_DOVECOT_CONF" reload </dev/null >>"$MAIL_COMMAND_LOG" 2>&1 9>&- ||
      die "mail: dovecot did not reload its changed configuration:$(mail_failure_details)"
  fi
  if ((MAIL_POSTFIX_CHANGED)) && postfix_pid >/dev/null; then
    postfix_cmd reload || die "mail: postfix did not reload its changed configuration:$(mail_failure_details)"
  fi
}

mail_start() {
  mail_require_root
  mail_load_state_if_running
  local postfix_up=0 dovecot_up=0
  postfix_pid >/dev/null && postfix_up=1
  dovecot_pid >/dev/null && dovecot_up=1
  ((postfix_up)) || require_free_port "$SMTP_PORT" NCP_SMTP_PORT
  if ((dovecot_up == 0)); then
    require_free_port "$IMAP_PORT" NCP_IMAP_PORT
    require_free_port "$LMTP_PORT" NCP_LMTP_PORT
  fi
  # Dovecot's and Postfix's Unix sockets live in these folders (the longest names are under 32 bytes).
  local dir
  for dir in "$MAIL_DOVECOT_RUN" "$MAIL_QUEUE_DIR"; do
    ((${#dir} + 32 < 108)) ||
      die "mail: socket folder $dir is too long for Unix sockets (107 bytes); set NCP_DATA_DIR to a shorter path"
  done

  local password
  password=$(ensure_secret "$MAIL_PASSWORD_FILE")
  # Rewritten when running too, so that new entries in MAIL_MAILBOXES are served after a reload.
  mail_write_config "$password"
  mail_save_state
  mail_reload_if_changed

  if ((postfix_up && dovecot_up)); then
    say "mail: already running on 127.0.0.1 (SMTP $SMTP_PORT, IMAP $IMAP_PORT, LMTP $LMTP_PORT)"
    return 0
  fi

  local -a starting=()
  ((postfix_up)) || starting+=(postfix)
  ((dovecot_up)) || starting+=(dovecot)
  say "mail: starting ${starting[*]}"
  if ((dovecot_up == 0)); then
    rm -f "$MAIL_DOVECOT_RUN/master.pid"
    # The daemon must not keep our stdout/stderr (a caller's pipe would never close) nor fd 9 (the lock).
    "$DOVECOT_BIN" -c "$MAIL_DOVECOT_CONF" </dev/null >>"$MAIL_COMMAND_LOG" 2>&1 9>&- ||
      die "mail: dovecot did not start:$(mail_failure_details)"
  fi
  if ((postfix_up == 0)); then
    postfix_cmd start || die "mail: postfix did not start:$(mail_failure_details)"
  fi
  wait_for_ports 30 0 "$SMTP_PORT" "$IMAP_PORT" "$LMTP_PORT" ||
    die "mail: ports $SMTP_PORT, $IMAP_PORT and $LMTP_PORT did not all listen within 30 s:$(mail_failure_details)"
  mail_running || die "mail: postfix or dovecot exited right after starting:$(mail_failure_details)"
  say "mail: started on 127.0.0.1 (SMTP $SMTP_PORT, IMAP $IMAP_PORT, LMTP $LMTP_PORT; ${#MAIL_MAILBOXES[@]} mailboxes, data $MAIL_DIR)"
}

mail_stop() {
  local postfix dovecot
  postfix=$(postfix_pid || true)
  dovecot=$(dovecot_pid || true)
  if [[ -z $postfix && -z $dovecot ]]; then
    say "mail: not running"
    return 0
  fi
  mail_require_root
  mail_load_state
  if [[ -n $postfix ]]; then
    postfix_cmd stop || kill -TERM "$postfix" 2>/dev/null || true
    wait_for_exit "$postfix" 30 || die "mail: postfix (pid $postfix) did not stop within 30 s"
  fi
  if [[ -n $dovecot ]]; then
    # What doveadm stop does, minus its wait for PID 1 to reap the exited master (seconds here).
    kill -TERM "$dovecot" 2>/dev/null || true
    wait_for_exit "$dovecot" 30 || die "mail: dovecot (pid $dovecot) did not stop within 30 s"
  fi
  # Their children may hold the listening sockets a moment longer than the masters.
  wait_for_ports 10 1 "$SMTP_PORT" "$IMAP_PORT" "$LMTP_PORT" ||
    warn "mail: stopped, but one of the ports $SMTP_PORT, $IMAP_PORT, $LMTP_PORT is still in use"
  say "mail: stopped"
}

mail_status() {
  local postfix dovecot
  postfix=$(postfix_pid || true)
  dovecot=$(dovecot_pid || true)
  if [[ -n $postfix && -n $dovecot ]]; then
    mail_load_state
    say "mail: running on 127.0.0.1 (SMTP $SMTP_PORT, IMAP $IMAP_PORT, LMTP $LMTP_PORT; postfix pid $postfix, dovecot pid $dovecot, data $MAIL_DIR)"
  elif [[ -n $postfix || -n $dovecot ]]; then
    say "mail: partly running (postfix ${postfix:+pid }${postfix:-not running}, dovecot ${dovecot:+pid }${dovecot:-not running}); infra/servers.sh start mail starts the rest"
    return 1
  else
    say "mail: not running"
    return 1
  fi
}

# ---------------------------------------------------------------- servers.env

# Single quotes keep the values literal for bash; .NET reads them from the environment once sourced.
quote() { printf "'%s'" "${1//\'/\'\\\'\'}"; }

write_env_file() {
  local tmp=$ENV_FILE.tmp pg_port pg_password rabbit_password mail_password
  # Servers not started by this call keep the ports they run on.
  rabbit_load_state_if_running
  mail_load_state_if_running
  (
    umask 077
    {
      printf '# Written by infra/servers.sh start. Use: source %s\n' "$ENV_FILE"
      printf 'export NCP_DATA_DIR=%s\n' "$(quote "$DATA_DIR")"
      if [[ -s $PG_PASSWORD_FILE ]]; then
        pg_port=$PG_PORT
        pg_running && pg_port=$(pg_running_port)
        pg_password=$(head -n 1 "$PG_PASSWORD_FILE")
        printf 'export ConnectionStrings__Postgres=%s\n' \
          "$(quote "Host=127.0.0.1;Port=$pg_port;Database=ncp;Username=ncp;Password=$pg_password")"
        printf 'export ConnectionStrings__PostgresTest=%s\n' \
          "$(quote "Host=127.0.0.1;Port=$pg_port;Database=ncp_test;Username=ncp;Password=$pg_password")"
        printf 'export NCP_PG_BIN=%s\n' "$PG_BIN"
        printf 'export NCP_PG_PORT=%s\n' "$pg_port"
        printf 'export NCP_PG_PASSWORD=%s\n' "$(quote "$pg_password")"
      fi
      if [[ -s $RABBIT_PASSWORD_FILE ]]; then
        rabbit_password=$(head -n 1 "$RABBIT_PASSWORD_FILE")
        printf 'export RabbitMq__Host=127.0.0.1\n'
        printf 'export RabbitMq__Port=%s\n' "$RABBIT_PORT"
        printf 'export RabbitMq__VirtualHost=ncp\n'
        printf 'export RabbitMq__TestVirtualHost=ncp_test\n'
        printf 'export RabbitMq__Username=ncp\n'
        printf 'export RabbitMq__Password=%s\n' "$(quote "$rabbit_password")"
        printf 'export RabbitMq__ManagementUrl=%s\n' "http://127.0.0.1:$RABBIT_MGMT_PORT/"
        printf 'export NCP_RABBIT_PASSWORD=%s\n' "$(quote "$rabbit_password")"
        printf 'export NCP_RABBIT_PORT=%s\n' "$RABBIT_PORT"
        printf 'export NCP_RABBIT_MGMT_PORT=%s\n' "$RABBIT_MGMT_PORT"
        printf 'export NCP_RABBIT_DIST_PORT=%s\n' "$RABBIT_DIST_PORT"
        printf 'export NCP_EPMD_PORT=%s\n' "$EPMD_PORT"
        printf 'export NCP_RABBIT_NODENAME=%s\n' "$(quote "$RABBIT_NODENAME")"
      fi
      if [[ -s $MAIL_PASSWORD_FILE ]]; then
        mail_password=$(head -n 1 "$MAIL_PASSWORD_FILE")
        printf 'export Smtp__Host=127.0.0.1\n'
        printf 'export Smtp__Port=%s\n' "$SMTP_PORT"
        printf 'export Imap__Host=127.0.0.1\n'
        printf 'export Imap__Port=%s\n' "$IMAP_PORT"
        printf 'export Smtp__TrustedCaFile=%s\n' "$(quote "$MAIL_TLS_CA")"
        printf 'export Imap__TrustedCaFile=%s\n' "$(quote "$MAIL_TLS_CA")"
        printf 'export Mail__Password=%s\n' "$(quote "$mail_password")"
        printf 'export Mail__Domain=%s\n' "$MAIL_DOMAIN"
        printf 'export NCP_SMTP_PORT=%s\n' "$SMTP_PORT"
        printf 'export NCP_IMAP_PORT=%s\n' "$IMAP_PORT"
        printf 'export NCP_LMTP_PORT=%s\n' "$LMTP_PORT"
      fi
    } >"$tmp"
  )
  chmod 600 "$tmp"
  mv -f "$tmp" "$ENV_FILE"
}

# ---------------------------------------------------------------- main

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
  ensure_installed "${SERVERS[@]}"
  local server
  for server in "${SERVERS[@]}"; do
    case $server in
      postgres) pg_start ;;
      rabbitmq) rabbit_start ;;
      mail) mail_start ;;
    esac
  done
  write_env_file
  say "settings: source $ENV_FILE"
}

cmd_stop() {
  [[ -d $DATA_DIR ]] || {
    local server
    for server in "${SERVERS[@]}"; do say "$server: not running"; done
    return 0
  }
  lock
  local server
  for server in "${SERVERS[@]}"; do
    case $server in
      postgres) pg_stop ;;
      rabbitmq) rabbit_stop ;;
      mail) mail_stop ;;
    esac
  done
}

# Not a server: only the tests need it, so ./ncp test asks for it and ./ncp up does not.
cmd_browser() {
  if [[ -n ${NCP_CHROMIUM:-} ]]; then
    [[ -x $CHROMIUM && ! -d $CHROMIUM ]] ||
      die "NCP_CHROMIUM=$CHROMIUM is not an executable file; unset it to use Debian's chromium ($DEBIAN_CHROMIUM)"
  else
    mkdir -p "$DATA_DIR"
    lock
    ensure_installed browser
  fi
  local version
  version=$("$CHROMIUM" --headless --no-sandbox --version 2>&1 </dev/null) ||
    die "browser: $CHROMIUM does not run: ${version##*$'\n'}"
  say "browser: ${version##*$'\n'} ($CHROMIUM)"
}

cmd_status() {
  local server rc=0
  for server in "${SERVERS[@]}"; do
    case $server in
      postgres) pg_status || rc=3 ;;
      rabbitmq) rabbit_status || rc=3 ;;
      mail) mail_status || rc=3 ;;
    esac
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
    psql)
      pg_running || die "postgres is not running; run infra/servers.sh start postgres"
      PGPASSWORD=$(head -n 1 "$PG_PASSWORD_FILE") exec "$PG_BIN/psql" \
        -h 127.0.0.1 -p "$(pg_running_port)" -U ncp -d ncp "$@"
      ;;
    rabbitmqctl)
      rabbit_running || die "rabbitmq is not running; run infra/servers.sh start rabbitmq"
      rabbit_load_state
      rabbitmqctl "$@"
      ;;
    browser)
      (($# == 0)) || usage
      cmd_browser
      ;;
    -h | --help | help) usage ;;
    *) usage ;;
  esac
}

main "$@"
