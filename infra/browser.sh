# shellcheck shell=bash
# Not a server: Debian's Chromium for the browser tests, which only the tests need (./ncp test asks for it, ./ncp up
# does not). Playwright's own browser download cannot work offline; the tests drive Debian's Chromium instead.
# Sourced by infra/servers.sh after infra/lib.sh and infra/packages.sh.

DEBIAN_CHROMIUM=/usr/bin/chromium
CHROMIUM=${NCP_CHROMIUM:-$DEBIAN_CHROMIUM}

browser_missing_packages() {
  local -a missing=()
  [[ -x $CHROMIUM ]] || missing+=(chromium)
  # Screenshots must show Cyrillic and Kazakh letters whatever font fontconfig happened to pull in.
  [[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]] || missing+=(fonts-dejavu-core)
  ((${#missing[@]} == 0)) || echo "${missing[*]}"
}

# Installs Chromium unless NCP_CHROMIUM names one (used as it is, never installed), then checks that it runs.
browser_ensure() {
  if [[ -n ${NCP_CHROMIUM:-} ]]; then
    [[ -x $CHROMIUM && ! -d $CHROMIUM ]] ||
      die "NCP_CHROMIUM=$CHROMIUM is not an executable file; unset it to use Debian's chromium ($DEBIAN_CHROMIUM)"
  else
    mkdir -p "$DATA_DIR"
    lock
    ensure_installed "$DATA_DIR/apt.log" browser
  fi
  local version
  version=$("$CHROMIUM" --headless --no-sandbox --version 2>&1 </dev/null) ||
    die "browser: $CHROMIUM does not run: ${version##*$'\n'}"
  say "browser: ${version##*$'\n'} ($CHROMIUM)"
}
