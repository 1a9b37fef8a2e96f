#!/usr/bin/env bash
# What a 30-day usage report costs a busy tenant, summing the ledger (before migration 27) and reading the
# hourly totals (after): 300,000 calls over 30 days are entered for one tenant (load.sql, the triggers off
# for speed, then the totals filled as migration 27 fills them), and the report by day runs five times each
# way as the runtime role under row-level security (report.sql). Use a scratch platform home, for example:
#   export AGENT_PLATFORM_HOME=/tmp/usage-bench; export $(agentctl db start)
#   bench/usage/run.sh "$ADMIN_DATABASE_URL" "$DATABASE_URL" "$(agentctl users create --email usage@example.test | tail -1)"
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
admin=$1 runtime=$2 user=$3
psql=$(ls /usr/lib/postgresql/*/bin/psql | tail -1)
"$psql" -q -v user="$user" -f "$here/load.sql" "$admin" | grep -E '^Time' | sed -n '2s/^/calls entered: /p;4s/^/totals filled: /p'
"$psql" -q -v user="$user" -f "$here/report.sql" "$runtime" | grep -E '^(summing|reading|Time)' | head -12
