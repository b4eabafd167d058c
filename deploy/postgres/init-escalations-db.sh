#!/bin/sh
# Runs once, when the postgres container initialises an empty data volume
# (/docker-entrypoint-initdb.d): the service's own database and role, apart from Temporal's, so
# the store can be backed up, restored and permissioned on its own.
set -eu

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
    -v password="$ESCALATIONS_DB_PASSWORD" <<'SQL'
CREATE ROLE escalations LOGIN PASSWORD :'password';
CREATE DATABASE escalations OWNER escalations;
SQL
