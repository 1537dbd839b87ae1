#!/usr/bin/env bash
# ./ncp doctor: checks on this machine what README.md assumes before `./ncp up` and `./ncp test`, one line each:
#   ok   <what>: <what was found>
#   warn <what>: <what was found>; <what to do>        (./ncp will cope, or it matters only for some commands)
#   FAIL <what>: <what was found>; <what to do>        (./ncp up or ./ncp test will stop on it)
# Exits 1 when a line says FAIL, else 0. It changes nothing: no install, no apt-get update, no server started.
set -uo pipefail

ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
DATA=${NCP_DATA_DIR:-$ROOT/.data}
[[ -e $DATA ]] && DATA=$(readlink -f "$DATA")
FAILED=0

ok() { printf 'ok   %s\n' "$*"; }
warn() { printf 'warn %s\n' "$*"; }
fail() { printf 'FAIL %s\n' "$*"; FAILED=1; }

# ---------------------------------------------------------------- the .NET SDK global.json asks for
check_sdk() {
  local wanted sdks best
  wanted=$(sed -n 's/.*"version": *"\([0-9.]*\)".*/\1/p' "$ROOT/global.json")
  if ! command -v dotnet >/dev/null 2>&1; then
    fail ".NET SDK: dotnet is not on PATH; install the .NET SDK $wanted or a later ${wanted%.*}.x (https://learn.microsoft.com/dotnet/core/install/linux-debian)"
    return
  fi
  sdks=$(dotnet --list-sdks 2>/dev/null | awk '{ print $1 }')
  # global.json rolls forward to the latest feature band of the same major.minor (rollForward latestFeature).
  best=$(awk -v want="$wanted" 'BEGIN { split(want, w, ".") }
    { split($1, v, "."); split(v[3], p, "-")
      if (v[1] == w[1] && v[2] == w[2] && p[1] + 0 >= w[3] + 0) print $1 }' <<<"$sdks" | sort -V | tail -1)
  if [[ -n $best ]]; then
    ok ".NET SDK: $best (global.json asks for $wanted or a later ${wanted%.*}.x)"
  else
    fail ".NET SDK: found ${sdks//$'\n'/, }; install the .NET SDK $wanted or a later ${wanted%.*}.x (global.json)"
  fi
}

# ---------------------------------------------------------------- ports: free, or held by this checkout's own servers
# The process listening on 127.0.0.1:PORT (or every address), as "pid name"; nothing when the port is free.
listener() { # port
  local line
  if command -v ss >/dev/null 2>&1; then
    line=$(ss -Hltnp "sport = :$1" 2>/dev/null | awk '$4 ~ /^(127\.0\.0\.1|0\.0\.0\.0|\*|\[::\]|\[::ffff:127\.0\.0\.1\]):/' | head -1)
    [[ -n $line ]] || return 0
    sed -n 's/.*users:(("\([^"]*\)",pid=\([0-9]*\).*/\2 \1/p' <<<"$line" | grep . || echo "? another process"
  elif (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
    echo "? another process"
  fi
}
# True when the process works in this checkout's data folder or project folders: one of our own servers or hosts.
ours() { # pid
  [[ $1 != '?' && -r /proc/$1/cmdline ]] || return 1
  local cmd cwd
  cmd=$(tr '\0' ' ' <"/proc/$1/cmdline")
  cwd=$(readlink "/proc/$1/cwd" 2>/dev/null)
  [[ $cmd == *"$DATA"* || $cwd == "$DATA"* || $cwd == "$ROOT/Ncp.Api" || $cwd == "$ROOT/Ncp.Worker" ]] && return 0
  # RabbitMQ's node names its folders only in its environment.
  tr '\0' '\n' <"/proc/$1/environ" 2>/dev/null | grep -q "^RABBITMQ_MNESIA_BASE=$DATA"
}
check_port() { # what variable default
  local what=$1 variable=$2 port=${!2:-$3} who
  who=$(listener "$port")
  if [[ -z $who ]]; then
    ok "port $port ($what, $variable): free"
  elif ours "${who%% *}"; then
    ok "port $port ($what, $variable): taken by our own ${who#* } (pid ${who%% *}, $DATA)"
  else
    fail "port $port ($what, $variable): taken by ${who#* } (pid ${who%% *}), not ours; stop it or set $variable to a free port"
  fi
}
check_ports() {
  check_port "Api" NCP_API_PORT 5080
  check_port "Worker health" NCP_WORKER_PORT 5081
  check_port "PostgreSQL" NCP_PG_PORT 55432
  check_port "RabbitMQ" NCP_RABBIT_PORT 55672
  check_port "RabbitMQ management" NCP_RABBIT_MGMT_PORT 55673
  check_port "RabbitMQ distribution" NCP_RABBIT_DIST_PORT 25672
  check_port "SMTP" NCP_SMTP_PORT 2525
  check_port "IMAP" NCP_IMAP_PORT 10143
  check_port "LMTP" NCP_LMTP_PORT 10024
}

# ---------------------------------------------------------------- Debian's packages: installed, or apt can fetch them
missing_packages() {
  local -a missing=()
  [[ -x /usr/lib/postgresql/15/bin/initdb ]] || missing+=(postgresql)
  [[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ]] || missing+=(rabbitmq-server)
  [[ -x /usr/lib/postfix/sbin/master ]] || missing+=(postfix)
  [[ -x /usr/lib/dovecot/imap ]] || missing+=(dovecot-imapd)
  [[ -x /usr/lib/dovecot/lmtp ]] || missing+=(dovecot-lmtpd)
  echo "${missing[*]}"
}
# The hosts of the apt sources (one-line and deb822 formats), as host:port.
apt_hosts() {
  cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null |
    grep -oE '^(deb|URIs:)[^#]*https?://[^/ ]+' | grep -oE 'https?://[^/ ]+' | sort -u |
    awk -F'://' '{ host = $2; port = ($1 == "https" ? 443 : 80); if (host ~ /:/) { split(host, h, ":"); host = h[1]; port = h[2] } print host ":" port }'
}
check_apt() {
  local missing hosts host reached=
  missing=$(missing_packages)
  if ! command -v apt-get >/dev/null 2>&1; then
    if [[ -z $missing ]]; then ok "apt: no apt-get, but the servers' packages are installed"
    else fail "apt: no apt-get and $missing missing; install them by hand or use infra/docker-compose.yml"; fi
    return
  fi
  hosts=$(apt_hosts)
  for host in $hosts; do
    if timeout 5 bash -c "exec 3<>/dev/tcp/${host%:*}/${host#*:}" 2>/dev/null; then reached=$host; break; fi
  done
  if [[ -n $reached ]]; then
    ok "apt: $reached answers${missing:+; ./ncp up installs $missing (about a minute)}"
  elif [[ -z $missing ]]; then
    warn "apt: no package source answers (${hosts//$'\n'/, }); the servers' packages are installed, so ./ncp up needs none"
  else
    fail "apt: no package source answers (${hosts//$'\n'/, }) and $missing missing; fix the network or the apt proxy (apt-config dump | grep -i proxy)"
  fi
  if [[ -n $missing && $EUID -ne 0 ]] && ! command -v sudo >/dev/null 2>&1; then
    fail "apt: installing $missing needs root, and sudo is missing; run ./ncp up as root once"
  fi
}

# ---------------------------------------------------------------- the browser tests: Chromium, Playwright's driver
check_browser() {
  local chromium=${NCP_CHROMIUM:-/usr/bin/chromium} version driver
  if [[ -x $chromium ]]; then
    version=$("$chromium" --version 2>/dev/null | head -1)
    ok "Chromium: ${version:-$chromium}"
  elif [[ -n ${NCP_CHROMIUM:-} ]]; then
    fail "Chromium: NCP_CHROMIUM=$NCP_CHROMIUM is not an executable; point it at a Chromium or unset it"
  else
    warn "Chromium: not installed; ./ncp test installs Debian's (infra/servers.sh browser), or set NCP_CHROMIUM"
  fi
  version=$(sed -n 's/.*Include="Microsoft.Playwright" Version="\([^"]*\)".*/\1/p' "$ROOT/Directory.Packages.props")
  driver=${NUGET_PACKAGES:-$HOME/.nuget/packages}/microsoft.playwright/$version/.playwright
  if [[ -d $driver ]]; then
    ok "Playwright: $version with its Node driver ($driver)"
  else
    warn "Playwright: $version not restored yet; the first build restores it (about 0.8 GB in the NuGet cache)"
  fi
}

# ---------------------------------------------------------------- disk space
check_disk() { # folder what need-gb
  local folder=$1 free_gb
  while [[ ! -d $folder ]]; do folder=$(dirname "$folder"); done
  free_gb=$(df -Pk "$folder" | awk 'NR == 2 { printf "%d", $4 / 1048576 }')
  if ((free_gb >= $3)); then
    ok "disk: $free_gb GB free for $2 ($folder)"
  elif ((free_gb >= 1)); then
    warn "disk: $free_gb GB free for $2 ($folder), $3 GB wanted; free some space (artifacts/, old bin/ and obj/ folders)"
  else
    fail "disk: under 1 GB free for $2 ($folder); free space before ./ncp up"
  fi
}

check_sdk
check_ports
check_apt
check_browser
check_disk "$ROOT" "the checkout, its builds and artifacts/" 3
check_disk "$DATA" "the servers' data (.data)" 2
check_disk "${NUGET_PACKAGES:-$HOME/.nuget/packages}" "the NuGet cache (about 1.3 GB)" 2
exit "$FAILED"
