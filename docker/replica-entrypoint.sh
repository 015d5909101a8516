#!/bin/sh
# A streaming replica of the primary: on an empty volume, a copy of the primary made with
# `pg_basebackup -R`, which also writes standby.signal and how to reach the primary; then the
# image's own entrypoint starts PostgreSQL, which replays the primary's WAL as a hot standby.
# A replica volume already holding a copy starts from it and catches up.
set -eu
if [ ! -s "$PGDATA/PG_VERSION" ]; then
    until pg_isready -q -h "$PRIMARY_HOST" -p 5432; do
        echo "waiting for the primary $PRIMARY_HOST"
        sleep 1
    done
    mkdir -p "$PGDATA"
    chown postgres:postgres "$PGDATA"
    chmod 0700 "$PGDATA"
    PGPASSWORD="$REPLICATION_PASSWORD" gosu postgres pg_basebackup -h "$PRIMARY_HOST" \
        -p 5432 -U replicator -D "$PGDATA" -R -X stream --checkpoint=fast
fi
exec docker-entrypoint.sh postgres
