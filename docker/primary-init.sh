#!/bin/sh
# Run once by the postgres image when the primary's volume is first initialised
# (/docker-entrypoint-initdb.d): the role replicas stream with, allowed to connect for
# replication over the compose network. The image restarts the server afterwards, which reads
# the pg_hba.conf line.
set -e
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -c "CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD '$REPLICATION_PASSWORD'"
echo "host replication replicator all scram-sha-256" >> "$PGDATA/pg_hba.conf"
