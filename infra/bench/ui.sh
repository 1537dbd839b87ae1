#!/usr/bin/env bash
# shellcheck disable=SC2154 # the connection settings come from .data/servers.env
# ./ncp bench ui: the officer's pages as the server renders them (prerendered HTML, signed in with the UI's cookie), at
# 100,000 items. A page's server time includes its calls to the Api's own endpoints; those endpoints are timed alone
# beside it, and the list's SQL is timed with pgbench in the same run, so the figures compare across noisy machines.
#
#   NCP_BENCH_UI_ITEMS   items stored for the pages          [100000]
#   NCP_BENCH_UI_NOTES   timeline entries on the detail item [40]
#   NCP_BENCH_UI_N       requests per page (4 clients)       [400]
#   NCP_BENCH_TRACE      seconds of CPU samples of the Api (dotnet-trace) during each page row, into
#                        artifacts/bench/ui-<row>.nettrace; 0 = none [0]
set -euo pipefail

ROWS=${NCP_BENCH_UI_ITEMS:-100000}
NOTES=${NCP_BENCH_UI_NOTES:-40}
N=${NCP_BENCH_UI_N:-400}
PORT=${NCP_BENCH_PORT:-5093}
SCHEMA=api_bench_ui
BASE=http://127.0.0.1:$PORT
# shellcheck source=infra/bench/common.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/common.sh"

need_hey
bench_setup ui
start_api $SCHEMA "$PORT" "$OUT/api-ui.log"
JAR=$(mktemp)
at_exit 'rm -f "$JAR"'
api() { curl -fsS -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' "$@"; }

say "one real item with a timeline of $NOTES notes (the detail page's subject)"
NUMBER=$(api -X POST "$BASE/api/items" -d '{"kind":"request","partnerCode":"DE-CYBER247","subject":"Subscriber data for 203.0.113.7, Хасанов","crimeCategory":"internet-fraud","priority":"urgent","requestedData":["subscriber-data","traffic-data"],"dataPeriod":{"from":"2026-10-01","to":"2026-10-31"}}' \
  | sed 's/.*"registerNumber":"\([^"]*\)".*/\1/')
for i in $(seq 1 "$NOTES"); do
  api -X POST "$BASE/api/items/$NUMBER/notes" -d "{\"text\":\"Note $i: called the provider's liaison; logs for 203.0.113.7 are kept 90 days.\"}" >/dev/null
done

say "storing $ROWS items in the read model"
seed_items $SCHEMA "$ROWS"
STORED=$("${PSQL[@]}" -At -c "select count(*) from $SCHEMA.mt_doc_itemdetails")

say "signing in as the demo duty officer through the sign-in page (cookie session)"
ANTIFORGERY=$(curl -fsS -c "$JAR" "$BASE/sign-in" | sed -n 's/.*name="__RequestVerificationToken" value="\([^"]*\)".*/\1/p' | head -1)
curl -fsS -o /dev/null -b "$JAR" -c "$JAR" -X POST "$BASE/sign-in" \
  --data-urlencode "_handler=demo" --data-urlencode "__RequestVerificationToken=$ANTIFORGERY" --data-urlencode "Login=duty"
COOKIE=$(awk -F'\t' 'NF >= 7 { printf "%s%s=%s", sep, $6, $7; sep = "; " }' "$JAR")

# A page counts only if it is the real page with its data, not the sign-in page or an error.
check_page() { # path text
  local html
  html=$(curl -fsS -H "Cookie: $COOKIE" "$BASE$1")
  grep -qF "$2" <<<"$html" || { say "$1 does not show '$2'; see $OUT/ui-page.html"; printf '%s' "$html" >"$OUT/ui-page.html"; exit 1; }
}
NEWEST_SEEDED=$("${PSQL[@]}" -At -c "select register_number from $SCHEMA.mt_doc_itemdetails where register_number like 'KZ-NCP-2025-%' order by id desc limit 1")
check_page /items "$NUMBER"
check_page /items "$NEWEST_SEEDED"
check_page "/items/$NUMBER" "Note $NOTES:"

# The Api's CPU time (user + system, in clock ticks) so far: CPU per request holds steady when other work shares the
# machine, while latency does not.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$API_PID/stat"; }
run() { # name url header
  local csv=$OUT/ui-$1.csv before after
  hey -n 40 -c 4 -H "$3" "$2" >/dev/null
  # What one officer alone sees: the same request, one at a time.
  hey -o csv -n 40 -c 1 -H "$3" "$2" >"$OUT/ui-$1-alone.csv" || true
  local alone
  alone=$(percentiles "$OUT/ui-$1-alone.csv" | awk '{ print $3 }')
  [[ $1 == page-* ]] && trace_process "$API_PID" "$OUT/ui-$1.nettrace"
  before=$(cpu_ticks)
  hey -o csv -n "$N" -c 4 -H "$3" "$2" >"$csv" || true
  after=$(cpu_ticks)
  read -r n ok p50 p95 p99 max < <(percentiles "$csv")
  check_requests "$1" "$n" "$ok" $((N / 4 * 4))
  local alone_n alone_ok
  read -r alone_n alone_ok _ < <(percentiles "$OUT/ui-$1-alone.csv")
  check_requests "$1 (alone)" "$alone_n" "$alone_ok" 40
  printf '%-22s %9s %7d %7d %8s %8s %8s %8s %8.1f\n' "$1" "$alone" "$n" "$ok" "$p50" "$p95" "$p99" "$max" \
    "$(awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v n="$n" 'BEGIN { print t * 1000 / hz / n }')"
}

report "$STORED items in the read model; detail item $NUMBER with $NOTES notes; $N requests per row, 4 clients"
report ""
report "$(printf '%-22s %9s %7s %7s %8s %8s %8s %8s %8s' 'page / endpoint' 'alone p50' requests 2xx 'p50 ms' 'p95 ms' 'p99 ms' 'max ms' 'CPU ms')"
report "(alone: one request at a time, 40 of them; the rest: $N requests from 4 clients at once)"
declare -A PAGES=(
  [page-list-newest]="/items"
  [page-list-filtered]="/items?status=sent&partner=DE-CYBER247"
  [page-list-search]="/items?q=%D0%A5%D0%B0%D1%81%D0%B0%D0%BD%D0%BE%D0%B2"
  [page-detail]="/items/$NUMBER"
  [page-dashboard]="/"
  [api-list-newest]="/api/items?limit=50"
  [api-detail]="/api/items/$NUMBER"
)
for name in page-list-newest page-list-filtered page-list-search page-detail page-dashboard api-list-newest api-detail; do
  say "$name"
  if [[ $name == page-* ]]; then header="Cookie: $COOKIE"; else header="Authorization: Bearer $TOKEN"; fi
  report "$(run "$name" "$BASE${PAGES[$name]}" "$header")"
done

say "baseline: the list's own SQL with pgbench (4 clients, 10 s)"
cat >"$OUT/ui-list.sql" <<SQL
select data from $SCHEMA.mt_doc_itemdetails where channel = any('{TwentyFourSeven,Interpol,CisBkbop,Bilateral}') order by id desc limit 51;
SQL
SQL_MS=$(pgbench -n -f "$OUT/ui-list.sql" -c 4 -j 2 -T 10 ncp_test 2>/dev/null | sed -n 's/^latency average = \([0-9.]*\) ms/\1/p')
LIST_P50=$(awk '$1 == "page-list-newest" { print $2 }' "$REPORT")
DETAIL_P50=$(awk '$1 == "page-detail" { print $2 }' "$REPORT")
check_measured "the list's SQL (pgbench)" "$SQL_MS"
report ""
report "baseline: the list's SQL (51 rows, newest first) alone: ${SQL_MS} ms average under 4 clients"
report "one officer alone: list page p50 = $(awk -v a="$LIST_P50" -v b="$SQL_MS" 'BEGIN { printf "%.1f", a / b }') × the SQL; detail page p50 = $(awk -v a="$DETAIL_P50" -v b="$SQL_MS" 'BEGIN { printf "%.1f", a / b }') × the list SQL"
report ""
report "report: $REPORT"
drop_schema $SCHEMA
bench_verdict
