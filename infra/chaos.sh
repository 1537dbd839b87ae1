#!/usr/bin/env bash
# shellcheck disable=SC2154 # the connection settings come from the chaos servers' servers.env
# ./ncp chaos: crashes and outages lose nothing. Under a mixed load (registrations and sends over HTTP, mail to partners,
# signed+encrypted partner replies and strangers' mail into the gateway, deadlines falling due) it kills -9 the Api, the
# Worker, RabbitMQ and PostgreSQL at random moments, one at a time, restarting each as a supervisor would, and stops the
# SMTP server (Postfix) and then the IMAP server (Dovecot) for a while. Then it lets the work drain and checks that every
# registration answered 201 exists, every mail to a partner is in the partner's mailbox exactly once, every inbound mail
# is on its item or in quarantine, and every rung that fell due was recorded exactly once; it prints the time to recover
# from each kill. Exit 1 on any loss or duplicate.
#
# Everything runs on servers of its own (NCP_DATA_DIR under artifacts/chaos, every port shifted), never the shared ones.
#
#   NCP_CHAOS_KILLS        kills of each of the Api, Worker, RabbitMQ and PostgreSQL               [10]
#   NCP_CHAOS_SMTP_OUTAGE  how long Postfix is stopped (s, or with m/s: 10m, 30s)                 [10m]
#   NCP_CHAOS_IMAP_OUTAGE  how long Dovecot is stopped, after Postfix is back                      [5m]
#   NCP_CHAOS_RATE         registrations per second (every other one is sent to a partner)        [1]
#   NCP_CHAOS_INBOUND_EVERY seconds between inbound mails (one in ten from a stranger)            [3]
#   NCP_CHAOS_REPLY_WITHIN the items' reply-by (rungs at half-time and at the end, which reminds the partner) [4m]
#   NCP_CHAOS_SETTLE       longest wait for the work to drain after the chaos                      [15m]
#   NCP_CHAOS_PORT_SHIFT   added to every default port for the chaos servers, Api and Worker      [100]
#   NCP_CHAOS_DIR          servers' data, logs and the run's records (cleared at start)           [artifacts/chaos]
set -euo pipefail

# shellcheck source=infra/bench/common.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/bench/common.sh"
say() { printf 'chaos %s: %s\n' "$(date +%T)" "$*" >&2; }
die() { say "$*"; exit 2; }
seconds() { case $1 in *m) echo $((${1%m} * 60)) ;; *s) echo "${1%s}" ;; *) echo "$1" ;; esac; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

KILLS=${NCP_CHAOS_KILLS:-10}
SMTP_OUTAGE=$(seconds "${NCP_CHAOS_SMTP_OUTAGE:-10m}")
IMAP_OUTAGE=$(seconds "${NCP_CHAOS_IMAP_OUTAGE:-5m}")
RATE=${NCP_CHAOS_RATE:-1}
INBOUND_EVERY=${NCP_CHAOS_INBOUND_EVERY:-3}
REPLY_WITHIN=$(seconds "${NCP_CHAOS_REPLY_WITHIN:-4m}")
SETTLE=$(seconds "${NCP_CHAOS_SETTLE:-15m}")
SHIFT=${NCP_CHAOS_PORT_SHIFT:-100}
DIR=${NCP_CHAOS_DIR:-$ROOT/artifacts/chaos}
((SHIFT != 0)) || die "NCP_CHAOS_PORT_SHIFT must not be 0: the chaos servers must never be the shared ones"

# The chaos servers: a data folder and ports of their own (epmd too, so that killing RabbitMQ touches no other node).
export NCP_DATA_DIR=$DIR/data
export NCP_PG_PORT=$((55432 + SHIFT)) NCP_RABBIT_PORT=$((55672 + SHIFT)) NCP_RABBIT_MGMT_PORT=$((55673 + SHIFT))
export NCP_RABBIT_DIST_PORT=$((25672 + SHIFT)) NCP_EPMD_PORT=$((4369 + SHIFT)) NCP_RABBIT_NODENAME=ncp-chaos@localhost
export NCP_SMTP_PORT=$((2525 + SHIFT)) NCP_IMAP_PORT=$((10143 + SHIFT)) NCP_LMTP_PORT=$((10024 + SHIFT))
API_PORT=$((5080 + SHIFT)) WORKER_PORT=$((5081 + SHIFT))
API=http://127.0.0.1:$API_PORT
[[ $(readlink -m "$NCP_DATA_DIR") != "$(readlink -m "$ROOT/.data")" ]] || die "NCP_CHAOS_DIR must not hold the shared .data"
LOGS=$DIR/logs
RUN=$DIR/run # the run's records: what got a 201, what was sent and mailed, each kill
PG_DATA=$NCP_DATA_DIR/postgres/data
RABBIT_PID_FILE=$NCP_DATA_DIR/rabbitmq/rabbitmq.pid
POSTFIX_CONF=$NCP_DATA_DIR/mail/postfix
POSTFIX_PID_FILE=$NCP_DATA_DIR/mail/postfix-queue/pid/master.pid
DOVECOT_PID_FILE=$NCP_DATA_DIR/mail/dovecot-run/master.pid
PARTNER_MAILDIRS=$NCP_DATA_DIR/mail/maildirs/partner.example

servers() { "$ROOT/infra/servers.sh" "$@" >>"$LOGS/servers.log" 2>&1; }
note() { printf '%s %s\n' "$(date +%T)" "$*" >>"$RUN/events.log"; say "$*"; }

# A PID is killed only while it listens on the chaos port it should: never a process of the shared servers.
ours() { # pid port
  [[ $1 =~ ^[0-9]+$ ]] && ss -ltnpH "sport = :$2" 2>/dev/null | grep -q "pid=$1,"
}
pid_of() { # target → "pid port"
  case $1 in
    api) echo "${API_PID:-0} $API_PORT" ;;
    worker) echo "${WORKER_PID:-0} $WORKER_PORT" ;;
    postgres) echo "$(head -n 1 "$PG_DATA/postmaster.pid" 2>/dev/null || echo 0) $NCP_PG_PORT" ;;
    rabbitmq) echo "$(head -n 1 "$RABBIT_PID_FILE" 2>/dev/null || echo 0) $NCP_RABBIT_PORT" ;;
    postfix) echo "$(tr -d ' \n' <"$POSTFIX_PID_FILE" 2>/dev/null || echo 0) $NCP_SMTP_PORT" ;;
    dovecot) echo "$(head -n 1 "$DOVECOT_PID_FILE" 2>/dev/null || echo 0) $NCP_IMAP_PORT" ;;
  esac
}
signal() { # signal target → true when sent
  local pid port
  read -r pid port < <(pid_of "$2")
  if ! ours "$pid" "$port"; then
    note "not killing $2: pid $pid does not listen on the chaos port $port"
    return 1
  fi
  kill "-$1" "$pid"
}

# ---------------------------------------------------------------- the Api and the Worker, restarted as a supervisor would
start_api() {
  (cd "$ROOT/Ncp.Api" && exec dotnet "$ROOT/Ncp.Api/bin/Release/net10.0/Ncp.Api.dll" --urls "$API") >>"$LOGS/api.log" 2>&1 &
  API_PID=$!
}
start_worker() {
  # Partners' replies here are copies of one signed body: replays, flagged rather than held, so that they reach their items.
  (cd "$ROOT/Ncp.Worker" && Mail__Replays=flag exec dotnet "$ROOT/Ncp.Worker/bin/Release/net10.0/Ncp.Worker.dll" --urls "http://127.0.0.1:$WORKER_PORT") \
    >>"$LOGS/worker.log" 2>&1 &
  WORKER_PID=$!
}
# An Api or Worker that died without being killed is restarted too, and counted: that is a finding of its own.
watch_hosts() {
  if ! pid_alive "$API_PID"; then note "the Api (pid $API_PID) exited by itself; restarting it"; UNPLANNED=$((UNPLANNED + 1)); start_api; fi
  if ! pid_alive "$WORKER_PID"; then note "the Worker (pid $WORKER_PID) exited by itself; restarting it"; UNPLANNED=$((UNPLANNED + 1)); start_worker; fi
}
pid_alive() { [[ -d /proc/$1 ]] && [[ $(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) != Z ]]; }
restart_server() { # postgres|rabbitmq: until it starts (a killed postmaster's backends must exit first)
  for _ in $(seq 1 60); do
    servers start "$1" && return 0
    sleep 1
  done
  note "$1 did not start again within 60 tries; see $LOGS/servers.log"
  return 1
}
ready() { curl -fsS -o /dev/null --max-time 3 "http://127.0.0.1:$1/health/ready" 2>/dev/null; }

# ---------------------------------------------------------------- HTTP load
TOKEN_FILE=$DIR/token
sign_in() {
  curl -fsS --max-time 5 -X POST "$API/dev/sign-in" -H 'Content-Type: application/json' -d "{\"user\":\"${1:-duty}\"}" |
    jq -r .accessToken
}
# A request as the duty officer: prints the body, then the status on the last line (000: no answer). A new sign-in when
# the Api says 401: its signing key is made at start-up, so tokens die with the process.
call() { # method path [json]
  local out
  for _ in 1 2; do
    out=$(curl -sS --max-time 15 -X "$1" "$API$2" -H "Authorization: Bearer $(cat "$TOKEN_FILE" 2>/dev/null)" \
      -H 'Content-Type: application/json' -d "${3:-{\}}" -w '\n%{http_code}' 2>/dev/null) || out=$'\n000'
    [[ ${out##*$'\n'} == 401 ]] || break
    sign_in >"$TOKEN_FILE.$BASHPID" 2>/dev/null && mv "$TOKEN_FILE.$BASHPID" "$TOKEN_FILE"
  done
  printf '%s\n' "$out"
}
# Registers an item; on 201 records "id number partner kind" in registered.tsv and prints the id and number.
register() { # partner kind
  local out
  out=$(call POST /api/items "{\"kind\":\"request\",\"partnerCode\":\"$1\",\"subject\":\"Chaos $2 $(date +%T.%N)\",
    \"crimeCategory\":\"internet-fraud\",\"priority\":\"urgent\",\"requestedData\":[\"subscriber-data\"],
    \"dataPeriod\":{\"from\":\"2026-10-01\",\"to\":\"2026-10-31\"}}")
  [[ ${out##*$'\n'} == 201 ]] || return 1
  jq -r --arg p "$1" --arg k "$2" '[.id, .registerNumber, $p, $k] | @tsv' <<<"${out%$'\n'*}" | tee -a "$RUN/registered.tsv"
}
load_http() {
  local i=0 id number partner
  while :; do
    i=$((i + 1))
    partner=CHAOS-DE
    ((i % 4 < 2)) || partner=CHAOS-FR
    if read -r id number _ < <(register "$partner" load) && ((i % 2 == 0)); then
      # Sent right away; a send the Api did not answer is tried again a few times, as an officer would.
      for _ in 1 2 3 4 5; do
        if [[ $(call POST "/api/items/$number/send" | tail -n 1) == 200 ]]; then
          printf '%s\t%s\t%s\n' "$id" "$number" "$partner" >>"$RUN/sent.tsv"
          break
        fi
        sleep 2
      done
    fi
    sleep "$(awk -v r="$RATE" 'BEGIN { print 1 / r }')"
  done
}

# ---------------------------------------------------------------- inbound mail, as partners' servers hand it over
load_mail() {
  local n=0 id number partner from scheme mid subject
  while :; do
    sleep "$INBOUND_EVERY"
    n=$((n + 1))
    mid="<chaos-in-$n@partner.example>"
    if ((n % 10 == 0)) || ! read -r id number partner < <(shuf -n 1 "$RUN/sent.tsv" 2>/dev/null); then
      from=stranger@elsewhere.example number=- subject="Hello from nowhere $n"
      printf 'From: %s\r\nTo: ncp@ncp.example\r\nSubject: %s\r\nMessage-ID: %s\r\n\r\nPlain words.\r\n' "$from" "$subject" "$mid" >"$RUN/in.eml"
    else
      from=de@partner.example scheme=smime
      [[ $partner == CHAOS-FR ]] && from=fr@partner.example scheme=openpgp
      partner_mail "$RUN/partners" "$scheme" "$from" "Re: [$number] subscriber data" "$mid" >"$RUN/in.eml"
    fi
    # sendmail queues even while Postfix's master is stopped; a mail it refuses was never handed over.
    if /usr/sbin/sendmail -C "$POSTFIX_CONF" -f "$from" ncp@ncp.example <"$RUN/in.eml" 2>>"$LOGS/sendmail.log"; then
      printf '%s\t%s\t%s\n' "$mid" "$from" "$number" >>"$RUN/inbound.tsv"
    fi
  done
}

# ---------------------------------------------------------------- outages and kills
# Each server stopped, then started again by infra/servers.sh (which may wait for a restart after a kill: its lock);
# the length it really was down goes to outages.tsv.
outage() { # postfix|dovecot seconds
  local started=$SECONDS
  note "outage: stopping $1 for $2 s"
  signal TERM "$1" || true
  sleep "$2"
  servers start mail || note "mail did not start again; see $LOGS/servers.log"
  printf '%s\t%s\t%s\n' "$1" "$2" "$((SECONDS - started))" >>"$RUN/outages.tsv"
  note "outage: $1 is back after $((SECONDS - started)) s"
}
outages() {
  sleep 30
  outage postfix "$SMTP_OUTAGE"
  sleep 30
  outage dovecot "$IMAP_OUTAGE"
}

# Work flows again when a registration made now gets its 201 and reaches the Worker (Api → PostgreSQL → event log →
# RabbitMQ → Worker → PostgreSQL). Sets FLOW to the seconds since $1, or "-" after 5 minutes. Not in a subshell:
# watch_hosts may restart a host, whose PID this shell must keep.
flowing() { # since
  local id
  FLOW=-
  while (($(printf '%.0f' "$(since "$1")") < 300)); do
    watch_hosts
    if read -r id _ < <(register CHAOS-DE probe); then
      while (($(printf '%.0f' "$(since "$1")") < 300)); do
        if [[ $("${PSQL[@]}" -At -c "select count(*) from worker.items where item_id = '$id'" 2>/dev/null) == 1 ]]; then
          FLOW=$(since "$1")
          return
        fi
        watch_hosts
        sleep 0.25
      done
    fi
    sleep 0.5
  done
}
kill_one() { # target
  local started up
  watch_hosts
  started=$(now)
  signal KILL "$1" || return 0
  case $1 in
    api) wait "$API_PID" 2>/dev/null || true; start_api ;;
    worker) wait "$WORKER_PID" 2>/dev/null || true; start_worker ;;
    *) restart_server "$1" || true ;;
  esac
  until ready "$API_PORT" && ready "$WORKER_PORT"; do
    watch_hosts
    (($(printf '%.0f' "$(since "$started")") < 300)) || break
    sleep 0.25
  done
  up=$(since "$started")
  flowing "$started"
  printf '%s\t%s\t%s\t%s\n' "$(date +%T)" "$1" "$up" "$FLOW" >>"$RUN/kills.tsv"
  note "kill -9 $1: ready again after $up s, work flowing after $FLOW s"
}

# ---------------------------------------------------------------- the checks
# Everything the run recorded against what the servers hold; prints the figures and true when nothing was lost or doubled.
check() {
  say "checking"
  local mailbox=$RUN/mailbox.tsv
  # Each partner mailbox's Message-IDs (headers only, folded lines joined), straight from Dovecot's maildir files.
  find "$PARTNER_MAILDIRS" -type f \( -path '*/Maildir/cur/*' -o -path '*/Maildir/new/*' \) 2>/dev/null | while read -r f; do
    awk -v box="$(cut -d/ -f1 <<<"${f#"$PARTNER_MAILDIRS"/}")" '
      /^\r?$/ { exit }
      { sub(/\r$/, "") }
      /^[ \t]/ { if (current) id = id $0; next }
      { current = 0 }
      tolower($0) ~ /^message-id:/ { id = substr($0, 12); current = 1 }
      END { gsub(/[ \t]/, "", id); if (id != "") print box "\t" id }' "$f"
  done >"$mailbox"
  touch "$RUN/registered.tsv" "$RUN/sent.tsv" "$RUN/inbound.tsv" "$RUN/kills.tsv" "$RUN/outages.tsv"
  local name
  for name in registered outbound inbound rungs outbound_unrequested reminders_unrequested mailbox_doubles rungs_unscheduled rungs_twice; do
    printf -v "CHECKED_$name" '?'; printf -v "LOST_$name" '?'; printf -v "DUP_$name" '?'
  done
  "${PSQL[@]}" -At -F ' ' -f - >"$RUN/check.txt" 2>"$RUN/check.err" <<SQL || { report "the checks failed: $(cat "$RUN/check.err")"; return 1; }
create temp table registered (id uuid, number text, partner text, kind text);
\copy registered from '$RUN/registered.tsv'
create temp table sent (id uuid, number text, partner text);
\copy sent from '$RUN/sent.tsv'
create temp table inbound (mid text, sender text, number text);
\copy inbound from '$RUN/inbound.tsv'
create temp table mailbox (box text, mid text);
\copy mailbox from '$mailbox'
create temp table events as select seq_id, stream_id, type, data from api.mt_events
  where type in ('item_sent', 'mail_dispatched', 'mail_not_delivered', 'mail_received', 'deadline_escalated', 'deadlines_set');

-- Registrations answered 201: in the event log and in the read model.
select 'registered', count(*), count(*) filter (where not exists (select from api.mt_streams s where s.id = r.id)
  or not exists (select from api.mt_doc_itemdetails d where d.id = r.id)), 0 from registered r;

-- Mail to partners: each dispatch in the Worker's ledger in its partner's mailbox once, and known to the Api; each send
-- answered 200 and each rung that reminds the partner has its dispatch.
create temp table outbound as
  select d.dispatch_id, d.item_id, d.register_number, d.purpose, d.status, d.attempts, d.last_error,
    (select count(*) from mailbox m where btrim(m.mid, '<> ') = btrim(d.message_id, '<> ')) as copies,
    (select count(*) from events e where e.type in ('mail_dispatched', 'mail_not_delivered') and e.data->>'DispatchId' = d.dispatch_id::text) as told
  from worker.dispatches d;
select 'outbound', count(*), count(*) filter (where copies = 0 or told = 0), count(*) filter (where copies > 1 or told > 1) from outbound;
select 'outbound-unrequested', count(*), count(*), 0 from sent s
  where not exists (select from outbound o where o.item_id = s.id and o.purpose = 'request');
select 'reminders-unrequested', count(*), count(*), 0 from events e
  where e.type = 'deadline_escalated' and (e.data->>'RemindPartner')::boolean
    and (select count(*) from events r where r.stream_id = e.stream_id and r.type = 'deadline_escalated' and (r.data->>'RemindPartner')::boolean)
      > (select count(*) from outbound o where o.item_id = e.stream_id and o.purpose <> 'request');
-- (Mail the ledger knows is counted above; this is the rest.)
select 'mailbox-doubles', count(*), 0, count(*) from (select mid from mailbox group by mid having count(*) > 1) m
  where not exists (select from worker.dispatches d where btrim(d.message_id, '<> ') = btrim(m.mid, '<> '));

-- Inbound mail: stored once, delivered and filed on the item whose number it quotes, or held and listed for review.
create temp table inbound_seen as
  select i.mid, i.sender, i.number,
    (select count(*) from worker.inbound_mail w where btrim(w.message_id, '<> ') = btrim(i.mid, '<> ')) as stored,
    (select string_agg(w.status || coalesce(':' || w.reason, ''), ',') from worker.inbound_mail w
      where btrim(w.message_id, '<> ') = btrim(i.mid, '<> ')) as status,
    (select count(*) from events e where e.type = 'mail_received' and btrim(e.data->>'MessageId', '<> ') = btrim(i.mid, '<> ')) as filed,
    (select count(*) from events e join registered r on r.id = e.stream_id
      where e.type = 'mail_received' and btrim(e.data->>'MessageId', '<> ') = btrim(i.mid, '<> ') and r.number = i.number) as on_item,
    (select count(*) from api.mt_doc_quarantinedmail q where btrim(q.data->>'MessageId', '<> ') = btrim(i.mid, '<> ')) as held
  from inbound i;
select 'inbound', count(*),
  count(*) filter (where not ((status = 'delivered' and on_item = 1) or (status like 'quarantined%' and held = 1))),
  count(*) filter (where stored > 1 or filed > 1 or held > 1) from inbound_seen;

-- Rungs: each of the Api's plan (an item's latest DeadlinesSet) due a minute ago or more, scheduled and fired by the
-- Worker and recorded once by the Api.
create temp table rungs as
  select p.stream_id as item_id, s."Name" as step, s."DueAt" as due_at, t.fired_at, t.item_id is not null as scheduled,
    (select count(*) from events e where e.stream_id = p.stream_id and e.type = 'deadline_escalated' and e.data->>'Step' = s."Name") as recorded
  from (select distinct on (stream_id) stream_id, data from events where type = 'deadlines_set' order by stream_id, seq_id desc) p
  cross join lateral jsonb_to_recordset(p.data->'Deadlines'->'Steps') as s("Name" text, "DueAt" timestamptz)
  left join worker.timers t on t.item_id = p.stream_id and t.step = s."Name"
  where s."DueAt" < now() - interval '1 minute';
select 'rungs', count(*), count(*) filter (where fired_at is null or recorded = 0), count(*) filter (where recorded > 1) from rungs;
select 'rungs-unscheduled', count(*), count(*), 0 from sent s
  where exists (select from events e where e.stream_id = s.id and e.type = 'item_sent')
    and not exists (select from events e where e.stream_id = s.id and e.type = 'deadlines_set');
select 'rungs-twice', count(*), 0, count(*) from (select stream_id, data->>'Step' from events where type = 'deadline_escalated'
  group by 1, 2 having count(*) > 1) twice;

-- The details of whatever is wrong, for the report.
select 'detail registration-lost', r.id, r.number from registered r
  where not exists (select from api.mt_streams s where s.id = r.id) or not exists (select from api.mt_doc_itemdetails d where d.id = r.id);
select 'detail outbound', dispatch_id, register_number, purpose, status, attempts, copies, told, coalesce(last_error, '')
  from outbound where copies <> 1 or told <> 1;
select 'detail inbound', mid, sender, number, stored, coalesce(status, '-'), filed, on_item, held from inbound_seen
  where not ((status = 'delivered' and on_item = 1) or (status like 'quarantined%' and held = 1)) or stored > 1 or filed > 1 or held > 1;
select 'detail rung', item_id, step, due_at, case when not scheduled then 'unscheduled' else coalesce(fired_at::text, 'unfired') end, recorded
  from rungs where fired_at is null or recorded <> 1;
select 'info partner-replies-held', count(*) from inbound_seen where sender not like 'stranger@%' and status like 'quarantined%';
select 'info outbound-by-status', status || '/' || purpose, count(*) from outbound group by 2 order by 2;
SQL
  local lost=0 dup=0 n l d
  while read -r name n l d; do
    case $name in
      registered | outbound | inbound | rungs | outbound-unrequested | reminders-unrequested | mailbox-doubles | rungs-unscheduled | rungs-twice)
        lost=$((lost + l)) dup=$((dup + d))
        printf -v "CHECKED_${name//-/_}" '%s' "$n"
        printf -v "LOST_${name//-/_}" '%s' "$l"
        printf -v "DUP_${name//-/_}" '%s' "$d"
        ;;
    esac
  done <"$RUN/check.txt"
  report ""
  report "checked: $CHECKED_registered registrations answered 201 ($LOST_registered lost);" \
    "$CHECKED_outbound mails to partners ($LOST_outbound lost or not told to the Api, $DUP_outbound duplicated);" \
    "$CHECKED_inbound inbound mails ($LOST_inbound neither on their item nor held, $DUP_inbound duplicated);" \
    "$CHECKED_rungs rungs due ($LOST_rungs unscheduled, unfired or unrecorded, $DUP_rungs recorded twice)"
  report "also: sends without a dispatch $LOST_outbound_unrequested, reminders without a dispatch $LOST_reminders_unrequested," \
    "other Message-IDs twice in a mailbox $DUP_mailbox_doubles, sent items without deadlines $LOST_rungs_unscheduled," \
    "rungs recorded twice (due or not) $DUP_rungs_twice"
  grep '^info ' "$RUN/check.txt" | sed 's/^info /  /' | while read -r line; do report "$line"; done
  if grep -q '^detail ' "$RUN/check.txt"; then
    report "what is wrong (first 40 lines; all in $RUN/check.txt):"
    grep '^detail ' "$RUN/check.txt" | head -n 40 | while read -r line; do report "  $line"; done
  fi
  recovery
  report "lost $lost, duplicated $dup"
  LOST=$lost DUPLICATED=$dup
  ((lost == 0 && dup == 0))
}

# Kills per target and the time to recover: until both hosts answer /health/ready, and until work flows again.
recovery() {
  report ""
  report "$(printf '%-10s %6s %14s %14s %16s %16s' target kills 'ready p50 s' 'ready max s' 'flowing p50 s' 'flowing max s')"
  local target
  for target in api worker rabbitmq postgres all; do
    awk -F'\t' -v t="$target" '$2 == t || t == "all" { n++; up[n] = $3; fl[n] = ($4 == "-" ? 1e9 : $4) }
      function p(a, q,   i, j, x, m) { m = n; for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (a[j] < a[i]) { x = a[i]; a[i] = a[j]; a[j] = x }
        return a[int((m - 1) * q) + 1] }
      function s(v) { return v >= 1e9 ? "timeout" : sprintf("%.1f", v) }
      END { if (n == 0) { printf "%-10s %6d\n", t, 0; exit }
            printf "%-10s %6d %14s %14s %16s %16s\n", t, n, s(p(up, 0.5)), s(p(up, 1)), s(p(fl, 0.5)), s(p(fl, 1)) }' "$RUN/kills.tsv"
  done | while read -r line; do report "$line"; done
  report "unplanned exits of the Api or Worker (not killed by the run): ${UNPLANNED:-0}"
  local server asked was
  while read -r server asked was; do
    report "$server ($([[ $server == postfix ]] && echo SMTP || echo 'IMAP and LMTP')) was down $was s (asked $asked s)"
  done <"$RUN/outages.tsv"
}

# ---------------------------------------------------------------- waiting for the work to drain
# Until the rungs of the last item sent are due and fired, no mail waits to go out or to be judged, and the Api's event
# log stands still for 20 s; at most NCP_CHAOS_SETTLE.
settle() {
  local started=$SECONDS last_sent=0 left before=-1 still=0 count
  [[ -s $RUN/sent.tsv ]] && last_sent=$(date -r "$RUN/sent.tsv" +%s)
  say "waiting for the work to drain (rungs until $(date -d "@$((last_sent + REPLY_WITHIN + 60))" +%T), at most $SETTLE s)"
  while ((SECONDS - started < SETTLE)); do
    watch_hosts
    left=$("${PSQL[@]}" -At -c "select (select count(*) from worker.timers where fired_at is null and due_at < now())
      + (select count(*) from worker.dispatches where status = 'pending') + (select count(*) from worker.inbound_mail where status = 'new')" 2>/dev/null || echo -1)
    count=$("${PSQL[@]}" -At -c "select count(*) from api.mt_events" 2>/dev/null || echo -1)
    if [[ $left == 0 && $count == "$before" ]] && (($(date +%s) > last_sent + REPLY_WITHIN + 60)); then
      still=$((still + 5))
      ((still >= 20)) && { say "drained after $((SECONDS - started)) s"; return 0; }
    else
      still=0
    fi
    before=$count
    sleep 5
  done
  say "not drained after $SETTLE s ($left timers, mails to send or mails to judge left): checking as it stands"
}

# ---------------------------------------------------------------- the run
stop_all() {
  trap - EXIT INT TERM
  local pid
  for pid in ${LOAD_PIDS:-} ${OUTAGE_PID:-} ${API_PID:-} ${WORKER_PID:-}; do kill "$pid" 2>/dev/null || true; done
  for pid in ${LOAD_PIDS:-} ${OUTAGE_PID:-} ${API_PID:-} ${WORKER_PID:-}; do wait "$pid" 2>/dev/null || true; done
  GNUPGHOME=$RUN/gnupg gpgconf --kill all 2>/dev/null || true
  [[ -n ${NCP_CHAOS_KEEP:-} ]] || { servers stop || true; stop_epmd; }
}
# The chaos epmd (its own port) once no node is left on it: servers.sh forgets it started it after a restart of RabbitMQ.
stop_epmd() {
  local epmd
  epmd=$(command -v epmd || ls /usr/lib/erlang/erts-*/bin/epmd 2>/dev/null | head -n 1) || return 0
  [[ -n $epmd ]] && ! "$epmd" -port "$NCP_EPMD_PORT" -names 2>/dev/null | grep -q '^name ' &&
    "$epmd" -port "$NCP_EPMD_PORT" -kill >/dev/null 2>&1 || true
}

main() {
  command -v jq >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends jq >/dev/null
  mkdir -p "$DIR"
  # A previous run's servers (same data folder, same ports) are stopped before their data goes.
  [[ -d $NCP_DATA_DIR ]] && "$ROOT/infra/servers.sh" stop >/dev/null 2>&1 || true
  rm -rf "$NCP_DATA_DIR" "$LOGS" "$RUN"
  mkdir -p "$LOGS" "$RUN"
  REPORT=$DIR/chaos-$(date -u +%Y%m%dT%H%M%SZ).txt
  trap stop_all EXIT
  trap 'exit 130' INT TERM
  say "starting the chaos servers in $NCP_DATA_DIR (PostgreSQL $NCP_PG_PORT, RabbitMQ $NCP_RABBIT_PORT, SMTP $NCP_SMTP_PORT, IMAP $NCP_IMAP_PORT)"
  servers start || die "the chaos servers did not start; see $LOGS/servers.log"
  # shellcheck disable=SC1091
  source "$NCP_DATA_DIR/servers.env"
  "$ROOT/infra/keys.sh" >>"$LOGS/servers.log" 2>&1
  # shellcheck disable=SC1091
  source "$NCP_DATA_DIR/keys/keys.env"
  export PGHOST=127.0.0.1 PGPORT=$NCP_PG_PORT PGUSER=ncp PGPASSWORD=$NCP_PG_PASSWORD PGSSLMODE=disable PGCONNECT_TIMEOUT=3
  PSQL=("$NCP_PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -d ncp)
  export ASPNETCORE_ENVIRONMENT=Development Logging__LogLevel__Default=Warning
  # One policy for every item, short enough for its rungs to fall due during the run: half-time tells the duty officer,
  # the end tells the supervisor and reminds the partner (one more mail).
  export Deadlines__Policies__0__Name=chaos Deadlines__Policies__0__Counting=CalendarHours \
    Deadlines__Policies__0__AcknowledgeWithin=$(date -u -d "@$((REPLY_WITHIN / 2))" +%T) \
    Deadlines__Policies__0__ReplyWithin=$(date -u -d "@$REPLY_WITHIN" +%T) \
    Deadlines__Policies__0__Ladder__0__Name=reply-by:50% Deadlines__Policies__0__Ladder__0__Anchor=ReplyBy \
    Deadlines__Policies__0__Ladder__0__Fraction=0.5 Deadlines__Policies__0__Ladder__0__Notify__0=DutyOfficer \
    Deadlines__Policies__0__Ladder__1__Name=reply-by:100% Deadlines__Policies__0__Ladder__1__Anchor=ReplyBy \
    Deadlines__Policies__0__Ladder__1__Fraction=1.0 Deadlines__Policies__0__Ladder__1__Notify__0=Supervisor \
    Deadlines__Policies__0__Ladder__1__RemindPartner=true

  if [[ ${NCP_CHAOS_BUILD:-1} == 1 ]]; then
    say "building (Release)"
    dotnet build "$ROOT/Ncp.sln" -c Release -nologo -v quiet -clp:ErrorsOnly >/dev/null
  fi
  (cd "$ROOT/Ncp.Api" && dotnet bin/Release/net10.0/Ncp.Api.dll migrate >>"$LOGS/api.log" 2>&1)
  (cd "$ROOT/Ncp.Worker" && dotnet bin/Release/net10.0/Ncp.Worker.dll migrate >>"$LOGS/worker.log" 2>&1)
  UNPLANNED=0
  start_api
  start_worker
  wait_http "$API/health/ready" && wait_http "http://127.0.0.1:$WORKER_PORT/health/ready" || die "the Api or the Worker did not start; see $LOGS"
  sign_in >"$TOKEN_FILE"

  say "partners CHAOS-DE (S/MIME, de@partner.example) and CHAOS-FR (OpenPGP, fr@partner.example), keys imported through the Api"
  mkdir -p "$RUN/partners" && mkdir -m 700 "$RUN/gnupg"
  export GNUPGHOME=$RUN/gnupg
  partner_keys "$RUN/partners" "$NCP_DATA_DIR/keys" de@partner.example fr@partner.example
  partner_bodies "$RUN/partners" "$NCP_DATA_DIR/keys" fr@partner.example
  local admin code address scheme key
  admin=$(sign_in admin)
  for code in CHAOS-DE CHAOS-FR; do
    address=de@partner.example scheme=smime key=$(jq -Rs '{scheme: "smime", certificate: .}' "$RUN/partners/smime.pem")
    [[ $code == CHAOS-FR ]] && address=fr@partner.example scheme=openpgp key=$(jq -Rs '{scheme: "openpgp", publicKey: .}' "$RUN/partners/openpgp.asc")
    curl -fsS -o /dev/null -X POST "$API/api/partners" -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' -d "{
      \"code\":\"$code\",\"name\":\"Chaos partner\",\"country\":\"NO\",\"channels\":[\"24-7\"],\"addresses\":[\"$address\"],
      \"languages\":[\"en\"],\"timeZone\":\"Europe/Oslo\",\"officeHours\":{\"from\":\"08:00\",\"to\":\"16:00\",\"days\":[\"mon\",\"tue\",\"wed\",\"thu\",\"fri\"]},
      \"retentionDays\":{\"subscriber-data\":365,\"traffic-data\":90,\"content-data\":30},\"preservationDays\":60,
      \"encryption\":\"$scheme\",\"fallbackChannel\":\"interpol\",
      \"trustAnchors\":[$(jq -Rs . "$NCP_DATA_DIR/keys/ca.pem")]}" || die "could not register partner $code"
    curl -fsS -o /dev/null -X POST "$API/api/partners/$code/keys" -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' \
      -d "$key" || die "could not import the key of $code"
  done
  for _ in $(seq 1 60); do
    [[ $("${PSQL[@]}" -At -c "select count(*) from worker.partner_keys where partner_code like 'CHAOS-%'") == 2 ]] && break
    sleep 1
  done

  local window=$((30 + SMTP_OUTAGE + 30 + IMAP_OUTAGE + 30))
  local -a plan
  mapfile -t plan < <(for t in api worker rabbitmq postgres; do for ((k = 0; k < KILLS; k++)); do echo "$t"; done; done | shuf)
  report "Ncp chaos — $(date -u +%FT%TZ) on $(nproc) cores: ${#plan[@]} kills over about $window s, Postfix stopped $SMTP_OUTAGE s," \
    "then Dovecot $IMAP_OUTAGE s; $RATE registrations/s (every other one sent), an inbound mail every $INBOUND_EVERY s, reply-by $REPLY_WITHIN s"
  load_http &
  LOAD_PIDS=$!
  load_mail &
  LOAD_PIDS+=" $!"
  outages &
  OUTAGE_PID=$!
  local t0=$SECONDS i target_at
  for ((i = 0; i < ${#plan[@]}; i++)); do
    # Stratified: one kill at a random moment of each slot of the window, later if recovering took longer.
    target_at=$(awk -v w="$window" -v i="$i" -v n="${#plan[@]}" -v r="$RANDOM" 'BEGIN { printf "%d", w * (i + r / 32768) / n }')
    while ((SECONDS - t0 < target_at)); do watch_hosts; sleep 1; done
    kill_one "${plan[i]}"
  done
  say "kills done after $((SECONDS - t0)) s; waiting for the outages to end"
  wait "$OUTAGE_PID" || true
  OUTAGE_PID=
  # shellcheck disable=SC2086
  kill $LOAD_PIDS 2>/dev/null || true
  LOAD_PIDS=
  report "chaos phase: $((SECONDS - t0)) s"
  settle
  local status=0
  check || status=1
  report ""
  report "the whole run (build, servers, chaos, drain, checks): $((SECONDS / 60)) min $((SECONDS % 60)) s"
  report "report: $REPORT; records: $RUN; logs: $LOGS"
  return "$status"
}

if [[ ${NCP_CHAOS_CHECK_ONLY:-} == 1 ]]; then
  # The checks again on a run's data: its servers started if stopped (and stopped again unless NCP_CHAOS_KEEP=1).
  REPORT=$DIR/check-$(date -u +%Y%m%dT%H%M%SZ).txt
  LOGS=$DIR/logs
  servers start
  [[ -n ${NCP_CHAOS_KEEP:-} ]] || trap 'servers stop || true; stop_epmd' EXIT
  # shellcheck disable=SC1091
  source "$NCP_DATA_DIR/servers.env"
  export PGHOST=127.0.0.1 PGPORT=$NCP_PG_PORT PGUSER=ncp PGPASSWORD=$NCP_PG_PASSWORD PGSSLMODE=disable
  PSQL=("$NCP_PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -d ncp)
  check
  exit
fi
main
