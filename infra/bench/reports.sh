#!/usr/bin/env bash
# shellcheck disable=SC2154 # the connection settings come from .data/servers.env
# ./ncp bench reports: the dashboard and the export of a year's items at N items, beside the same run's pgbench figure.
# The items are stored straight into the read model (seed_items), one every 30 s up to now: a year at a million, 5/8 of
# them open and overdue (a far larger backlog than a desk has), outgoing ones of the last 90 days sent and some answered,
# so that the dashboard's slowest partners have something to rank. Exits non-zero when a request fails or a figure is missing.
#
#   NCP_BENCH_ITEMS       items stored                             [1000000]
#   NCP_BENCH_DASHBOARD   dashboard requests (4 clients)           [200]
#   NCP_BENCH_DASHBOARD_CHANGED  dashboard requests, one client, each after a change to a partner's request  [20]
set -euo pipefail

ITEMS=${NCP_BENCH_ITEMS:-1000000}
DASHBOARD=${NCP_BENCH_DASHBOARD:-200}
CHANGED=${NCP_BENCH_DASHBOARD_CHANGED:-20}
PORT=${NCP_BENCH_PORT:-5091}
SCHEMA=${NCP_BENCH_SCHEMA:-api_bench_reports} # two runs side by side need two schemas (and NCP_BENCH_PORT)
# shellcheck source=infra/bench/common.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/common.sh"

need_hey
bench_setup reports
FAILED=0
fail() { say "FAILED: $*"; report "FAILED: $*"; FAILED=1; }
at_exit "\"\${PSQL[@]}\" -c 'set client_min_messages = warning; drop schema if exists $SCHEMA cascade'"
start_api $SCHEMA "$PORT" "$OUT/reports-api.log"

say "storing $ITEMS items up to now (direct insert into the read model; the open-item counts follow by trigger)"
FIRST=$("${PSQL[@]}" -At -c "select now() - $ITEMS * interval '30 seconds'")
SECONDS=0
seed_items $SCHEMA "$ITEMS" "$FIRST"
"${PSQL[@]}" <<SQL
update $SCHEMA.mt_doc_itemdetails set sent_at = registered_at + interval '1 hour',
  first_answer_at = case when status in ('Answered', 'Closed') then registered_at + (1 + abs(hashtext(id::text)) % 400) * interval '1 hour' end
where direction = 'Outgoing' and status <> 'Draft' and registered_at >= now() - interval '90 days';
vacuum analyze $SCHEMA.mt_doc_itemdetails;
-- The triggers' counts were updated a million times in one transaction here, and left spread over a thousand times their
-- pages; in service each change updates them once and autovacuum keeps them compact, as this leaves them.
vacuum (full, analyze) $SCHEMA.ncp_open_item_counts, $SCHEMA.ncp_ended_item_counts, $SCHEMA.ncp_partner_request_changes;
SQL
read -r STORED OPEN OVERDUE < <("${PSQL[@]}" -At -F ' ' -c \
  "select count(*), count(*) filter (where is_open), count(*) filter (where is_open and due_by < now()) from $SCHEMA.mt_doc_itemdetails")
report "$STORED items stored in ${SECONDS} s ($OPEN open, $OVERDUE overdue)"

say "baseline: pgbench -N (the same PostgreSQL, no Ncp in between)"
TPS=$(pgbench_baseline 4)
[[ -n $TPS ]] || fail "pgbench gave no figure"
report "pgbench -N, 4 clients, 15 s: ${TPS:-?} transactions/s"
report ""

TOKEN=$(sign_in "$PORT" head)
say "dashboard: $DASHBOARD requests, 4 clients"
curl -fsS -o /dev/null -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/dashboard" || fail "the dashboard answered an error"
hey -o csv -n "$DASHBOARD" -c 4 -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/dashboard" >"$OUT/reports-dashboard.csv"
read -r n ok p50 p95 p99 max < <(percentiles "$OUT/reports-dashboard.csv")
((n == DASHBOARD && ok == n)) || fail "dashboard: $ok of $n requests answered 2xx (of $DASHBOARD sent)"
report "$(printf '%-24s %8s %8s %8s %8s %8s %8s' request requests 2xx 'p50 ms' 'p95 ms' 'p99 ms' 'max ms')"
report "$(printf '%-24s %8d %8d %8s %8s %8s %8s' dashboard "$n" "$ok" "$p50" "$p95" "$p99" "$max")"
# The slowest partners are ranked from a copy of each partner's requests, read again when one of them changed: each of
# these requests follows an answer recorded to one partner's request, and pays for that partner's read.
say "dashboard after a change: $CHANGED requests, one answer recorded before each"
for ((i = 0; i < CHANGED; i++)); do
  "${PSQL[@]}" -c "update $SCHEMA.mt_doc_itemdetails set first_answer_at = coalesce(first_answer_at, now()) + interval '1 second'
    where id = (select id from $SCHEMA.mt_doc_itemdetails where direction = 'Outgoing' and sent_at is not null
                order by partner_code, sent_at offset $i limit 1)"
  # As hey's CSV: the response time first, the status seventh.
  curl -sS -o /dev/null -w '%{time_total},0,0,0,0,0,%{http_code}\n' -H "Authorization: Bearer $TOKEN" \
    "http://127.0.0.1:$PORT/api/dashboard" || echo "0,0,0,0,0,0,000"
done | { echo header; cat; } >"$OUT/reports-dashboard-changed.csv"
read -r n ok p50 p95 p99 max < <(percentiles "$OUT/reports-dashboard-changed.csv")
((n == CHANGED && ok == n)) || fail "dashboard after a change: $ok of $n requests answered 2xx"
report "$(printf '%-24s %8d %8d %8s %8s %8s %8s' dashboard-after-change "$n" "$ok" "$p50" "$p95" "$p99" "$max")"
report ""

# The Api's resident memory, sampled every 0.2 s while an export runs: streaming keeps it flat whatever the rows' number.
rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$API_PID/status"; }
export_year() { # format
  local file=$OUT/reports-items.$1 before peak=0 rss sampler
  before=$(rss_kb)
  (while sleep 0.2; do rss_kb; done) >"$OUT/reports-rss.txt" &
  sampler=$!
  local from to
  from=$(date -u -d '364 days ago' +%F)
  to=$(date -u +%F)
  read -r code first total size < <(curl -sS -o "$file" -w '%{http_code} %{time_starttransfer} %{time_total} %{size_download}\n' \
    -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/reports/items?from=$from&to=$to&format=$1") || code=000
  kill "$sampler" 2>/dev/null || true
  wait "$sampler" 2>/dev/null || true
  for rss in $(cat "$OUT/reports-rss.txt") "$(rss_kb)"; do ((rss > peak)) && peak=$rss; done
  local rows=?
  [[ $1 == csv ]] && rows=$(($(tr -cd '\n' <"$file" | wc -c) - 1))
  [[ $code == 200 ]] || fail "export $1 answered $code"
  [[ $1 != csv || $rows -ge $((STORED * 9 / 10)) ]] || fail "export $1 wrote $rows rows of about $STORED"
  report "$(printf '%-24s %8s %10s %10s %12s %10s %14s' "export-year-$1" "$code" "$(awk -v t="$first" 'BEGIN { printf "%.0f", t * 1000 }')" \
    "$(awk -v t="$total" 'BEGIN { printf "%.0f", t * 1000 }')" "$((size / 1024 / 1024)) MiB" "$rows" "$((before / 1024))→$((peak / 1024)) MiB")"
}
report "$(printf '%-24s %8s %10s %10s %12s %10s %14s' export status 'first ms' 'total ms' size rows 'Api RSS')"
say "export of a year's items, CSV"
export_year csv
say "export of a year's items, XLSX"
export_year xlsx
report ""
report "report: $REPORT"
exit $FAILED
