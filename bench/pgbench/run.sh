#!/usr/bin/env bash
# The seed baseline's mix with pgbench (a C client, so the figures are the server's side alone), on the
# database `agentctl bench rls` loads. Separates what the tenant's extra statement costs from what the
# policies cost:
#   explicit                      BEGIN; 3 queries with WHERE user_id = ...; COMMIT   (administrator, RLS off)
#   explicit_plus_one_statement   the same plus one trivial statement                 (administrator, RLS off)
#   rls_set_config                BEGIN; SELECT set_config(...); 3 queries; COMMIT    (runtime role, RLS on)
#   rls_set_local                 BEGIN; SET LOCAL app.current_user_id = ...; ...     (runtime role, RLS on)
#   rls_first_statement           BEGIN; first query through a function that sets the tenant, then queries;
#                                 2 queries; COMMIT: as many statements as explicit    (runtime role, RLS on)
#   rls_first_statement_sql       the same through a two-statement SQL-language function (runtime role, RLS on)
#   explicit_single_statements    the 3 queries, no transaction block                  (administrator, RLS off)
#   rls_single_statements         3 functions that each set the tenant, then query;
#                                 no transaction block                                 (runtime role, RLS on)
# The functions (tenant_functions.sql) are loaded into the benchmark database first; they are not schema.
# usage: run.sh ADMIN_URL RUNTIME_URL [seconds]   (URLs of database agent_platform_bench_rls)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
admin=$1 runtime=$2 secs=${3:-10}
pgbench=$(ls /usr/lib/postgresql/*/bin/pgbench | tail -1)
psql=$(dirname "$pgbench")/psql
"$psql" -q -f "$here/tenant_functions.sql" "$admin"
for mix in explicit explicit_plus_one_statement rls_set_config rls_set_local rls_first_statement rls_first_statement_sql \
    explicit_single_statements rls_single_statements; do
    url=$admin; [[ $mix == rls* ]] && url=$runtime
    echo "$mix $("$pgbench" -n -c 4 -j 2 -T "$secs" -f "$here/$mix.sql" "$url" | sed -n 's/^tps = \([0-9.]*\).*/tps=\1/p')"
done
