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
#   NCP_BENCH_REUSE       set: keep the schema after the run, and store nothing when it already holds the items (a
#                         million take many minutes to store; a run changes a few dozen of them)
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
[[ -n ${NCP_BENCH_REUSE:-} ]] || at_exit "\"\${PSQL[@]}\" -c 'set client_min_messages = warning; drop schema if exists $SCHEMA cascade'"
start_api $SCHEMA "$PORT" "$OUT/reports-api.log"

stored() { "${PSQL[@]}" -At -c "select count(*) from $1" 2>/dev/null || echo 0; }
FIRST=$("${PSQL[@]}" -At -c "select now() - $ITEMS * interval '30 seconds'")
SECONDS=0
if [[ -n ${NCP_BENCH_REUSE:-} && $(stored $SCHEMA.mt_doc_itemdetails) == "$ITEMS" ]]; then
  say "reusing the $ITEMS items stored in $SCHEMA"
else
say "storing $ITEMS items up to now (direct insert into the read model; the open-item counts follow by trigger)"
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
fi
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

# ---------------------------------------------------------------- the reports over a year (statistics, yearly, timeliness)
# The same items' report rows, stored the same direct way (seed_report_rows): outgoing ones sent an hour after registration
# unless drafts, acknowledged, answered (with an outcome), closed, withdrawn or refused as their state says. The monthly
# counts the statistics read (ReportMonths, kept by a trigger) are counted once after the load, as migrate would. Each
# report is asked NCP_BENCH_REPORTS times in turn for the 12 whole months up to this one, then once as CSV and XLSX.
REPORTS=${NCP_BENCH_REPORTS:-10}
seed_report_rows() { # schema count first-registration
  "${PSQL[@]}" <<SQL
alter table $1.mt_doc_reportrow disable trigger ncp_count_report_months;
alter table $1.mt_doc_reportrow disable trigger ncp_keep_report_sent;
insert into $1.mt_doc_reportrow
  (id, data, mt_dotnet_type, mt_version, channel, crime_category, outcome, registered_at, sent_at, answered_at, ended_at, role)
select id, jsonb_strip_nulls(jsonb_build_object(
    'Id', id, 'RegisterNumber', number, 'Kind', kind, 'Direction', direction, 'Channel', channel, 'PartnerCode', partner,
    'Country', country, 'CrimeCategory', category, 'Article', article, 'Priority', priority, 'OfficerId', 'officer-' || (i % 12),
    'OfficerName', 'Officer ' || (i % 12), 'Role', role, 'RegisteredAt', registered_at, 'SentAt', sent_at, 'AcknowledgedAt', ack_at,
    'AnsweredAt', answered_at, 'Outcome', outcome, 'OutcomeAt', answered_at,
    'RefusedAt', case when status = 6 then ended_at end, 'WithdrawnAt', case when status = 5 then ended_at end,
    'ClosedAt', case when status = 4 then ended_at end, 'EndedAt', ended_at,
    'AcknowledgeBy', sent_at + interval '1 day', 'ReplyBy', sent_at + interval '10 days', 'UsefulUntil', sent_at + interval '30 days',
    'DataPeriodEnd', (registered_at - (1 + i % 180) * interval '1 day')::date, 'FollowUps', '[]'::jsonb)),
  'Ncp.Api.Reports.ReportRow', 1, channel, category, outcome, registered_at, sent_at, answered_at, ended_at, role
from (
  select *, case when status in (2, 3, 4, 5, 6) and sent_at is not null then sent_at + (1 + h % 72) * interval '1 hour' end as ack_at,
    case when status in (3, 4) then coalesce(sent_at, registered_at) + (2 + h % 400) * interval '1 hour' end as answered_at,
    case when status in (3, 4) then (array['DataProvided','PartlyProvided','NoLongerRetained','NotHeld','Refused','NotApplicable'])[1 + i % 6] end as outcome,
    case when status in (4, 5, 6) then registered_at + interval '3 days' end as ended_at
  from (
    select i, abs(hashtext(i::text)) as h,
      (lpad(to_hex((extract(epoch from timestamptz '$3' + i * interval '30 seconds') * 1000)::bigint), 12, '0') || '7' || substr(md5(i::text), 1, 19))::uuid as id,
      'KZ-NCP-2025-' || lpad(i::text, 7, '0') as number,
      (array['Request','Request','Request','InitiativeMessage','LegalAssistanceTask'])[1 + i % 5] as kind,
      (array['Outgoing','Incoming'])[1 + i % 2] as direction,
      (i / 7) % 8 as status, -- draft, sent, acknowledged, answered, closed, withdrawn, refused, received
      (array['TwentyFourSeven','TwentyFourSeven','TwentyFourSeven','Interpol','CisBkbop','Csto','Bilateral'])[1 + (i / 3) % 7] as channel,
      p.code as partner, p.country,
      (array['ComputerCrime','InternetFraud','InternetFraud','ChildSexualAbuse','Extortion','DrugTrafficking','MoneyLaundering','Other'])[1 + (i / 13) % 8] as category,
      (array['190','190','205','207','213',''])[1 + (i / 17) % 6] as article,
      (array['Normal','Normal','High','Urgent'])[1 + (i / 11) % 4] as priority,
      (array['Preservation','LegalAssistance','Disclosure','Other','Other'])[1 + (i / 5) % 5] as role,
      timestamptz '$3' + i * interval '30 seconds' as registered_at,
      case when i % 2 = 0 and (i / 7) % 8 not in (0, 7) then timestamptz '$3' + i * interval '30 seconds' + interval '1 hour' end as sent_at
    from generate_series(1, $2) i
    join (select row_number() over (order by data->>'Code') - 1 as n, data->>'Code' as code, data->>'Country' as country
          from $1.mt_doc_partnerdirectoryentry) p on p.n = i % 90) base) rows;
alter table $1.mt_doc_reportrow enable trigger ncp_count_report_months;
alter table $1.mt_doc_reportrow enable trigger ncp_keep_report_sent;
select $1.ncp_recount_report_months();
select $1.ncp_refill_report_sent();
vacuum analyze $1.mt_doc_reportrow;
vacuum analyze $1.ncp_report_sent;
vacuum analyze $1.ncp_report_months;
SQL
}

SECONDS=0
if [[ -n ${NCP_BENCH_REUSE:-} && $(stored $SCHEMA.mt_doc_reportrow) == "$ITEMS" ]]; then
  say "reusing the $ITEMS report rows stored in $SCHEMA"
else
  say "storing the report rows of the same $ITEMS items, and their monthly counts"
  seed_report_rows "$SCHEMA" "$ITEMS" "$FIRST"
fi
read -r ROWS SENT ANSWERED < <("${PSQL[@]}" -At -F ' ' -c \
  "select count(*), count(sent_at), count(answered_at) from $SCHEMA.mt_doc_reportrow")
report "$ROWS report rows stored and counted per month in ${SECONDS} s ($SENT sent, $ANSWERED answered)"
((ROWS == STORED)) || fail "report rows: $ROWS stored for $STORED items"
PERIOD="from=$(date -u -d "$(date -u +%Y-%m-01) -11 months" +%F)&to=$(date -u -d "$(date -u +%Y-%m-01) +1 month -1 day" +%F)"
report "the 12 whole months up to this one: $PERIOD; each report $REPORTS times in turn"
report ""

# A report's JSON holds its figures: rows, and in them numbers (the yearly report's total registered is the year's items).
figures_in() { # file report
  case $2 in
    yearly) jq -e '.table.rows[-1][1] > 0' "$1" >/dev/null ;;
    *) jq -e '(.table.rows | length) > 0 and ([.table.rows[][1:][] | numbers] | length) > 0' "$1" >/dev/null ;;
  esac
}
report "$(printf '%-28s %8s %8s %8s %8s %8s' report requests 200 'p50 ms' 'p95 ms' 'max ms')"
for name in "statistics&by=partner" "statistics&by=month" "yearly" "timeliness&by=partner"; do
  path=${name%%&*}
  query=${name#"$path"}
  times=$OUT/reports-$path${query//[&=]/-}.txt
  : >"$times"
  ok=0
  for _ in $(seq 1 "$REPORTS"); do
    read -r code total < <(curl -sS -o "$OUT/reports-answer.json" -w '%{http_code} %{time_total}\n' -H "Authorization: Bearer $TOKEN" \
      "http://127.0.0.1:$PORT/api/reports/$path?$PERIOD$query") || code=000
    if [[ $code == 200 ]] && figures_in "$OUT/reports-answer.json" "$path"; then ok=$((ok + 1)); fi
    awk -v t="${total:-0}" 'BEGIN { printf "%.1f\n", t * 1000 }' >>"$times"
  done
  ((ok == REPORTS)) || fail "$path$query: $ok of $REPORTS answered 200 with figures"
  report "$(sort -g "$times" | awk -v name="$path$query" -v ok="$ok" '{ t[++n] = $1 } END {
    p95 = int(n * 0.95) + 1; if (p95 > n) p95 = n
    printf "%-28s %8d %8d %8.0f %8.0f %8.0f", name, n, ok, t[int(n * 0.50) + 1], t[p95], t[n] }')"
done
report ""
report "$(printf '%-28s %8s %10s %12s' 'report as a file' status 'total ms' size)"
for name in statistics yearly timeliness; do
  for format in csv xlsx; do
    file=$OUT/reports-$name.$format
    read -r code total size < <(curl -sS -o "$file" -w '%{http_code} %{time_total} %{size_download}\n' -H "Authorization: Bearer $TOKEN" \
      "http://127.0.0.1:$PORT/api/reports/$name?$PERIOD&format=$format") || code=000
    [[ $code == 200 && ${size:-0} -gt 0 ]] || fail "$name as $format answered $code with ${size:-0} bytes"
    [[ $format != csv || $(tr -cd '\n' <"$file" | wc -c) -ge 2 ]] || fail "$name as csv holds no row"
    report "$(printf '%-28s %8s %10.0f %12s' "$name.$format" "$code" "$(awk -v t="${total:-0}" 'BEGIN { print t * 1000 }')" "${size:-0} B")"
  done
done
report ""
report "report: $REPORT"
exit $FAILED
