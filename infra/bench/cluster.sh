#!/usr/bin/env bash
# ./ncp bench cluster: throughput of one Api and one Worker beside two of each, in the same run, on the cluster of
# ./ncp up --cluster (started when it is not running). Officers (infra/bench/ClusterLoad.cs, each its own client, sticky
# to an Api by HAProxy's cookie as a browser is) register outgoing requests through HAProxy and send each to a partner
# (S/MIME, its mail handed by a Worker to the cluster's Postfix, which queues it for a server elsewhere and drops it).
#   one of each: api2 and worker2 stopped (cluster.sh stop; HAProxy routes to api1), a warm-up, then a measured window;
#   two of each: api2 and worker2 started again, the same load, the same measures.
# Measured: registrations and sends acknowledged per second with their p50/p95, and mails sent per second end to end
# (the Api's MailDispatched: the Worker reported the mail handed to Postfix) with the send → sent delay; each process's
# CPU over the window (what the two cores went to). Beside them, pgbench -N on the cluster's primary in the same run,
# the ratios two/one and each/pgbench, the core count and load average: where a figure does not grow, the CPU says why.
#
#   NCP_BENCH_CLUSTER_OFFICERS officers registering and sending at once, in each phase [8]
#   NCP_BENCH_CLUSTER_WARMUP   seconds of load before each window, not counted (JIT, pools, HAProxy's checks) [30]
#   NCP_BENCH_CLUSTER_SECONDS  seconds measured in each phase [60]
#   NCP_BENCH_CLUSTER_DRAIN    longest wait after a phase for its mails to be sent, before the next [300]
set -euo pipefail

OFFICERS=${NCP_BENCH_CLUSTER_OFFICERS:-8}
WARMUP=${NCP_BENCH_CLUSTER_WARMUP:-30}
WINDOW=${NCP_BENCH_CLUSTER_SECONDS:-60}
DRAIN=${NCP_BENCH_CLUSTER_DRAIN:-300}
PARTNER=BENCH-CLUSTER
CORES=$(nproc)
# shellcheck source=infra/bench/common.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/common.sh"
CLUSTER=$ROOT/infra/cluster/cluster.sh
CLUSTER_DIR=$(dirname "$("$CLUSTER" env)")

bench_report cluster
if ! "$CLUSTER" status >/dev/null 2>&1; then
  say "the cluster is not (fully) running: ./ncp up --cluster"
  "$CLUSTER" up >&2
fi
# Whatever happens, the cluster is left with two of each.
at_exit '"$CLUSTER" start api2 worker2 >&2'
# shellcheck disable=SC1091
source "$CLUSTER_DIR/cluster.env"
PGPASSWORD=$(head -n 1 "$CLUSTER_DIR/secrets/postgres-ncp.password")
export PGHOST=127.0.0.1 PGPORT PGUSER=ncp PGPASSWORD PGSSLMODE=disable
PGPORT=$("$ROOT/infra/cluster/postgres-standby.sh" primary-port)
PSQL=("${NCP_PG_BIN:-/usr/lib/postgresql/15/bin}/psql" -X -q -v ON_ERROR_STOP=1 -d ncp)
STATS=http://127.0.0.1:$((${NCP_CLUSTER_URL##*:} - 1))/

say "building the load (infra/bench/ClusterLoad.cs, a file-based .NET app)"
dotnet build "$ROOT/infra/bench/ClusterLoad.cs" -c Release -nologo -v quiet -clp:ErrorsOnly -o "$OUT/cluster-load" >/dev/null
LOAD=(dotnet "$OUT/cluster-load/ClusterLoad.dll")

say "partner $PARTNER (S/MIME, bench@away.example), entered through the Api unless it is already"
WORK=$(mktemp -d)
at_exit 'gpgconf --kill all 2>/dev/null; rm -rf "$WORK"'
export GNUPGHOME=$WORK/gnupg
mkdir -m 700 "$GNUPGHOME"
partner_keys "$WORK" "$CLUSTER_DIR/single/keys" bench@away.example bench-pgp@away.example
"${LOAD[@]}" partner "$NCP_CLUSTER_URL" "$PARTNER" bench@away.example "$WORK/smime.pem" "$CLUSTER_DIR/single/keys/ca.pem"
for _ in $(seq 1 60); do
  [[ $("${PSQL[@]}" -At -c "select count(*) from worker.partner_keys where partner_code = '$PARTNER'") -gt 0 ]] && break
  sleep 1
done

# ---------------------------------------------------------------- CPU per process over a window
# The cluster's processes by part, as cpu_trees_ms takes them: "name=pid[,pid...]" for the Api and Worker instances,
# both PostgreSQL nodes, the three RabbitMQ nodes, HAProxy, Postfix and Dovecot.
cluster_pids() {
  local run=$CLUSTER_DIR/run name file
  for name in api1 api2 worker1 worker2; do printf '%s=%s ' "$name" "$(first_line "$run/$name.pid")"; done
  printf 'postgres=%s,%s ' "$(first_line "$CLUSTER_DIR/postgres/pg1/data/postmaster.pid")" \
    "$(first_line "$CLUSTER_DIR/postgres/pg2/data/postmaster.pid")"
  printf 'rabbitmq='
  for file in "$CLUSTER_DIR"/rabbitmq/node[123]/rabbitmq.pid; do printf '%s,' "$(first_line "$file")"; done
  printf ' haproxy=%s ' "$(first_line "$run/haproxy.pid")"
  printf 'mail=%s,%s\n' "$(first_line "$CLUSTER_DIR/single/mail/postfix-queue/pid/master.pid")" \
    "$(first_line "$CLUSTER_DIR/single/mail/dovecot-run/master.pid")"
}
first_line() { head -n 1 "$1" 2>/dev/null | tr -d ' ' || true; }
cpu_parts() { # → "name=ms ..." for each part of the cluster, the whole machine's busy time and its time waiting on disks
  # shellcheck disable=SC2046 # one word per part
  echo "$(cpu_trees_ms $(cluster_pids)) machine=$(machine_ms | cut -d' ' -f1) iowait=$(iowait_ms)"
}
iowait_ms() { # the cores' time idle while a disk was waited for, so far (ms, every core)
  awk -v hz="$(getconf CLK_TCK)" '/^cpu / { print int($6 * 1000 / hz) }' /proc/stat
}
# "name=% of one core" over the window, from two cpu_parts samples, and the rest of the machine (other processes).
cpu_shares() { # before after seconds
  awk -v before="$1" -v after="$2" -v secs="$3" 'BEGIN {
    n = split(before, b, " "); for (i = 1; i <= n; i++) { split(b[i], kv, "="); start[kv[1]] = kv[2] }
    n = split(after, a, " "); for (i = 1; i <= n; i++) { split(a[i], kv, "="); name[i] = kv[1]; end[kv[1]] = kv[2] }
    for (i = 1; i <= n; i++) { p = name[i]; share = (end[p] - start[p]) / (secs * 10); if (p != "machine" && p != "iowait") ours += share
      printf "%s=%.0f ", p, share }
    printf "others=%.0f\n", (end["machine"] - start["machine"]) / (secs * 10) - ours }'
}

wait_mark() { # mark log pid
  until grep -qx "$1" "$2" 2>/dev/null; do
    kill -0 "$3" 2>/dev/null || { say "the load stopped early; see $2"; exit 1; }
    sleep 0.2
  done
}
haproxy_sees() { # server UP|DOWN
  for _ in $(seq 1 60); do
    [[ $(curl -fsS "$STATS;csv" 2>/dev/null | awk -F, -v s="$1" '$1 == "ncp_api" && $2 == s { print $18 }') == "$2"* ]] && return 0
    sleep 0.5
  done
  say "HAProxy does not see $1 $2"
  return 1
}

# The bench's items sent but not yet reported mailed by a Worker (since the bench began).
BEGAN=$(date -u +%FT%TZ)
BENCH_ITEMS="select id from api.mt_doc_itemdetails where partner_code = '$PARTNER' and registered_at >= '$BEGAN'"
UNMAILED="select count(*) from api.mt_events s where s.type = 'item_sent' and s.stream_id in ($BENCH_ITEMS)
  and not exists (select from api.mt_events d where d.stream_id = s.stream_id and d.type = 'mail_dispatched')"

declare -A FIG
phase() { # name
  local name=$1 log=$OUT/cluster-$1.log result=$OUT/cluster-$1.out pid before after
  say "$name: $OFFICERS officers for ${WARMUP} s of warm-up and $WINDOW s measured"
  "${LOAD[@]}" load "$NCP_CLUSTER_URL" "$PARTNER" "$OFFICERS" "$WARMUP" "$WINDOW" >"$result" 2>"$log" &
  pid=$!
  wait_mark measuring "$log" "$pid"
  before="$(cpu_parts) load=0"
  wait_mark measured "$log" "$pid"
  after=$(cpu_parts)
  FIG[${name}_load]=$(cut -d' ' -f1-3 /proc/loadavg)
  wait "$pid" || { say "the load failed; see $log"; exit 1; }
  local start end registered failed p50 p95 sends send_failed send_p50 send_p95 load_ms
  read -r start end registered failed p50 p95 sends send_failed send_p50 send_p95 load_ms <"$result"
  after+=" load=$load_ms"
  check_requests "$name registrations" $((registered + failed)) "$registered"
  check_requests "$name sends" $((sends + send_failed)) "$sends"
  local secs mailed
  secs=$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')
  mailed=$("${PSQL[@]}" -At -c "select count(*) from api.mt_events where type = 'mail_dispatched'
    and timestamp between to_timestamp($start) and to_timestamp($end) and stream_id in ($BENCH_ITEMS)")
  FIG[${name}_reg]=$(awk -v n="$registered" -v s="$secs" 'BEGIN { printf "%.1f", n / s }')
  FIG[${name}_p50]=$p50 FIG[${name}_p95]=$p95
  FIG[${name}_sends]=$(awk -v n="$sends" -v s="$secs" 'BEGIN { printf "%.1f", n / s }')
  FIG[${name}_send50]=$send_p50 FIG[${name}_send95]=$send_p95
  FIG[${name}_mailed]=$(awk -v n="$mailed" -v s="$secs" 'BEGIN { printf "%.1f", n / s }')
  FIG[${name}_backlog]=$("${PSQL[@]}" -At -c "$UNMAILED")
  FIG[${name}_cpu]=$(cpu_shares "$before" "$after" "$secs")
  check_measured "$name registrations/s" "${FIG[${name}_reg]}"
  check_measured "$name mails sent/s" "${FIG[${name}_mailed]}"
  # The delays count mails sent after the window, while the next phase has not begun: wait for the last of them.
  say "$name: ${FIG[${name}_backlog]} mails still to send at the window's end; waiting for them (at most $DRAIN s)"
  local waited=$SECONDS
  until (($("${PSQL[@]}" -At -c "$UNMAILED") == 0)); do
    ((SECONDS - waited < DRAIN)) || { figure_failed "$name drain" "mails still unsent $DRAIN s after the load"; break; }
    sleep 1
  done
  FIG[${name}_drained]=$((SECONDS - waited))
  local delays
  delays=$("${PSQL[@]}" -At -F ' ' -c "
    select round(percentile_cont(0.50) within group (order by extract(epoch from d.timestamp - s.timestamp))::numeric, 1),
      round(percentile_cont(0.95) within group (order by extract(epoch from d.timestamp - s.timestamp))::numeric, 1)
    from api.mt_events d join api.mt_events s on s.stream_id = d.stream_id and s.type = 'item_sent'
    where d.type = 'mail_dispatched' and s.timestamp between to_timestamp($start) and to_timestamp($end) and d.stream_id in ($BENCH_ITEMS)")
  FIG[${name}_delay50]=${delays% *} FIG[${name}_delay95]=${delays#* }
}

say "one of each: stopping api2 and worker2"
"$CLUSTER" stop api2 worker2 >&2
haproxy_sees api2 DOWN
phase one

say "two of each: starting api2 and worker2"
"$CLUSTER" start api2 worker2 >&2
haproxy_sees api2 UP
phase two

say "baseline: pgbench -N on the cluster's primary (127.0.0.1:$PGPORT), $OFFICERS clients"
TPS=$(pgbench_baseline "$OFFICERS" ncp)
check_measured "pgbench -N baseline" "$TPS"

# ---------------------------------------------------------------- the table
row() { # label key [format]
  local one=${FIG[one_$2]} two=${FIG[two_$2]}
  printf '%-40s %12s %12s %8s\n' "$1" "$one" "$two" "$(awk -v a="$one" -v b="$two" 'BEGIN { printf (a > 0 ? "%.2f" : "-"), b / a }')"
}
per_tps() { # label key
  printf '%-40s %12s %12s\n' "$1" "$(awk -v a="${FIG[one_$2]}" -v t="$TPS" 'BEGIN { printf "%.4f", a / t }')" \
    "$(awk -v a="${FIG[two_$2]}" -v t="$TPS" 'BEGIN { printf "%.4f", a / t }')"
}
cpu_of() { # phase part... → their % of one core, summed
  local part share total=0
  for part in "${@:2}"; do
    share=$(tr ' ' '\n' <<<"${FIG[${1}_cpu]}" | sed -n "s/^$part=//p" | head -1)
    total=$((total + ${share:-0}))
  done
  echo "$total"
}
report "$OFFICERS officers registering and sending through HAProxy; $WARMUP s warm-up, $WINDOW s measured per phase"
report "$(printf '%-40s %12s %12s %8s' '' 'one of each' 'two of each' 'two/one')"
report "$(row 'registrations acknowledged /s' reg)"
report "$(row '  register p50 ms' p50)"
report "$(row '  register p95 ms' p95)"
report "$(row 'sends acknowledged /s' sends)"
report "$(row '  send p50 ms' send50)"
report "$(row '  send p95 ms' send95)"
report "$(row 'mails sent /s (end to end)' mailed)"
report "$(row '  send → mail sent p50 s' delay50)"
report "$(row '  send → mail sent p95 s' delay95)"
report "$(row '  mails left to send at the end' backlog)"
report "$(row '  s until they were sent' drained)"
report "$(per_tps 'registrations /s ÷ pgbench tps' reg)"
report "$(per_tps 'mails sent /s ÷ pgbench tps' mailed)"
report ""
report "pgbench -N on the cluster's primary, $OFFICERS clients, 15 s, in the same run: $TPS transactions/s"
report "machine: $(nproc) cores; load average (1, 5, 15 min) at the end of one of each ${FIG[one_load]}, of two of each ${FIG[two_load]}"
report "CPU over each window, % of one core (the machine has $((CORES * 100)) %; machine = all busy, 'others' = processes outside"
report "the cluster and the load, iowait = cores idle while a disk read or write was waited for):"
report "  one of each: ${FIG[one_cpu]}"
report "  two of each: ${FIG[two_cpu]}"
for p in one two; do
  FIG[${p}_ncp]=$(cpu_of "$p" api1 api2 worker1 worker2)
  FIG[${p}_servers]=$(cpu_of "$p" postgres rabbitmq haproxy mail)
  FIG[${p}_all]=$(cpu_of "$p" machine) FIG[${p}_others]=$(cpu_of "$p" others) FIG[${p}_iowait]=$(cpu_of "$p" iowait)
done
report "  Api + Worker: ${FIG[one_ncp]} % → ${FIG[two_ncp]} %; servers (PostgreSQL, RabbitMQ, HAProxy, mail): ${FIG[one_servers]} % →" \
  "${FIG[two_servers]} %; everything: ${FIG[one_all]} % → ${FIG[two_all]} % of $((CORES * 100)) %"
why() { # figure key
  growth_reason "$1" "${FIG[one_$2]}" "${FIG[two_$2]}" "$CORES" "${FIG[one_all]}" "${FIG[one_ncp]}" "${FIG[one_servers]}" \
    "${FIG[one_others]}" "${FIG[one_iowait]}"
}
report "$(why registrations reg)"
report "$(why 'mails sent' mailed)"
report ""
report "report: $REPORT"
bench_verdict
