#!/usr/bin/env bash
# shellcheck disable=SC2154 # the connection settings come from .data/servers.env
# ./ncp bench timers: a Worker with a million pending wake-ups. Most are due next year (the load); a backlog is
# already overdue when the Worker starts (catch-up throughput); a steady stream falls due while it runs (lateness).
#
#   NCP_BENCH_TIMERS      pending wake-ups in all                 [1000000]
#   NCP_BENCH_BACKLOG     of them overdue when the Worker starts  [100000]
#   NCP_BENCH_STEADY      of them due while it runs               [100000]
#   NCP_BENCH_WINDOW      seconds over which the steady ones fall due [120]
set -euo pipefail

TOTAL=${NCP_BENCH_TIMERS:-1000000}
BACKLOG=${NCP_BENCH_BACKLOG:-100000}
STEADY=${NCP_BENCH_STEADY:-100000}
WINDOW=${NCP_BENCH_WINDOW:-120}
PORT=${NCP_BENCH_PORT:-5091}
SCHEMA=worker_bench
# shellcheck source=infra/bench/common.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/common.sh"
bench_setup timers

say "building (Release)"
dotnet build "$ROOT/Ncp.Worker" -c Release -nologo -v quiet -clp:ErrorsOnly >/dev/null
DLL=$ROOT/Ncp.Worker/bin/Release/net10.0/Ncp.Worker.dll
drop_schema $SCHEMA
export ConnectionStrings__Postgres="$ConnectionStrings__PostgresTest" WorkerDatabase__Schema=$SCHEMA
(cd "$ROOT/Ncp.Worker" && dotnet "$DLL" migrate >/dev/null)

FUTURE=$((TOTAL - BACKLOG - STEADY))
LEAD=$((30 + TOTAL / 40000)) # seconds for the load below and the Worker's start
say "loading $TOTAL wake-ups: $FUTURE next year, $BACKLOG overdue, $STEADY due over $WINDOW s starting in $LEAD s"
"${PSQL[@]}" <<SQL
create temporary table clock as select now() + interval '$LEAD seconds' as t0;
insert into $SCHEMA.timers (item_id, step, due_at, requested_at)
select md5('f' || i)::uuid, 'reply-by:100%', now() + interval '365 days' + i * interval '1 second', now() from generate_series(1, $FUTURE) i;
insert into $SCHEMA.timers (item_id, step, due_at, requested_at)
select md5('b' || i)::uuid, 'backlog', now() - interval '1 hour' + i * interval '1 millisecond', now() from generate_series(1, $BACKLOG) i;
insert into $SCHEMA.timers (item_id, step, due_at, requested_at)
select md5('s' || i)::uuid, 'steady', (select t0 from clock) + (i * $WINDOW::float / $STEADY) * interval '1 second', now()
from generate_series(1, $STEADY) i;
analyze $SCHEMA.timers;
SQL

say "starting the Worker"
STARTED=$(date +%s.%N)
(cd "$ROOT/Ncp.Worker" && exec dotnet "$DLL" --urls "http://127.0.0.1:$PORT") >"$OUT/worker.log" 2>&1 &
WORKER_PID=$!
trap 'kill $WORKER_PID 2>/dev/null; wait $WORKER_PID 2>/dev/null || true' EXIT
MAX_RSS=0
while :; do
  RSS=$(awk '/VmRSS/ { print $2 }' "/proc/$WORKER_PID/status" 2>/dev/null || echo 0)
  ((RSS > MAX_RSS)) && MAX_RSS=$RSS
  LEFT=$("${PSQL[@]}" -At -c "select count(*) from $SCHEMA.timers where step in ('backlog', 'steady') and fired_at is null")
  ((LEFT == 0)) && break
  kill -0 "$WORKER_PID" 2>/dev/null || { say "the Worker stopped; see $OUT/worker.log"; exit 1; }
  if (($(printf '%.0f' "$(awk -v a="$STARTED" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')") > LEAD + WINDOW + 600)); then
    figure_failed "wake-ups" "$LEFT of $((BACKLOG + STEADY)) due still unfired $((LEAD + WINDOW + 600)) s after the start"
    break
  fi
  sleep 1
done

report "$(printf '%-10s %9s %10s %10s %10s %10s %12s' set fired 'p50 ms' 'p99 ms' 'max ms' 'late>1s' 'per second')"
"${PSQL[@]}" -At -F ' ' -c "
  select step, count(*),
    round(percentile_cont(0.5) within group (order by extract(epoch from fired_at - due_at) * 1000)::numeric, 1),
    round(percentile_cont(0.99) within group (order by extract(epoch from fired_at - due_at) * 1000)::numeric, 1),
    round(max(extract(epoch from fired_at - due_at) * 1000)::numeric, 1),
    count(*) filter (where fired_at - due_at > interval '1 second'),
    round((count(*) / greatest(extract(epoch from max(fired_at) - min(fired_at)), 0.001))::numeric, 0)
  from $SCHEMA.timers where step in ('backlog', 'steady') and fired_at is not null group by step order by step" |
  while read -r step n p50 p99 max late rate; do
    # The backlog was overdue by design; only its catch-up rate means something.
    [[ $step == backlog ]] && p50=- p99=- max=- late=-
    report "$(printf '%-10s %9s %10s %10s %10s %10s %12s' "$step" "$n" "$p50" "$p99" "$max" "$late" "$rate")"
  done
for set in backlog steady; do
  FIRED=$("${PSQL[@]}" -At -c "select count(*) from $SCHEMA.timers where step = '$set' and fired_at is not null")
  WANTED=$([[ $set == backlog ]] && echo "$BACKLOG" || echo "$STEADY")
  ((FIRED == WANTED)) || figure_failed "$set" "$FIRED of $WANTED wake-ups fired"
done
report ""
report "pending wake-ups while running: $TOTAL; Worker peak memory (RSS): $((MAX_RSS / 1024)) MB"
report "steady: due while the Worker runs (lateness = fired - due); backlog: overdue at start ('per second' = catch-up rate)"
say "baseline: pgbench -N (the same PostgreSQL)"
TPS=$(pgbench_baseline 8)
check_measured "pgbench -N baseline" "$TPS"
report "pgbench -N, 8 clients, 15 s: $TPS transactions/s"
report ""
report "report: $REPORT"
drop_schema $SCHEMA
bench_verdict
