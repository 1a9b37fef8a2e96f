#!/usr/bin/env bash
# What a 30-day usage report costs a busy tenant, summing the ledger (before migration 27) and reading the
# hourly totals (after). On a scratch platform home, the schema goes back to migration 26, 300,000 calls
# over 30 days are entered for one tenant (load.sql, the triggers off for speed), migration 27 is applied
# again (filling the totals, timed), and the report by day runs five times each way as the runtime role
# under row-level security (report.sql). For example:
#   export AGENT_PLATFORM_HOME=/tmp/usage-bench; export $(agentctl db start)
#   bench/usage/run.sh "$(agentctl users create --email usage@example.test | tail -1)"
# (AGENTCTL names the binary where `agentctl` is not on the PATH.)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
user=$1
agentctl=${AGENTCTL:-agentctl}
psql=$(ls /usr/lib/postgresql/*/bin/psql | tail -1)
"$agentctl" migrate down --to 26 > /dev/null
"$psql" -q -v user="$user" -f "$here/load.sql" "$ADMIN_DATABASE_URL" | grep -E '^Time' | sed -n '2s/^Time: /calls entered: /p'
start=$(date +%s%N)
"$agentctl" migrate up > /dev/null
echo "migration 27 applied (the totals filled): $(( ($(date +%s%N) - start) / 1000000 )) ms"
"$psql" -q -v user="$user" -f "$here/report.sql" "$DATABASE_URL" | grep -E '^(summing|reading|Time)' | head -12
