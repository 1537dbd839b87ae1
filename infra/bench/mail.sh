#!/usr/bin/env bash
# shellcheck disable=SC2154 # the connection settings come from .data/servers.env
# ./ncp bench mail: the secure mail gateway, each way, through the real Postfix and Dovecot.
#   out: N mails already in the dispatch ledger (half S/MIME, half OpenPGP) are built from the template, signed,
#        encrypted, handed to Postfix and copied to the Sent folder by a freshly started Worker;
#   in:  N signed+encrypted mails (half made by openssl cms, half by gpg) waiting in the gateway's folder are fetched
#        over IMAP, stored raw, decrypted, verified, matched to their partner and handed on by a freshly started Worker,
#        and filed on an item by the Api (started fresh beside it, on a schema of its own): a mail is done once the
#        Api has recorded it (its mail_received event), and one the Worker handed on that the Api has not recorded
#        within NCP_BENCH_API_WAIT is LOST (the bench then fails).
# Beside them, the same run's `openssl speed rsa2048` private-key operations/s (one per mail each way: sign out,
# decrypt in), the physical limit of this machine.
#
#   NCP_BENCH_MAIL   mails each way [2000]
#   NCP_BENCH_WARMUP mails out sent first through the freshly started Worker and not counted, so that what is measured is
#                    the running service, not its JIT warming up [1000]; 0 measures from a cold start. Out, such rounds
#                    go on until the Worker's JIT thread takes under 5 % of its CPU in one (at most
#                    NCP_BENCH_WARMUP_ROUNDS [8]); in, the same, with rounds of as many mails read
#   NCP_BENCH_ENGINES who does our S/MIME and OpenPGP work (Mail:SmimeEngine, Mail:OpenPgpEngine), each measured in turn [native bouncycastle]
#   NCP_BENCH_WAYS   which ways to measure [out in]
#   NCP_BENCH_OUT_TO where out's partner mailbox is, each measured in turn [here away]: here = delivered by Postfix into a
#                    mailbox of this machine's Dovecot (the partner's side of the work on our 2 cores, as in the tests);
#                    away = handed on as to a partner's server elsewhere (Postfix queues it, then drops it), as in service
#   NCP_BENCH_OUT_SCHEMES which protection out's mails get [both]: both = every other one S/MIME, else OpenPGP; smime;
#                    openpgp
#   NCP_BENCH_API_WAIT seconds the Api is given, after the Worker's last mail in, to record the last of them [300]
#   NCP_BENCH_TRACE  seconds of CPU samples to take of the Worker in each phase with dotnet-trace (if installed), for
#                    `dotnet-trace report <file> topN`; 0 = none [0]
set -euo pipefail

N=${NCP_BENCH_MAIL:-2000}
WARMUP=${NCP_BENCH_WARMUP:-1000}
WARMUP_ROUNDS=${NCP_BENCH_WARMUP_ROUNDS:-8}
ENGINES=${NCP_BENCH_ENGINES:-native bouncycastle}
WAYS=" ${NCP_BENCH_WAYS:-out in} "
OUT_TO=${NCP_BENCH_OUT_TO:-here away}
case ${NCP_BENCH_OUT_SCHEMES:-both} in
  both) SMIME_WHEN="i % 2 = 0" ;;
  smime) SMIME_WHEN=true ;;
  openpgp) SMIME_WHEN=false ;;
  *) echo "NCP_BENCH_OUT_SCHEMES is both, smime or openpgp" >&2; exit 2 ;;
esac
PORT=${NCP_BENCH_PORT:-5092}
API_PORT=${NCP_BENCH_API_PORT:-5094}
API_WAIT=${NCP_BENCH_API_WAIT:-300}
SCHEMA=worker_bench_mail
API_SCHEMA=api_bench_mail
FOLDER=bench-mail
# shellcheck source=infra/bench/common.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/common.sh"
bench_setup mail
MAILDIR=$NCP_DATA_DIR/mail/maildirs/ncp.example/ncp/Maildir/.$FOLDER
HOLD=$MAILDIR-hold
WARMBOX=$MAILDIR-warm
BENCHBOX=$NCP_DATA_DIR/mail/maildirs/partner.example/bench/Maildir
POSTFIX_DIR=$NCP_DATA_DIR/mail/postfix

say "building (Release)"
dotnet build "$ROOT/Ncp.Worker" -c Release -nologo -v quiet -clp:ErrorsOnly >/dev/null
WORKER_DLL=$ROOT/Ncp.Worker/bin/Release/net10.0/Ncp.Worker.dll

say "keys: ours (infra/keys.sh) and two partners' (an S/MIME certificate from the same test CA, an OpenPGP key)"
KEYS=$OUT/mail-keys
export NCP_DATA_DIR_KEYS=$KEYS
NCP_DATA_DIR=$KEYS "$ROOT/infra/keys.sh" >&2
# shellcheck disable=SC1091
source "$KEYS/keys/keys.env"
WORK=$(mktemp -d)
GNUPGHOME=$WORK/gnupg
export GNUPGHOME
mkdir -m 700 "$GNUPGHOME"
at_exit '[[ -z ${WORKER_PID:-} ]] || kill "$WORKER_PID" 2>/dev/null; gpgconf --kill all 2>/dev/null; rm -rf "$WORK"'
partner_keys "$WORK" "$KEYS/keys" bench@partner.example bench-fr@partner.example
DE_FPR=$(openssl x509 -in "$WORK/smime.pem" -noout -fingerprint -sha1 | sed 's/.*=//; s/://g')
FR_FPR=$(gpg --batch --with-colons --list-keys bench-fr@partner.example | awk -F: '/^fpr/ {print $10; exit}')

drop_schema $SCHEMA
export ConnectionStrings__Postgres="$ConnectionStrings__PostgresTest" WorkerDatabase__Schema=$SCHEMA
export Imap__Folder=$FOLDER Imap__SentFolder=$FOLDER-sent Mail__Password=$Mail__Password Smtp__Host=127.0.0.1
# The mails in are copies of one signed body (signing each anew would take minutes): replays, flagged rather than held.
export Mail__Replays=flag
# The JIT's background thread otherwise ends after 4 s idle, and its CPU time with it (jit_ms reads live threads).
export DOTNET_TC_BackgroundWorkerTimeoutMs=86400000
(cd "$ROOT/Ncp.Worker" && dotnet "$WORKER_DLL" migrate >/dev/null)
# The partners go into the Worker's copy of the directory here, and into the Api's through its endpoints before each
# in-phase (register_partners), which sends them to the Worker again over the bus: that copy reaches a Worker only
# once its queues exist, i.e. not on a first run.
"${PSQL[@]}" <<SQL
insert into $SCHEMA.partners values
  ('BENCH-DE', array['bench@partner.example'], array['en'], 'smime', false, true, now()),
  ('BENCH-FR', array['bench-fr@partner.example'], array['ru'], 'openpgp', false, true, now());
insert into $SCHEMA.partner_keys (partner_code, fingerprint, scheme, material, not_after, imported_at) values
  ('BENCH-DE', '$DE_FPR', 'smime', decode('$(od -An -v -tx1 "$WORK/smime.der" | tr -d ' \n')', 'hex'), now() + interval '365 days', now()),
  ('BENCH-FR', '$FR_FPR', 'openpgp', convert_to(\$k\$$(cat "$WORK/openpgp.asc")\$k\$, 'UTF8'), null, now());
SQL

# The bench's partners and their keys in the Api's directory, entered as an administrator would: the Api files a mail
# only under a partner it knows. Stops the bench with the Api's answer if it refuses one.
register_partners() {
  local admin
  admin=$(sign_in "$API_PORT" admin)
  api_partner "$admin" BENCH-DE DE bench@partner.example en smime Europe/Berlin \
    "{\"scheme\":\"smime\",\"certificate\":\"$(base64 -w0 "$WORK/smime.der")\"}"
  api_partner "$admin" BENCH-FR FR bench-fr@partner.example ru openpgp Europe/Paris \
    "{\"scheme\":\"openpgp\",\"publicKey\":\"$(awk '{ printf "%s\\n", $0 }' "$WORK/openpgp.asc")\"}"
}
api_partner() { # token code country address language encryption time-zone key-json
  api_post "$1" /api/partners "{\"code\":\"$2\",\"name\":\"Bench partner $3\",\"country\":\"$3\",\"channels\":[\"24-7\"],
    \"addresses\":[\"$4\"],\"languages\":[\"$5\"],\"timeZone\":\"$7\",
    \"officeHours\":{\"from\":\"08:00\",\"to\":\"16:00\",\"days\":[\"mon\",\"tue\",\"wed\",\"thu\",\"fri\"]},
    \"retentionDays\":{\"subscriber-data\":365,\"traffic-data\":90,\"content-data\":30},\"preservationDays\":60,
    \"encryption\":\"$6\",\"fallbackChannel\":\"interpol\",
    \"trustAnchors\":[\"$(awk '{ printf "%s\\n", $0 }' "$KEYS/keys/ca.pem")\"]}"
  api_post "$1" "/api/partners/$2/keys" "$8" -H 'If-Match: "1"'
}
api_post() { # token path json [curl-args...]
  local token=$1 path=$2 body=$3 status
  shift 3
  status=$(curl -sS -o "$WORK/answer" -w '%{http_code}' -X POST "http://127.0.0.1:$API_PORT$path" -H "Authorization: Bearer $token" \
    -H 'Content-Type: application/json' -d "$body" "$@")
  [[ $status == 20? ]] || { say "the Api answered $status to POST $path: $(cat "$WORK/answer")"; exit 1; }
}

run_worker() { # phase [warm-up: sampled later, when the counted mails are queued]
  (cd "$ROOT/Ncp.Worker" && exec dotnet "$WORKER_DLL" --urls "http://127.0.0.1:$PORT") >"$OUT/mail-worker-$1.log" 2>&1 &
  WORKER_PID=$!
  MAX_RSS=0
  if ((${NCP_BENCH_TRACE:-0} > 0)) && [[ -z ${2:-} ]]; then
    sleep 2
    trace_process "$WORKER_PID" "$OUT/mail-$1.nettrace"
  fi
}
# Waits until the query returns 0; meanwhile the Worker's peak memory, and its CPU time and the machine's from the
# first mail done to the last (START_*/END_*, so that start-up does not count).
watch_until() { # sql-that-returns-0-when-done timeout-seconds
  local started=$SECONDS first=
  START_CPU=0 START_JIT=0 START_MACHINE="0 0" START_SERVERS=
  while :; do
    RSS=$(awk '/VmRSS/ { print $2 }' "/proc/$WORKER_PID/status" 2>/dev/null || echo 0)
    ((RSS > MAX_RSS)) && MAX_RSS=$RSS
    LEFT=$("${PSQL[@]}" -At -c "$1")
    if [[ -z $first ]] && ((LEFT < N)); then
      first=1 START_CPU=$(cpu_ms "$WORKER_PID") START_JIT=$(jit_ms "$WORKER_PID") START_MACHINE=$(machine_ms) START_SERVERS=$(servers_ms)
    fi
    ((LEFT == 0)) && break
    kill -0 "$WORKER_PID" 2>/dev/null || { say "the Worker stopped; see $OUT/mail-worker-*.log"; exit 1; }
    [[ -z ${API_PID:-} ]] || kill -0 "$API_PID" 2>/dev/null || { say "the Api stopped; see $OUT/mail-api-*.log"; exit 1; }
    ((SECONDS - started > $2)) && { say "still $LEFT left after $2 s; giving up"; break; }
    sleep 0.5
  done
  END_CPU=$(cpu_ms "$WORKER_PID") END_JIT=$(jit_ms "$WORKER_PID") END_MACHINE=$(machine_ms) END_SERVERS=$(servers_ms)
  ((LEFT == 0))
}
# "CPU per mail: the Worker's, each server's; how busy the whole machine was" between the first and the last mail.
cpu_line() { # engine way
  local b0 t0 b1 t1 pair servers=
  read -r b0 t0 <<<"$START_MACHINE"
  read -r b1 t1 <<<"$END_MACHINE"
  for pair in $END_SERVERS; do
    local name=${pair%%=*} before
    before=$(tr ' ' '\n' <<<"$START_SERVERS" | sed -n "s/^$name=//p")
    servers+=$(awk -v n="$N" -v c=$((${pair#*=} - ${before:-0})) -v name="$name" 'BEGIN { printf ", %s %.1f", name, c / n }')
  done
  printf '%-13s %-8s CPU ms per mail: Worker %.1f (JIT %.1f)%s; machine %.0f%% busy (all %d cores, every process)' "$1" "$2" \
    "$(awk -v c=$((END_CPU - START_CPU)) -v n="$N" 'BEGIN { print c / n }')" "$(awk -v c=$((END_JIT - START_JIT)) -v n="$N" 'BEGIN { print c / n }')" "$servers" \
    "$(awk -v b=$((b1 - b0)) -v t=$((t1 - t0)) 'BEGIN { print (t > 0 ? 100 * b / t : 0) }')" "$(nproc)"
}
# After a warm-up round (the Worker's JIT and CPU read at its start; END_* by watch_until): says the JIT's share of the
# Worker's CPU in it, and is true once that is under 5 % or the rounds are used up.
warmed_up() { # way round jit-ms-before cpu-ms-before what-the-round-did
  local share=$(((END_JIT - $3) * 100 / (END_CPU - $4 > 0 ? END_CPU - $4 : 1)))
  say "$1: warm-up round $2, $5 (not counted): the JIT took $share % of the Worker's CPU"
  ((share < 5 || $2 >= WARMUP_ROUNDS))
}
stop_worker() { kill "$WORKER_PID" 2>/dev/null || true; wait "$WORKER_PID" 2>/dev/null || true; }
# ---------------------------------------------------------------- out
# N mails (from number $2 on) to bench@$3 into the dispatch ledger, as the Api's requests would put them there.
queue_out() { # count first domain
  "${PSQL[@]}" <<SQL
insert into $SCHEMA.dispatches (dispatch_id, item_id, register_number, partner_code, purpose, message_id, recipients, request, status, next_attempt_at, created_at)
select id, gen_random_uuid(), number, partner, 'request', replace(id::text, '-', '') || '@ncp.example', array['bench@$3'],
  jsonb_build_object(
    'dispatchId', id, 'itemId', gen_random_uuid(), 'registerNumber', number, 'purpose', 'request', 'partnerCode', partner,
    'to', jsonb_build_array('bench@$3'), 'protection', scheme, 'plaintextAllowed', false, 'language', case when i % 2 = 0 then 'en' else 'ru' end,
    'content', jsonb_build_object('kind', 'request', 'subject', 'Subscriber data for 203.0.113.' || (i % 250), 'partnerReference', null, 'priority', 'urgent',
      'preservation', false, 'legalBasis', null, 'crimeCategory', 'internet-fraud', 'criminalCaseNumber', '261500031000123',
      'requestedData', jsonb_build_array('subscriber-data', 'traffic-data'), 'identifiers', '203.0.113.7:443 2026-10-01T10:00:00Z',
      'dataFrom', '2026-10-01T00:00:00Z', 'dataTo', '2026-10-31T00:00:00Z', 'replyBy', '2026-12-01T12:00:00Z', 'text', 'Bench mail ' || i,
      'contact', jsonb_build_object('name', 'Duty officer', 'email', 'ncp@ncp.example', 'phone', '+7 717 000 00 00', 'timeZone', 'Asia/Almaty')),
    'threadMessageIds', jsonb_build_array(), 'requestedAt', now()),
  'pending', now(), now()
from (select i, gen_random_uuid() as id, 'KZ-NCP-2026-' || lpad(i::text, 6, '0') as number,
             case when $SMIME_WHEN then 'BENCH-DE' else 'BENCH-FR' end as partner, case when $SMIME_WHEN then 'smime' else 'openpgp' end as scheme
      from generate_series($2, $2 + $1 - 1) i) d;
SQL
}

bench_out() { # engine here|away
  local way=out-$2 domain=partner.example
  [[ $2 == away ]] && domain=away.example
  "${PSQL[@]}" -q -c "truncate $SCHEMA.dispatches"
  # A freshly started Worker spends its first seconds compiling (the JIT's tiers): a service at 3 a.m. has been up
  # for days, so rounds of mails warm it up first and are not counted, until its JIT thread takes under 5 % of its CPU.
  if ((WARMUP > 0)); then
    local round=0 jit0 cpu0
    while :; do
      round=$((round + 1))
      queue_out "$WARMUP" $((N + 1)) "$domain"
      if ((round == 1)); then
        say "$way: starting the Worker"
        run_worker "$way-$1" warm-up
      fi
      jit0=$(jit_ms "$WORKER_PID") cpu0=$(cpu_ms "$WORKER_PID")
      watch_until "select count(*) from $SCHEMA.dispatches where status = 'pending' or (status = 'sent' and not copied_to_sent)" 600 || true
      "${PSQL[@]}" -q -c "truncate $SCHEMA.dispatches"
      warmed_up "$way" "$round" "$jit0" "$cpu0" "$WARMUP mails" && break
    done
  fi
  say "$way: $N mails to bench@$domain in the dispatch ledger"
  queue_out "$N" 1 "$domain"
  if ((WARMUP == 0)); then
    say "$way: starting the Worker"
    run_worker "$way-$1"
  else
    trace_process "$WORKER_PID" "$OUT/mail-$way-$1.nettrace"
  fi
  watch_until "select count(*) from $SCHEMA.dispatches where status = 'pending'" 900 || true
  local cpu cpu_all start_cpu=$START_CPU start_jit=$START_JIT start_machine=$START_MACHINE start_servers=$START_SERVERS
  cpu=$(cpu_line "$1" "$way")
  # The Sent copies are made once the lanes have nothing left to send; the work is done when the last is in.
  watch_until "select count(*) from $SCHEMA.dispatches where not copied_to_sent" 300 || true
  START_CPU=$start_cpu START_JIT=$start_jit START_MACHINE=$start_machine START_SERVERS=$start_servers
  cpu_all=$(cpu_line "$1" "$way")
  stop_worker
  "${PSQL[@]}" -At -F ' ' -c "
    select coalesce(protection, 'all'), count(*) filter (where status = 'sent'), count(*) filter (where status = 'failed'),
      round(extract(epoch from max(sent_at) - min(sent_at))::numeric, 1),
      round((count(*) filter (where status = 'sent') / greatest(extract(epoch from max(sent_at) - min(sent_at)), 0.001))::numeric, 0)
    from $SCHEMA.dispatches group by rollup (protection) order by protection nulls last" |
    while read -r scheme sent failed secs rate; do
      report "$(printf '%-13s %-8s %-8s %7s %7s %10s %12s' "$1" "$way" "${scheme:-all}" "$sent" "$failed" "$secs" "$rate")"
      [[ $scheme != all ]] || ((sent == N)) || figure_failed "$1 $way" "$((N - sent)) of $N mails not sent ($failed failed)"
    done
  report "$cpu"
  "${PSQL[@]}" -At -F ' ' -c "
    select count(*), round(extract(epoch from max(copied_at) - min(sent_at))::numeric, 1),
      round((count(*) / greatest(extract(epoch from max(copied_at) - min(sent_at)), 0.001))::numeric, 0)
    from $SCHEMA.dispatches where copied_to_sent" |
    while read -r copied secs rate; do
      report "$(printf '%-13s %-8s %-8s %7s %7s %10s %12s' "$1" "$way" "+sent" "$copied" "$((N - copied))" "$secs" "$rate")"
      ((copied == N)) || figure_failed "$1 $way +sent" "$((N - copied)) of $N mails have no copy in the Sent folder"
    done
  report "${cpu_all/CPU ms per mail:/CPU ms per mail, Sent copies included:}"
  OUT_RSS=$MAX_RSS
  OUT_SIZE=$("${PSQL[@]}" -At -c "select coalesce(avg(length(mime)), 5000)::int from $SCHEMA.dispatches")
}

# ---------------------------------------------------------------- in
# One inbound mail, numbered $2 ("in" or "warm" in its Message-ID: $1), into the folder named $3.
deliver_in() { # kind number folder
  local i=$2 scheme=smime from=bench@partner.example
  ((i % 2 == 0)) || scheme=openpgp from=bench-fr@partner.example
  partner_mail "$WORK" "$scheme" "$from" "$(printf '[KZ-NCP-2026-%06d] Re: subscriber data' "$i")" "<$1-$i@bench.partner.example>" >"$WORK/m"
  /usr/sbin/sendmail -C "$POSTFIX_DIR" -f "$from" "ncp+$3@ncp.example" <"$WORK/m"
}
wait_filed() { # maildir count
  for _ in $(seq 1 600); do
    [[ $(find "$1/new" "$1/cur" -type f 2>/dev/null | wc -l) -ge $2 ]] && break
    sleep 0.5
  done
}

bench_in() { # engine
  # A prefix of its own: out's reports (PartnerMailSent, for items no Api has) would otherwise wait in the Api's
  # queues, left from an earlier run, and keep this Api busy when it starts.
  local -x RabbitMq__Prefix=$RabbitMq__Prefix-in
  "${PSQL[@]}" -q -c "truncate $SCHEMA.inbound_mail"
  say "in: starting the Api and registering the partners with it"
  start_api $API_SCHEMA "$API_PORT" "$OUT/mail-api-in-$1.log"
  register_partners
  local letters_before
  letters_before=$(dead_letters | awk '{ n += $2 } END { print n + 0 }') || true
  say "in: $N signed+encrypted mails into the gateway's folder (openssl cms and gpg made one of each; copies differ in Message-ID)"
  partner_bodies "$WORK" "$KEYS/keys" bench-fr@partner.example # made again for each engine
  rm -rf "$MAILDIR" "$HOLD" "$WARMBOX"
  # With a warm-up, the counted mails wait in a folder of their own while the Worker reads rounds of warm-up ones
  # (copies of one set filed in a third folder, each round's with Message-IDs of its own), and are then moved into
  # the gateway's folder at once (a rename each: Dovecot sees them, IDLE tells the Worker).
  local counted_folder=$FOLDER counted_dir=$MAILDIR
  if ((WARMUP > 0)); then
    counted_folder=$FOLDER-hold counted_dir=$HOLD
    for ((i = 1; i <= WARMUP; i++)); do deliver_in warm $((N + i)) "$FOLDER-warm"; done
  fi
  for ((i = 1; i <= N; i++)); do deliver_in in "$i" "$counted_folder"; done
  say "in: waiting for Postfix and Dovecot to file them"
  wait_filed "$counted_dir" "$N"
  if ((WARMUP > 0)); then
    wait_filed "$WARMBOX" "$WARMUP"
    local round=0 jit0 cpu0 f
    # Made as Dovecot's mail user would (it owns the mailbox), and named as a maildir file without its size (S=, W=),
    # which the new Message-ID changes.
    mkdir -p "$MAILDIR/new" "$MAILDIR/cur" "$MAILDIR/tmp"
    chown -R --reference="$WARMBOX" "$MAILDIR"
    while :; do
      round=$((round + 1))
      for f in "$WARMBOX"/new/* "$WARMBOX"/cur/*; do
        [[ -f $f ]] || continue
        local name=${f##*/}
        name=r$round.${name%%,*}
        sed "1,/^\r\?$/ s/^Message-ID: <warm-/Message-ID: <warm-r$round-/" "$f" >"$MAILDIR/tmp/$name"
        chown --reference="$f" "$MAILDIR/tmp/$name"
        mv "$MAILDIR/tmp/$name" "$MAILDIR/new/"
      done
      if ((round == 1)); then
        say "in: starting the Worker"
        run_worker "in-$1" warm-up
      fi
      jit0=$(jit_ms "$WORKER_PID") cpu0=$(cpu_ms "$WORKER_PID")
      watch_until "select $WARMUP - count(*) from $SCHEMA.inbound_mail where status <> 'new' and message_id like '%warm-r$round-%'" 600 || true
      warmed_up in "$round" "$jit0" "$cpu0" \
        "$("${PSQL[@]}" -At -c "select count(*) from $SCHEMA.inbound_mail where status = 'delivered' and message_id like '%warm-r$round-%'") of $WARMUP mails delivered" && break
    done
    say "in: waiting for the Api to record the warm-up mails"
    watch_until "select count(*) from $SCHEMA.inbound_mail m where status = 'delivered' and message_id like '%warm-%' and not $FILED" "$API_WAIT" || true
    find "$HOLD/new" "$HOLD/cur" -type f -exec mv -t "$MAILDIR/new/" {} +
    trace_process "$WORKER_PID" "$OUT/mail-in-$1.nettrace"
  else
    say "in: starting the Worker"
    run_worker "in-$1"
  fi
  local counted="(select * from $SCHEMA.inbound_mail where coalesce(message_id, '') not like '%warm-%') m"
  watch_until "select $N - count(*) from $counted where status <> 'new'" 900 || true
  local cpu cpu_all start_cpu=$START_CPU start_jit=$START_JIT start_machine=$START_MACHINE start_servers=$START_SERVERS
  cpu=$(cpu_line "$1" in)
  # Done is when the Api has recorded the mail on an item; the Worker runs on meanwhile, as it answers the Api's news.
  watch_until "select count(*) from $counted where status = 'delivered' and not $FILED" "$API_WAIT" || true
  START_CPU=$start_cpu START_JIT=$start_jit START_MACHINE=$start_machine START_SERVERS=$start_servers
  cpu_all=$(cpu_line "$1" in)
  stop_worker
  stop_api
  # Each half over the whole run's window (they are read side by side), and both together.
  "${PSQL[@]}" -At -F ' ' -c "
    select coalesce(case when sender like '%bench@partner.example%' then 'smime' else 'openpgp' end, 'all'),
      count(*) filter (where status = 'delivered'), count(*) filter (where status <> 'delivered'),
      round(extract(epoch from (select max(processed_at) - min(received_at) from $counted))::numeric, 1),
      round((count(*) / greatest(extract(epoch from (select max(processed_at) - min(received_at) from $counted)), 0.001))::numeric, 0)
    from $counted group by rollup (case when sender like '%bench@partner.example%' then 'smime' else 'openpgp' end) order by 1 desc" |
    while read -r scheme delivered other secs rate; do
      report "$(printf '%-13s %-8s %-8s %7s %7s %10s %12s' "$1" in "${scheme:-all}" "$delivered" "$other" "$secs" "$rate")"
      [[ $scheme != all ]] || ((delivered == N)) || figure_failed "$1 in" "$((N - delivered)) of $N mails not delivered ($other held or not read)"
    done
  "${PSQL[@]}" -At -c "select reason || ': ' || count(*) from $counted where status <> 'delivered' group by reason" |
    while read -r line; do report "     not delivered: $line"; done
  report "$cpu"
  local recorded lost secs rate
  read -r recorded lost secs rate < <("${PSQL[@]}" -At -F ' ' -c "
    select count(e.at), count(*) - count(e.at), round(extract(epoch from max(e.at) - min(m.received_at))::numeric, 1),
      round((count(e.at) / greatest(extract(epoch from max(e.at) - min(m.received_at)), 0.001))::numeric, 0)
    from $counted left join (select data ->> 'InboundId' as inbound_id, min(timestamp) as at from $API_SCHEMA.mt_events
                             where type = 'mail_received' group by 1) e on e.inbound_id = m.id::text
    where m.status = 'delivered'")
  report "$(printf '%-13s %-8s %-8s %7s %7s %10s %12s' "$1" in +api "$recorded" "$lost" "$secs" "$rate")"
  if ((lost > 0)); then
    report "     LOST: $lost mails the Worker handed on were not recorded by the Api within $API_WAIT s; see $OUT/mail-api-in-$1.log"
    figure_failed "$1 in +api" "$lost mails LOST between the Worker and the Api"
  fi
  report "${cpu_all/CPU ms per mail:/CPU ms per mail, until the Api recorded the last:}"
  local letters total
  if letters=$(dead_letters); then
    total=$(awk '{ n += $2 } END { print n + 0 }' <<<"$letters")
    report "$(printf '%-13s %-8s error queues (%s-*_error): %d letters, %+d in this run' "$1" in "$RabbitMq__Prefix" "$total" \
      $((total - letters_before)))$(awk 'NF { printf ", %s %s", $1, $2 }' <<<"$letters")"
    ((total <= letters_before)) || figure_failed "$1 in error queues" "$((total - letters_before)) messages faulted in this run"
  else
    report "$(printf '%-13s %-8s error queues: not read (no answer from the RabbitMQ management API)' "$1" in)"
    figure_failed "$1 in error queues" "not read (no answer from the RabbitMQ management API)"
  fi
}

# A mail the Api files, by the id the Worker gave it (m: a row of the Worker's inbound_mail).
FILED="exists (select from $API_SCHEMA.mt_events e where e.type = 'mail_received' and e.data ->> 'InboundId' = m.id::text)"
report "$(printf '%-13s %-8s %-8s %7s %7s %10s %12s' engine way scheme mails failed seconds 'mails/s')"
for ENGINE in $ENGINES; do
  export Mail__SmimeEngine=$ENGINE Mail__OpenPgpEngine=$ENGINE
  OUT_RSS=0 MAX_RSS=0
  if [[ $WAYS == *" out "* ]]; then
    for TO in $OUT_TO; do bench_out "$ENGINE" "$TO"; done
  fi
  MAX_RSS=0
  [[ $WAYS == *" in "* ]] && bench_in "$ENGINE"
  report "$(printf '%-13s Worker peak memory (RSS): out %s MB, in %s MB' "$ENGINE" $((OUT_RSS / 1024)) $((MAX_RSS / 1024)))"
  report ""
done
report ""
report "out: from the first mail handed to Postfix to the last (template, signature, encryption, SMTP; Sent copies by IMAP APPEND alongside);"
report "     out-here: Postfix delivers each into the partner's mailbox on this machine; out-away: Postfix queues each and hands it on (dropped);"
report "     +sent: until the last copy is in our Sent folder (its copied_at); its 'failed' column counts mails not copied"
report "in: from the first mail stored raw to the last handed on (IMAP fetch, store, decrypt, verify, partner match, publish);"
report "     +api: to the last recorded by the Api on an item (its mail_received event), the one that counts; its 'failed'"
report "     column counts the mails handed on but not recorded (LOST)"
if [[ -n ${OUT_SIZE:-} ]]; then
  say "baseline: Postfix's own accept rate (smtp-source)"
  SESSIONS=${Mail__SmtpSessions:-8}
  for TO in $OUT_TO; do
    domain=partner.example
    [[ $TO == away ]] && domain=away.example
    started=$(date +%s.%N)
    /usr/sbin/smtp-source -s "$SESSIONS" -m "$N" -l "$OUT_SIZE" -f ncp@ncp.example -t "bench@$domain" "127.0.0.1:$NCP_SMTP_PORT"
    ended=$(date +%s.%N)
    report "smtp-source to bench@$domain: $N mails of $OUT_SIZE bytes (our average) over $SESSIONS sessions: $(awk -v n="$N" -v a="$started" -v b="$ended" 'BEGIN { printf "%.0f", n / (b - a) }') mails/s accepted by the same Postfix (the ceiling for out-$TO)"
    sleep 5 # let Postfix finish delivering before the next measurement
  done
fi
say "baseline: openssl speed rsa2048"
SPEED=$(openssl speed -seconds 3 rsa2048 2>/dev/null | awk '/^rsa 2048/ { print $6 }')
MULTI=$(openssl speed -seconds 3 -multi "$(nproc)" rsa2048 2>/dev/null | awk '/^rsa 2048/ { print $6 }')
check_measured "openssl speed rsa2048" "$SPEED"
report "openssl speed rsa2048: $SPEED private-key operations/s on one core, $MULTI on $(nproc) (one such operation per mail each way)"
report ""
report "report: $REPORT"
drop_schema $SCHEMA
drop_schema $API_SCHEMA
rm -rf "$MAILDIR" "${MAILDIR}-sent" "$HOLD" "$BENCHBOX"
bench_verdict
