# shellcheck shell=bash
# shellcheck disable=SC2154 # the connection settings come from .data/servers.env
# Shared by the benchmarks: servers, settings, psql, the report file and the same-run PostgreSQL baseline.

ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd)
OUT=$ROOT/artifacts/bench
mkdir -p "$OUT"

say() { printf 'bench: %s\n' "$*" >&2; }
report() { printf '%s\n' "$*" | tee -a "$REPORT"; }

bench_setup() { # name
  REPORT=$OUT/$1-$(date -u +%Y%m%dT%H%M%SZ).txt
  "$ROOT/infra/servers.sh" start >&2
  # shellcheck disable=SC1091
  source "$ROOT/.data/servers.env"
  export PGHOST=127.0.0.1 PGPORT=$NCP_PG_PORT PGUSER=ncp PGPASSWORD=$NCP_PG_PASSWORD
  PSQL=(psql -X -q -v ON_ERROR_STOP=1 -d ncp_test)
  export ASPNETCORE_ENVIRONMENT=Development Logging__LogLevel__Default=Warning
  export RabbitMq__VirtualHost=$RabbitMq__TestVirtualHost RabbitMq__Prefix=bench
  report "Ncp bench $1 — $(date -u +%FT%TZ) on $(nproc) cores, $(hostname)"
  report ""
}

drop_schema() { "${PSQL[@]}" -c "set client_min_messages = warning; drop schema if exists $1 cascade"; }

# Same-run baseline: PostgreSQL's raw commit rate with pgbench -N, so ratios compare across noisy machines.
pgbench_baseline() { # clients → prints transactions/s
  drop_schema pgbench_baseline
  "${PSQL[@]}" -c "create schema pgbench_baseline"
  PGOPTIONS="-c search_path=pgbench_baseline" pgbench -q -i -s 10 ncp_test >/dev/null 2>&1
  PGOPTIONS="-c search_path=pgbench_baseline" pgbench -N -c "$1" -j 2 -T 15 ncp_test 2>/dev/null | sed -n 's/^tps = \([0-9.]*\).*/\1/p' | head -1
  drop_schema pgbench_baseline
}

wait_http() { # url
  for _ in $(seq 1 120); do
    curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
    sleep 0.5
  done
  say "no answer from $1"
  return 1
}
