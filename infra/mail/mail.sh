# shellcheck shell=bash
# shellcheck disable=SC2034 # mail_instance sets paths that postfix.sh, dovecot.sh and the templates read
# Mail: Postfix takes SMTP on 127.0.0.1 and hands local mail over LMTP to Dovecot, which serves it over IMAP
# (infra/mail/postfix.sh, infra/mail/dovecot.sh). Both are private instances: configuration, queue, mailboxes and logs
# live in the instance's folder. Nothing in /etc/postfix or /etc/dovecot is changed, and their main.cf, master.cf and
# dovecot.conf are not used (Postfix still reads its package metadata there: postfix-files, dynamicmaps.cf).
# Sourced by infra/servers.sh after infra/lib.sh; it uses DATA_DIR and SECRETS_DIR from there.
#
# One pair at a time: mail_instance DIR SMTP_PORT IMAP_PORT LMTP_PORT points the functions below at a folder and ports.

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

mail_instance() {
  MAIL_DIR=$1
  SMTP_PORT=$2
  IMAP_PORT=$3
  LMTP_PORT=$4
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
  MAIL_PASSWORD_FILE=$SECRETS_DIR/mail.password
}

mail_missing_packages() {
  local -a missing=()
  [[ -x $POSTFIX_BIN ]] || missing+=(postfix)
  [[ -x /usr/lib/dovecot/imap ]] || missing+=(dovecot-imapd)
  [[ -x /usr/lib/dovecot/lmtp ]] || missing+=(dovecot-lmtpd)
  ((${#missing[@]} == 0)) || echo "${missing[*]}"
}

mail_check_mailboxes() {
  local mailbox own=0
  for mailbox in "${MAIL_MAILBOXES[@]}"; do
    [[ $mailbox =~ ^[a-z0-9][a-z0-9._-]*@[a-z0-9]([a-z0-9.-]*[a-z0-9])?$ ]] ||
      die "mailbox $mailbox in MAIL_MAILBOXES must be a lower-case address like name@domain"
    [[ ${mailbox#*@} != "$MAIL_DOMAIN" ]] || own=1
  done
  ((own)) || die "MAIL_MAILBOXES has no mailbox in MAIL_DOMAIN=$MAIL_DOMAIN"
}

# The running instances keep the ports they were started with, whatever the environment says now.
mail_load_state() {
  read_state "$MAIL_STATE_FILE" smtp_port:SMTP_PORT imap_port:IMAP_PORT lmtp_port:LMTP_PORT
}

mail_save_state() {
  printf '%s\n' "smtp_port=$SMTP_PORT" "imap_port=$IMAP_PORT" "lmtp_port=$LMTP_PORT" >"$MAIL_STATE_FILE"
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
  local password=$1 uid gid mailbox domains
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

  dovecot_write_config "$password" "$uid" "$gid" && MAIL_DOVECOT_CHANGED=1
  postfix_write_config "$domains" && MAIL_POSTFIX_CHANGED=1
  return 0
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
    dovecot_reload || die "mail: dovecot did not reload its changed configuration:$(mail_failure_details)"
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
    dovecot_start || die "mail: dovecot did not start:$(mail_failure_details)"
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
    dovecot_stop "$dovecot" || die "mail: dovecot (pid $dovecot) did not stop within 30 s"
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
    say "mail: running on 127.0.0.1 (SMTP $SMTP_PORT, IMAP $IMAP_PORT, LMTP $LMTP_PORT;" \
      "postfix pid $postfix, dovecot pid $dovecot, data $MAIL_DIR)"
  elif [[ -n $postfix || -n $dovecot ]]; then
    say "mail: partly running (postfix ${postfix:+pid }${postfix:-not running}," \
      "dovecot ${dovecot:+pid }${dovecot:-not running}); infra/servers.sh start mail starts the rest"
    return 1
  else
    say "mail: not running"
    return 1
  fi
}

# Its lines of servers.env, once it has a password. Servers not started by this call keep the ports they run on.
mail_settings() {
  [[ -s $MAIL_PASSWORD_FILE ]] || return 0
  mail_load_state_if_running
  local password
  password=$(head -n 1 "$MAIL_PASSWORD_FILE")
  printf 'export Smtp__Host=127.0.0.1\n'
  printf 'export Smtp__Port=%s\n' "$SMTP_PORT"
  printf 'export Imap__Host=127.0.0.1\n'
  printf 'export Imap__Port=%s\n' "$IMAP_PORT"
  printf 'export Smtp__TrustedCaFile=%s\n' "$(quote "$MAIL_TLS_CA")"
  printf 'export Imap__TrustedCaFile=%s\n' "$(quote "$MAIL_TLS_CA")"
  printf 'export Mail__Password=%s\n' "$(quote "$password")"
  printf 'export Mail__Domain=%s\n' "$MAIL_DOMAIN"
  printf 'export NCP_SMTP_PORT=%s\n' "$SMTP_PORT"
  printf 'export NCP_IMAP_PORT=%s\n' "$IMAP_PORT"
  printf 'export NCP_LMTP_PORT=%s\n' "$LMTP_PORT"
}
