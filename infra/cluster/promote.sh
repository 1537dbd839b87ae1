#!/usr/bin/env bash
# Failover of the cluster's PostgreSQL: the standby becomes the primary (the old primary, if it still runs, is stopped
# first, so there are never two). The Api and Worker instances need nothing: their connection string names both nodes
# with Target Session Attributes=primary, so Npgsql's next connection goes to whichever accepts writes.
# The old primary comes back as the new one's standby with: infra/cluster/postgres-standby.sh start (pg_rewind).
exec "$(dirname -- "${BASH_SOURCE[0]}")/postgres-standby.sh" promote
