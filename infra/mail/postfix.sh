# shellcheck shell=bash
# Postfix: SMTP on 127.0.0.1, handing the mail for our mailboxes over LMTP to Dovecot. Sourced by infra/mail/mail.sh,
# which sets the MAIL_* paths (mail_instance) before calling these; its configuration is main.cf.template,
# master.cf.template and transport.template.

POSTFIX_BIN=/usr/sbin/postfix

postfix_pid() {
  local pid
  pid=$(tr -d ' \n' 2>/dev/null <"$MAIL_QUEUE_DIR/pid/master.pid" || true)
  pid_alive "$pid" && grep -q postfix "/proc/$pid/cmdline" 2>/dev/null || return 1
  printf '%s\n' "$pid"
}

# Without syslog, Postfix reports errors only when stderr is a terminal and otherwise exits 1 without a
# word, so its commands run under script(1); their output goes to $MAIL_COMMAND_LOG. fd 9 is the lock.
postfix_cmd() {
  local cmd
  printf -v cmd '%q ' "$POSTFIX_BIN" -c "$MAIL_POSTFIX_DIR" "$@"
  printf '\n$ %s\n' "$cmd" >>"$MAIL_COMMAND_LOG"
  timeout 120 script -qec "$cmd" /dev/null </dev/null >>"$MAIL_COMMAND_LOG" 2>&1 9>&-
}

# Writes Postfix's tables and configuration for the domains MAIL_DOMAINS (space-separated); succeeds only when one
# of them changed.
postfix_write_config() {
  # shellcheck disable=SC2034 # read by render, by name
  local MAIL_DOMAINS=$1 mailbox transport main master unchanged=1
  for mailbox in "${MAIL_MAILBOXES[@]}"; do
    printf '%s OK\n' "$mailbox"
  done | write_if_changed "$MAIL_POSTFIX_DIR/virtual_mailboxes" 644 && unchanged=0

  # away.example stands for a partner's mail server elsewhere (./ncp bench mail): Postfix takes such mail and queues
  # it as any other, then its discard transport drops it where it would have handed it on to the partner's server.
  # bounce.example stands for a partner address that no longer exists: Postfix takes the mail and hands it over LMTP to
  # Dovecot, which has no such mailbox and refuses it (550 5.1.1) as a partner's server would; Postfix then returns a
  # delivery status notification (RFC 3464) to the sender. (An error: transport would be refused already at RCPT.)
  render transport "$SCRIPT_DIR/mail/transport.template" LMTP_PORT
  printf '%s' "$transport" | write_if_changed "$MAIL_POSTFIX_DIR/transport" 644 && unchanged=0

  render main "$SCRIPT_DIR/mail/main.cf.template" MAIL_POSTFIX_DIR MAIL_QUEUE_DIR MAIL_POSTFIX_DATA_DIR \
    MAIL_POSTFIX_LOG MAIL_DIR MAIL_DOMAIN MAIL_TLS_DIR MAIL_DOMAINS LMTP_PORT
  printf '%s' "$main" | write_if_changed "$MAIL_POSTFIX_DIR/main.cf" 644 && unchanged=0

  render master "$SCRIPT_DIR/mail/master.cf.template" SMTP_PORT
  printf '%s' "$master" | write_if_changed "$MAIL_POSTFIX_DIR/master.cf" 644 && unchanged=0
  return "$unchanged"
}
