# shellcheck shell=bash
# Dovecot: IMAP (with IDLE) for the mailboxes, and LMTP for the mail Postfix hands over. Sourced by infra/mail/mail.sh,
# which sets the MAIL_* paths (mail_instance) before calling these; its configuration is dovecot.conf.template.

DOVECOT_BIN=/usr/sbin/dovecot
DOVEADM_BIN=/usr/bin/doveadm

dovecot_pid() {
  local pid
  pid=$(head -n 1 "$MAIL_DOVECOT_RUN/master.pid" 2>/dev/null || true)
  pid_alive "$pid" && grep -q dovecot "/proc/$pid/cmdline" 2>/dev/null || return 1
  printf '%s\n' "$pid"
}

# Dovecot's passwd-file password for the shared secret. The salt of the existing file is reused, so an
# unchanged password leaves the file unchanged.
dovecot_password_hash() {
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

# Writes the users file and dovecot.conf for mailboxes owned by MAIL_UID:MAIL_GID; succeeds only when either changed.
dovecot_write_config() {
  # shellcheck disable=SC2034 # read by render, by name
  local password=$1 MAIL_UID=$2 MAIL_GID=$3 hash mailbox conf unchanged=1
  hash=$(dovecot_password_hash "$password")
  for mailbox in "${MAIL_MAILBOXES[@]}"; do
    printf '%s:%s\n' "$mailbox" "$hash"
  done | write_if_changed "$MAIL_USERS_FILE" 640 && unchanged=0
  chown root:dovecot "$MAIL_USERS_FILE" || die "mail: could not give $MAIL_USERS_FILE to dovecot"

  render conf "$SCRIPT_DIR/mail/dovecot.conf.template" MAIL_DOVECOT_CONF MAIL_DOVECOT_RUN MAIL_DOVECOT_STATE \
    MAIL_DOVECOT_LOG MAIL_TLS_DIR MAIL_USERS_FILE MAIL_UID MAIL_GID MAIL_MAILDIRS IMAP_PORT LMTP_PORT MAIL_DOMAIN
  printf '%s' "$conf" | write_if_changed "$MAIL_DOVECOT_CONF" 644 && unchanged=0
  return "$unchanged"
}

dovecot_start() {
  rm -f "$MAIL_DOVECOT_RUN/master.pid"
  # The daemon must not keep our stdout/stderr (a caller's pipe would never close) nor fd 9 (the lock).
  "$DOVECOT_BIN" -c "$MAIL_DOVECOT_CONF" </dev/null >>"$MAIL_COMMAND_LOG" 2>&1 9>&-
}

dovecot_reload() {
  "$DOVEADM_BIN" -c "$MAIL_DOVECOT_CONF" reload </dev/null >>"$MAIL_COMMAND_LOG" 2>&1 9>&-
}

# Stops the master of PID: what doveadm stop does, minus its wait for PID 1 to reap the exited master (seconds here).
dovecot_stop() {
  local pid=$1
  kill -TERM "$pid" 2>/dev/null || true
  wait_for_exit "$pid" 30
}
