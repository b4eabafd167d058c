#!/bin/sh
# One-shot job (temporalio/admin-tools): create and migrate Temporal's two PostgreSQL databases.
# Every step is idempotent (create ignores an existing database, setup-schema skips a schema past
# 0.0, update-schema applies only newer versions), so it runs on every `docker compose up` and a
# newer admin-tools image upgrades the schema before the newer server starts.
# The password comes from SQL_PASSWORD in the environment, not from the command line.
set -eu

tool() {
    temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "${DB_PORT:-5432}" \
        -u "$POSTGRES_USER" "$@"
}

for pair in temporal:temporal temporal_visibility:visibility; do
    db=${pair%%:*}
    schema=${pair#*:}
    echo "schema: $db"
    tool --db "$db" create
    tool --db "$db" setup-schema -v 0.0
    tool --db "$db" update-schema -d "/etc/temporal/schema/postgresql/v12/$schema/versioned"
done
echo "schema: done"
