#!/usr/bin/env bash
# shellcheck disable=SC2154 # the connection settings come from .data/servers.env
# ./ncp bench items: registering and listing work items through HTTP, against the raw commit rate of the same
# PostgreSQL in the same run (pgbench -N), so the figures compare across noisy machines.
#
#   NCP_BENCH_ITEMS       requests in the full-speed run        [5000]
#   NCP_BENCH_CONCURRENCY clients in the full-speed run         [16]
#   NCP_BENCH_RATE_SECS   seconds of the 100 requests/s run     [20]
#   NCP_BENCH_LIST_ROWS   items stored for the list queries     [1000000]
set -euo pipefail

ITEMS=${NCP_BENCH_ITEMS:-5000}
CONCURRENCY=${NCP_BENCH_CONCURRENCY:-16}
RATE_SECS=${NCP_BENCH_RATE_SECS:-20}
LIST_ROWS=${NCP_BENCH_LIST_ROWS:-1000000}
PORT=${NCP_BENCH_PORT:-5090}
SCHEMA=api_bench
# shellcheck source=infra/bench/common.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/common.sh"

need_hey
bench_setup items
start_api $SCHEMA "$PORT" "$OUT/api.log"
BODY=$OUT/register.json
cat >"$BODY" <<'JSON'
{"kind":"request","partnerCode":"DE-CYBER247","subject":"Subscriber data for 203.0.113.7, Хасанов","crimeCategory":"internet-fraud","priority":"urgent","requestedData":["subscriber-data","traffic-data"],"dataPeriod":{"from":"2026-10-01","to":"2026-10-31"}}
JSON

say "warming up"
hey -n 300 -c 4 -m POST -T application/json -H "Authorization: Bearer $TOKEN" -D "$BODY" "http://127.0.0.1:$PORT/api/items" >/dev/null

report "$(printf '%-28s %7s %7s %9s %8s %8s %8s %8s' run requests 2xx 'req/s' 'p50 ms' 'p95 ms' 'p99 ms' 'max ms')"
say "registering $ITEMS items at full speed with $CONCURRENCY clients"
report "$(hey_run register-full-speed -n "$ITEMS" -c "$CONCURRENCY" -m POST -T application/json -H "Authorization: Bearer $TOKEN" -D "$BODY" "http://127.0.0.1:$PORT/api/items")"
say "registering at 100 requests/s for $RATE_SECS s"
report "$(hey_run register-at-100-per-s -z "${RATE_SECS}s" -c 10 -q 10 -m POST -T application/json -H "Authorization: Bearer $TOKEN" -D "$BODY" "http://127.0.0.1:$PORT/api/items")"

say "baseline: pgbench -N (the same PostgreSQL, no Ncp in between)"
TPS=$(pgbench_baseline "$CONCURRENCY")
FULL_RPS=$(awk '$1=="register-full-speed" {print $4}' "$REPORT")
check_measured "pgbench -N baseline" "$TPS"
report ""
report "pgbench -N, $CONCURRENCY clients, 15 s: ${TPS} transactions/s"
report "registering at full speed = $(awk -v a="$FULL_RPS" -v b="$TPS" 'BEGIN { printf "%.3f", a / b }') × the raw commit rate"

say "storing $LIST_ROWS items for the list queries (direct insert into the read model)"
seed_items $SCHEMA "$LIST_ROWS"
STORED=$("${PSQL[@]}" -At -c "select count(*) from $SCHEMA.mt_doc_itemdetails")
((STORED >= LIST_ROWS)) || figure_failed "list rows" "$STORED stored, $LIST_ROWS asked for"
report ""
report "list queries with $STORED items stored (4 clients, 400 requests each)"
report "$(printf '%-28s %7s %7s %9s %8s %8s %8s %8s' query requests 2xx 'req/s' 'p50 ms' 'p95 ms' 'p99 ms' 'max ms')"
# The deep page starts half-way down what was stored, whatever its size: the list's opaque `next` for the newest-first
# sort names the sort, its segment and the last row's id (Ncp.Api/Cases/Listing/ItemSort.cs, Token), in base64url.
MIDDLE=$("${PSQL[@]}" -At -c "select replace(id::text, '-', '') from $SCHEMA.mt_doc_itemdetails order by id desc offset $((STORED / 2)) limit 1")
[[ -n $MIDDLE ]] || figure_failed list-deep-page "no row half-way down the $STORED stored"
AFTER=$(printf 'newest|0|%s|' "$MIDDLE" | base64 -w0 | tr '+/' '-_' | tr -d '=')
report "list-deep-page starts after row $((STORED / 2)) of $STORED (newest first)"
declare -A QUERIES=(
  [list-newest]="limit=50"
  [list-status-sent]="status=sent&limit=50"
  [list-partner]="partner=DE-CYBER247&limit=50"
  [list-overdue]="overdue=true&limit=50"
  [list-channel-priority]="channel=interpol&priority=urgent&limit=50"
  [list-search-name]="q=hasanov%20ip&limit=50"
  [list-search-cyrillic]="q=%D0%A5%D0%B0%D1%81%D0%B0%D0%BD%D0%BE%D0%B2&limit=50"
  [list-deep-page]="after=$AFTER&limit=50"
  [list-newest-total]="limit=50&total=true"
  [list-status-sent-total]="status=sent&limit=50&total=true"
  [list-search-name-total]="q=hasanov%20ip&limit=50&total=true"
)
for name in list-newest list-status-sent list-partner list-overdue list-channel-priority list-search-name list-search-cyrillic list-deep-page \
  list-newest-total list-status-sent-total list-search-name-total; do
  say "$name"
  report "$(hey_run "$name" -n 400 -c 4 -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/items?${QUERIES[$name]}")"
done
say "dashboard"
report "$(hey_run dashboard -n 40 -c 4 -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/dashboard")"
report ""
report "report: $REPORT"
"${PSQL[@]}" -c "set client_min_messages = warning; drop schema if exists $SCHEMA cascade"
bench_verdict
