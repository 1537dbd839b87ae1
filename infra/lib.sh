# shellcheck shell=bash
# Helpers shared by infra/servers.sh and the servers' scripts it sources (infra/postgres/, infra/rabbitmq/, infra/mail/):
# messages, ports, processes, secrets and the templates the servers' configurations are written from.

say() { printf '%s\n' "$*"; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() {
  printf 'error: %s\n' "$*" >&2
  exit 1
}

is_root() { [[ $EUID -eq 0 ]]; }

check_port_number() {
  local name=$1 value=$2
  if ! [[ $value =~ ^[0-9]+$ ]] || ((value < 1 || value > 65535)); then
    die "$name=$value is not a TCP port number (1-65535)"
  fi
}

random_secret() {
  if command -v openssl >/dev/null 2>&1; then
    openssl rand -hex 16
  else
    od -An -N16 -tx1 /dev/urandom | tr -d ' \n'
    printf '\n'
  fi
}

# Prints the secret stored in FILE, creating it (and its private folder) on first use so it stays stable across restarts.
ensure_secret() {
  local file=$1 dir
  if [[ ! -s $file ]]; then
    dir=$(dirname -- "$file")
    mkdir -p "$dir"
    chmod 700 "$dir"
    (
      umask 077
      random_secret >"$file.tmp"
    )
    mv -f "$file.tmp" "$file"
  fi
  chmod 600 "$file"
  head -n 1 "$file"
}

# PID 1 here reaps orphans late, so a dead daemon can linger as a zombie that kill -0 still finds.
pid_alive() {
  local state
  [[ $1 =~ ^[0-9]+$ ]] || return 1
  state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
  [[ -n $state && $state != Z && $state != X ]]
}

# Waits up to SECONDS for PID to exit.
wait_for_exit() {
  local pid=$1 seconds=$2 tries=0
  while pid_alive "$pid"; do
    ((++tries <= seconds * 10)) || return 1
    sleep 0.1
  done
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

# Sets VAR to TEMPLATE with ${NAME} replaced by the value of the shell variable NAME, for the NAMEs given only: a
# server's own syntax ($mydomain, %Lu, \Drafts) passes untouched and no command in a template is ever run (envsubst
# would do, but gettext-base is not on every machine). A ${NAME} left over is a name missing from the call. It sets a
# variable rather than printing, so that a mistake stops the script instead of a pipe writing half a file.
render() {
  local _render_var=$1 _render_template=$2 _render_text='' _render_name
  shift 2
  [[ -f $_render_template ]] || die "template $_render_template is missing"
  IFS= read -rd '' _render_text <"$_render_template" || true
  for _render_name in "$@"; do
    [[ -v $_render_name ]] || die "template $_render_template: variable $_render_name is not set"
    # Quoted pattern and replacement: neither glob characters nor & in a value are special.
    _render_text=${_render_text//"\${$_render_name}"/"${!_render_name}"}
  done
  if [[ $_render_text =~ \$\{[A-Za-z_][A-Za-z0-9_]*\} ]]; then
    die "template $_render_template: ${BASH_REMATCH[0]} is not filled (name it in the call to render)"
  fi
  printf -v "$_render_var" '%s' "$_render_text"
}

# Sets each VAR from the line KEY=value of FILE, for the KEY:VAR pairs given (nothing when FILE is missing).
read_state() {
  local file=$1 key value pair
  shift
  [[ -f $file ]] || return 0
  while IFS='=' read -r key value; do
    for pair in "$@"; do
      [[ $key != "${pair%%:*}" ]] || printf -v "${pair#*:}" '%s' "$value"
    done
  done <"$file"
}

# Single quotes keep the values literal for bash; .NET reads them from the environment once sourced.
quote() { printf "'%s'" "${1//\'/\'\\\'\'}"; }
