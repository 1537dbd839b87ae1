# shellcheck shell=bash
# Debian's packages for the servers, installed with apt-get when missing. Sourced by infra/servers.sh after
# infra/lib.sh; each server's script says what it lacks in <prefix>_missing_packages (see server_prefix there).

apt_candidate_missing() {
  local pkg=$1 candidate
  candidate=$(apt-cache policy "$pkg" 2>/dev/null | awk '/Candidate:/ {print $2}')
  [[ -z $candidate || $candidate == "(none)" ]]
}

apt_error_line() {
  local line
  line=$(grep -E '^(E|Err):' "$1" | tail -n 1 || true)
  printf '%s\n' "${line:-$(tail -n 1 "$1")}"
}

# Prints the missing packages of the SERVERs, space-separated (nothing when all are installed).
missing_packages() {
  local server missing
  local -a all=()
  for server in "$@"; do
    missing=$("$(server_prefix "$server")_missing_packages")
    [[ -z $missing ]] || all+=("$missing")
  done
  ((${#all[@]} == 0)) || echo "${all[*]}"
}

# Installs what the SERVERs lack; the apt log goes to LOG.
ensure_installed() {
  local log=$1
  shift
  local -a pkgs=() sudo=()
  local pkg
  read -ra pkgs <<<"$(missing_packages "$@")"
  ((${#pkgs[@]})) || return 0

  if ! is_root; then
    command -v sudo >/dev/null 2>&1 ||
      die "${pkgs[*]} not installed; installing needs root:" \
        "run 'sudo apt-get install -y --no-install-recommends ${pkgs[*]}' or run this script as root"
    say "${pkgs[*]} not installed; installing with sudo (apt-get needs root)"
    sudo=(sudo)
  fi

  local updated=0
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

  pkg=$(missing_packages "$@")
  [[ -z $pkg ]] || die "apt-get installed $pkg but its binaries are still missing (full log: $log)"
}
