# shellcheck shell=bash
# shellcheck disable=SC2154 # the connection settings come from .data/servers.env
# Shared by the benchmarks: servers, settings, psql, the report file and the same-run PostgreSQL baseline.

ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd)
OUT=$ROOT/artifacts/bench
mkdir -p "$OUT"

say() { printf 'bench: %s\n' "$*" >&2; }
report() { printf '%s\n' "$*" | tee -a "$REPORT"; }

# The report file and its first line; bench_setup's first step, and the whole of it for a bench on servers of its own.
bench_report() { # name
  REPORT=$OUT/$1-$(date -u +%Y%m%dT%H%M%SZ).txt
  FAILURES=$OUT/.$1-failures
  : >"$FAILURES"
  report "Ncp bench $1 — $(date -u +%FT%TZ) on $(nproc) cores, $(hostname)"
  report ""
}
bench_setup() { # name
  bench_report "$1"
  "$ROOT/infra/servers.sh" start >&2
  # shellcheck disable=SC1091
  source "$ROOT/.data/servers.env"
  # The benches poll with psql while the system works: Debian's psql is a Perl wrapper, and TLS on loopback adds a
  # handshake to every poll, CPU taken from what is measured. The server's own psql, without TLS, costs a few ms.
  export PGHOST=127.0.0.1 PGPORT=$NCP_PG_PORT PGUSER=ncp PGPASSWORD=$NCP_PG_PASSWORD PGSSLMODE=disable
  PSQL=("${NCP_PG_BIN:-/usr/bin}/psql" -X -q -v ON_ERROR_STOP=1 -d ncp_test)
  export ASPNETCORE_ENVIRONMENT=Development Logging__LogLevel__Default=Warning
  export RabbitMq__VirtualHost=$RabbitMq__TestVirtualHost RabbitMq__Prefix=bench-$1
}

# ---------------------------------------------------------------- the verdict: a figure that did not come out fails
# Each figure that failed or could not be measured is named as it happens; bench_verdict, a bench's last step, lists
# them in the report and exits 1. They go to a file, not a variable: figures are often taken inside $(...).
figure_failed() { # figure what
  printf '%s: %s\n' "$1" "$2" >>"$FAILURES"
  say "FAILED $1: $2"
}
# A row of requests counts only when each of them was answered, and with a 2xx.
check_requests() { # figure answered 2xx [requests sent]
  local sent=${4:-$2}
  if ((${2:-0} == 0)); then
    figure_failed "$1" "not measured: no request was answered"
  elif ((${3:-0} < sent)); then
    figure_failed "$1" "$((sent - ${3:-0})) of $sent requests failed (not answered, or not 2xx)"
  fi
}
# A figure that came out empty, zero or not a number was not measured.
check_measured() { # figure value
  [[ ${2:-} =~ ^[0-9]*\.?[0-9]+$ ]] && awk -v v="$2" 'BEGIN { exit !(v > 0) }' || figure_failed "$1" "could not be measured (got '${2:-}')"
}
bench_verdict() {
  if [[ -s $FAILURES ]]; then
    report ""
    report "FAILED: $(wc -l <"$FAILURES") figure(s) did not come out right:"
    while read -r line; do report "  $line"; done <"$FAILURES"
    say "the bench failed; report: $REPORT"
    exit 1
  fi
}

# Steps run when the bench ends, the last added first. The benches and start_api each add theirs here: one `trap`
# would replace another's.
at_exit() { # command
  AT_EXIT=$1$'\n'${AT_EXIT:-}
  trap 'while read -r step; do [[ -z $step ]] || eval "$step" || true; done <<<"$AT_EXIT"' EXIT
}

# The Api (Release) on a schema of its own (kept as it is when NCP_BENCH_REUSE is set), migrated, in the background; API_PID and TOKEN (the demo duty
# officer's bearer token) are set. stop_api stops it; the end of the bench does, if nothing did before. A bench may
# start it again (a fresh schema each time) and may run a Worker beside it: the Api's own settings are set for it alone.
start_api() { # schema port log
  if [[ -z ${API_DLL:-} ]]; then
    say "building the Api (Release)"
    dotnet build "$ROOT/Ncp.Api" -c Release -nologo -v quiet -clp:ErrorsOnly >/dev/null
    API_DLL=$ROOT/Ncp.Api/bin/Release/net10.0/Ncp.Api.dll
    at_exit stop_api
  fi
  [[ -n ${NCP_BENCH_REUSE:-} ]] || drop_schema "$1"
  (run_api "$1" migrate >/dev/null)
  run_api "$1" --urls "http://127.0.0.1:$2" >"$3" 2>&1 &
  API_PID=$!
  wait_http "http://127.0.0.1:$2/health/ready"
  TOKEN=$(sign_in "$2" duty)
}
# Becomes the Api (exec): run it in a subshell, or in the background.
run_api() { # schema args...
  local schema=$1
  shift
  cd "$ROOT/Ncp.Api"
  ConnectionStrings__Postgres="$ConnectionStrings__PostgresTest;Maximum Pool Size=64" Marten__Schema=$schema exec dotnet "$API_DLL" "$@"
}
stop_api() {
  [[ -n ${API_PID:-} ]] || return 0
  kill "$API_PID" 2>/dev/null || true
  wait "$API_PID" 2>/dev/null || true
  API_PID=
}
sign_in() { # port demo-user → its bearer token
  curl -fsS -X POST "http://127.0.0.1:$1/dev/sign-in" -H 'Content-Type: application/json' -d "{\"user\":\"$2\"}" |
    sed 's/.*"accessToken":"\([^"]*\)".*/\1/'
}

# The letters in this bench's error queues (its RabbitMQ prefix, "_error" at the end), from the management API: where a
# message lands once its consumer has failed on it every retry. Prints "queue count" for each that holds any.
dead_letters() {
  curl -fsS -u "$RabbitMq__Username:$RabbitMq__Password" \
    "http://127.0.0.1:$NCP_RABBIT_MGMT_PORT/api/queues/$RabbitMq__VirtualHost?columns=name,messages" | tr '{' '\n' |
    awk -v prefix="$RabbitMq__Prefix-" '
      { name = ""; count = 0 }
      match($0, /"name":"[^"]*"/) { name = substr($0, RSTART + 8, RLENGTH - 9) }
      match($0, /"messages":[0-9]+/) { count = substr($0, RSTART + 11, RLENGTH - 11) }
      index(name, prefix) == 1 && name ~ /_error$/ && count > 0 { print name, count }'
}

need_hey() {
  command -v hey >/dev/null || { say "installing hey (HTTP load generator) with apt-get"; DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends hey >/dev/null; }
}

# One row of HTTP requests with hey (its CSV in $OUT/<name>.csv): prints "name n ok rps p50 p95 p99 max"; a request
# not answered, or not with a 2xx, fails the bench (hey_row).
hey_run() { # name hey-args...
  local name=$1; shift
  local csv=$OUT/$name.csv start end sent= clients=50
  # hey gives each of its -c clients -n / -c requests: what it sends is that many times -c.
  [[ " $* " =~ \ -c\ ([0-9]+)\  ]] && clients=${BASH_REMATCH[1]}
  [[ " $* " =~ \ -n\ ([0-9]+)\  ]] && sent=$((BASH_REMATCH[1] / clients * clients))
  start=$(date +%s.%N)
  hey -o csv "$@" >"$csv" || true
  end=$(date +%s.%N)
  hey_row "$name" "$csv" "$sent" "$start" "$end"
}
hey_row() { # name csv requests-sent start end
  local n ok p50 p95 p99 max
  read -r n ok p50 p95 p99 max < <(percentiles "$2")
  check_requests "$1" "$n" "$ok" "$3"
  printf '%-28s %7d %7d %9.0f %8s %8s %8s %8s\n' "$1" "$n" "$ok" "$(awk -v n="$n" -v a="$4" -v b="$5" 'BEGIN { print n / (b - a) }')" "$p50" "$p95" "$p99" "$max"
}

# Percentiles from hey's CSV (response time in seconds is column 1, the status code column 7).
percentiles() { # csv → "n ok p50 p95 p99 max" in ms
  tail -n +2 "$1" | sort -t, -k1,1g | awk -F, '{ n++; t[n] = $1 * 1000; if ($7 >= 200 && $7 < 300) ok++ } END {
    printf "%d %d %.1f %.1f %.1f %.1f\n", n, ok, t[int(n * 0.50) + 1], t[int(n * 0.95) + 1], t[int(n * 0.99) + 1], t[n] }'
}

drop_schema() { "${PSQL[@]}" -c "set client_min_messages = warning; drop schema if exists $1 cascade"; }

# Same-run baseline: PostgreSQL's raw commit rate with pgbench -N, so ratios compare across noisy machines.
pgbench_baseline() { # clients [database, the one PSQL names] → prints transactions/s
  local database=${2:-ncp_test}
  drop_schema pgbench_baseline
  "${PSQL[@]}" -c "create schema pgbench_baseline"
  PGOPTIONS="-c search_path=pgbench_baseline" pgbench -q -i -s 10 "$database" >/dev/null 2>&1
  PGOPTIONS="-c search_path=pgbench_baseline" pgbench -N -c "$1" -j 2 -T 15 "$database" 2>/dev/null | sed -n 's/^tps = \([0-9.]*\).*/\1/p' | head -1
  drop_schema pgbench_baseline
}

# CPU samples of a .NET process with dotnet-trace (if installed and NCP_BENCH_TRACE > 0 seconds), in the background;
# read them with `dotnet-trace report <file> topN`.
trace_process() { # pid file
  if ((${NCP_BENCH_TRACE:-0} > 0)) && command -v dotnet-trace >/dev/null; then
    dotnet-trace collect -p "$1" --profile dotnet-sampled-thread-time --duration "00:00:$(printf %02d "$NCP_BENCH_TRACE")" \
      -o "$2" >"${2%.nettrace}.log" 2>&1 &
  fi
}

# CPU time so far (user + system, in milliseconds) of one process and of its reaped children.
cpu_ms() { # pid
  awk -v hz="$(getconf CLK_TCK)" '{ print int(($14 + $15 + $16 + $17) * 1000 / hz) }' "/proc/$1/stat" 2>/dev/null || echo 0
}
# CPU time so far (ms) of a .NET process's JIT thread (the tiered compiler's background worker, ".NET Tiered Com"): the
# part of its CPU that is start-up, moving hot methods up to optimised code, and not the work itself.
jit_ms() { # pid
  local hz total=0 t
  hz=$(getconf CLK_TCK)
  for t in /proc/"$1"/task/*; do
    [[ $(cat "$t/comm" 2>/dev/null) == ".NET Tiered Com"* ]] || continue
    total=$((total + $(awk '{ line = $0; sub(/^.*\) /, "", line); split(line, f, " "); print f[12] + f[13] }' "$t/stat" 2>/dev/null || echo 0)))
  done
  echo $((total * 1000 / hz))
}
# CPU time so far (ms) of a process tree: the root with the children it reaped, and every live descendant. For the
# servers a phase keeps busy besides Ncp itself (PostgreSQL, RabbitMQ, Postfix, Dovecot).
cpu_tree_ms() { # root-pid
  cpu_trees_ms "tree=${1:-}" | sed 's/^tree=\([0-9]*\).*/\1/'
}
# The same for groups of trees at one moment, in one pass over /proc: "name=ms ..." for each "name=pid[,pid...]" given.
cpu_trees_ms() { # name=pid[,pid...]...
  # Read through cat: Debian's awk (mawk) gives up on the first file that vanished since the glob, and a process
  # exits often here (Postfix's smtpd, cleanup); a count missing its start would be the tree's whole lifetime.
  cat /proc/[0-9]*/stat 2>/dev/null | awk -v groups="$*" -v hz="$(getconf CLK_TCK)" '
    { pid = $1; line = $0; sub(/^.*\) /, "", line); split(line, f, " ")
      parent[pid] = f[2]; own[pid] = f[12] + f[13]; reaped[pid] = f[14] + f[15] }
    END { n = split(groups, g, " ")
          for (i = 1; i <= n; i++) {
            eq = index(g[i], "="); name[i] = substr(g[i], 1, eq - 1); m = split(substr(g[i], eq + 1), roots, ",")
            for (j = 1; j <= m; j++) if (roots[j] in parent) { r = roots[j]; group[r] = name[i]; total[name[i]] += own[r] + reaped[r] } }
          for (p in parent) { q = p; while (q in parent && !(q in group) && q + 0 > 1) q = parent[q]
                              if ((q in group) && q != p) total[group[q]] += own[p] }
          for (i = 1; i <= n; i++) printf "%s=%d%s", name[i], total[name[i]] * 1000 / hz, (i < n ? " " : "\n") }'
}
# The servers' root processes by name: the oldest of each.
server_roots() {
  printf 'postgres=%s rabbitmq=%s postfix=%s dovecot=%s\n' "$(pgrep -o -x postgres)" "$(pgrep -o -f beam.smp)" "$(pgrep -o -x master)" "$(pgrep -o -x dovecot)"
}
servers_ms() { # → "postgres=ms rabbitmq=ms postfix=ms dovecot=ms", and "api=ms" while start_api's Api runs
  local pair out=
  for pair in $(server_roots) ${API_PID:+api=$API_PID}; do out+="${pair%%=*}=$(cpu_tree_ms "${pair#*=}") "; done
  echo "$out"
}

# Why a figure grew, or did not, from one Api and Worker to two of each (./ncp bench cluster), from where the CPU went
# with one of each (shares in % of one core). A second instance adds throughput only where the first was short of
# something other than CPU (a lock, a pool, one lane); on cores already busy it has none of its own, and a disk is shared.
growth_reason() { # what one two cores busy ncp servers others iowait
  awk -v what="$1" -v one="$2" -v two="$3" -v cores="$4" -v busy="$5" -v ncp="$6" -v servers="$7" -v others="$8" -v iowait="$9" 'BEGIN {
    growth = (one > 0) ? two / one : 0; all = cores * 100
    printf "%s × %.2f with two of each: ", what, growth
    if (growth >= 1.5) { print "grows; one of each was held back by something of its own (a lane, a pool, a wait)"; exit }
    if (busy >= all * 0.85)
      printf "does not grow, CPU-bound: with one of each the %d cores were already %.0f %% busy (Api + Worker %d %%, " \
        "servers %d %%, processes outside the cluster %d %% of one core); a second Api and Worker share the same cores\n",
        cores, busy * 100 / all, ncp, servers, others
    else if (iowait >= all * 0.15)
      printf "does not grow: the cores were %.0f %% busy and waited on disks %d %% of one core " \
        "(commits, fsync; the disk is shared with every process)\n", busy * 100 / all, iowait
    else printf "does not grow though the cores were only %.0f %% busy with one of each: the limit is elsewhere " \
      "(PostgreSQL commits, RabbitMQ, the load)\n", busy * 100 / all }'
}

# The whole machine's CPU time so far, in milliseconds: "busy total" (total = busy + idle + iowait, over every core).
machine_ms() {
  awk -v hz="$(getconf CLK_TCK)" '/^cpu / { busy = $2 + $3 + $4 + $7 + $8 + $9; total = busy + $5 + $6; printf "%d %d\n", busy * 1000 / hz, total * 1000 / hz }' /proc/stat
}

wait_http() { # url
  for _ in $(seq 1 120); do
    curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
    sleep 0.5
  done
  say "no answer from $1"
  return 1
}

# N items straight into the read model (no events): what the list and the dashboard read, at scale. One item every 30 s
# from 2025-01-01 (or the moment given), over the seeded partners, with a realistic mix of kinds, states, channels and priorities.
seed_items() { # schema count [first-registration]
  local first=${3:-2025-01-01}
  "${PSQL[@]}" <<SQL
insert into $1.mt_doc_itemdetails
  (id, data, mt_dotnet_type, mt_version, register_number, status, kind, direction, channel, partner_code, country, priority,
   assigned_to_id, registered_at, due_by, is_open, sent_at, first_answer_at, ended_at, search_text)
select id, jsonb_build_object(
    'Id', id, 'RegisterNumber', number, 'Kind', kind, 'Direction', direction, 'Status', status, 'PartnerCode', partner,
    'Country', country, 'Channel', case channel when 'TwentyFourSeven' then '24-7' else channel end, 'Subject', subject, 'Priority', priority, 'RegisteredAt', registered_at,
    'DueBy', due_by, 'IsOpen', is_open, 'Version', 3, 'RequestedData', '[]'::jsonb, 'Attachments', '[]'::jsonb, 'Links', '[]'::jsonb,
    'RegisteredBy', jsonb_build_object('Id', 'bench', 'Name', 'Bench')),
  'Ncp.Api.Cases.ItemDetails', 3, number, status, kind, direction, channel, partner, country, priority, null,
  registered_at, due_by, is_open, null, null, case when not is_open then registered_at + interval '3 days' end, lower(subject || ' ' || number)
from (
  select i,
    (lpad(to_hex((extract(epoch from timestamptz '$first' + i * interval '30 seconds') * 1000)::bigint), 12, '0') || '7' || substr(md5(i::text), 1, 19))::uuid as id,
    'KZ-NCP-2025-' || lpad(i::text, 7, '0') as number,
    (array['Request','Request','Request','InitiativeMessage','LegalAssistanceTask'])[1 + i % 5] as kind,
    (array['Outgoing','Incoming'])[1 + i % 2] as direction,
    (array['Draft','Sent','Acknowledged','Answered','Closed','Closed','Closed','Received'])[1 + (i / 7) % 8] as status,
    (array['TwentyFourSeven','TwentyFourSeven','TwentyFourSeven','Interpol','CisBkbop','Csto','Bilateral'])[1 + (i / 3) % 7] as channel,
    p.code as partner, p.country,
    (array['Normal','Normal','High','Urgent'])[1 + (i / 11) % 4] as priority,
    (array['Hasanov','Ivanova','Nurlanuli','Smith','Muller','Kowalski','Petrenko','Suleimenov'])[1 + i % 8] || ' ' ||
      (array['IP logs','subscriber data','preservation','phishing site','crypto wallet'])[1 + (i / 5) % 5] || ' ' || i as subject,
    timestamptz '$first' + i * interval '30 seconds' as registered_at,
    timestamptz '$first' + i * interval '30 seconds' + interval '7 days' as due_by,
    (1 + (i / 7) % 8) not in (5, 6, 7) as is_open
  from generate_series(1, $2) i
  join (select row_number() over (order by data->>'Code') - 1 as n, data->>'Code' as code, data->>'Country' as country
        from $1.mt_doc_partnerdirectoryentry) p on p.n = i % 90
) rows;
analyze $1.mt_doc_itemdetails;
SQL
}

# ---------------------------------------------------------------- partners' mail, as partners make it
# Two partners' keys in DIR: an S/MIME certificate from the NCP's development CA (infra/keys.sh, in KEYS_DIR) for the
# first address (smime.key, smime.pem, smime.der) and an OpenPGP key, signing primary with an encryption subkey, for the
# second (openpgp.asc, its secret part in $GNUPGHOME, which must be an empty folder of mode 700). The NCP's public OpenPGP
# key is imported there too, so that partner_bodies can encrypt to it.
partner_keys() { # dir keys-dir smime-address openpgp-address
  (
    cd "$1"
    openssl req -newkey rsa:2048 -nodes -keyout smime.key -out smime.csr -subj "/CN=Partner/emailAddress=$3" 2>/dev/null
    printf 'keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=emailProtection\nsubjectAltName=email:%s\n' "$3" >smime.ext
    openssl x509 -req -in smime.csr -CA "$2/ca.pem" -CAkey "$2/ca.key" -CAcreateserial -days 365 -sha256 -extfile smime.ext \
      -out smime.pem 2>/dev/null
    openssl x509 -in smime.pem -outform DER -out smime.der
    gpg --batch --pinentry-mode loopback --passphrase '' --quick-gen-key "Partner <$4>" rsa2048 sign,cert 1y 2>/dev/null
    local fpr
    fpr=$(gpg --batch --with-colons --list-keys "$4" 2>/dev/null | awk -F: '/^fpr/ {print $10; exit}')
    gpg --batch --pinentry-mode loopback --passphrase '' --quick-add-key "$fpr" rsa2048 encr 1y 2>/dev/null
    gpg --batch --armor --export "$fpr" >openpgp.asc 2>/dev/null
    gpg --batch --import "$2/ncp.public.asc" 2>/dev/null
  )
}

# The body of a partner's reply, signed by the partner and encrypted to the NCP, each way: DIR/smime.body (openssl cms,
# with its MIME headers) and DIR/openpgp.body (gpg, armored). Copies of a body under other headers are other mails.
partner_bodies() { # dir keys-dir openpgp-address
  (
    cd "$1"
    rm -f inner.txt signed.eml smime.body openpgp.body # gpg will not overwrite
    printf 'Content-Type: text/plain; charset=utf-8\r\n\r\nThe subscriber of 203.0.113.7 on 2026-10-01 is John Doe.\r\n' >inner.txt
    openssl cms -sign -in inner.txt -signer smime.pem -inkey smime.key -nodetach -outform SMIME -out signed.eml 2>/dev/null
    openssl cms -encrypt -in signed.eml -aes256 -outform SMIME -out smime.body "$2/ncp.pem" 2>/dev/null
    gpg --batch --trust-model always --armor --sign --local-user "$3" --encrypt --recipient ncp@ncp.example \
      --output openpgp.body inner.txt 2>/dev/null
  )
}

# One partner mail to the NCP on standard output: the headers given and a body made by partner_bodies.
partner_mail() { # dir smime|openpgp from subject message-id
  printf 'From: %s\r\nTo: ncp@ncp.example\r\nSubject: %s\r\nMessage-ID: %s\r\n' "$3" "$4" "$5"
  if [[ $2 == smime ]]; then
    cat "$1/smime.body"
  else
    printf 'MIME-Version: 1.0\r\nContent-Type: multipart/encrypted; protocol="application/pgp-encrypted"; boundary="b"\r\n\r\n'
    printf -- '--b\r\nContent-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n\r\n--b\r\nContent-Type: application/octet-stream\r\n\r\n'
    cat "$1/openpgp.body"
    printf '\r\n--b--\r\n'
  fi
}
