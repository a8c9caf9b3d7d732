#!/bin/bash
# TEST STAND-IN for the official postgres image's docker-entrypoint.sh (see
# test-postgres.Containerfile): the part of its contract the dev overlay uses.
#   POSTGRES_PASSWORD  required (the official image's POSTGRES_HOST_AUTH_METHOD=trust is not offered)
#   POSTGRES_USER      the superuser initdb makes (default postgres)
#   POSTGRES_DB        a database made after initdb (default POSTGRES_USER)
#   PGDATA             the cluster's folder (default /var/lib/postgresql/data); initdb runs when it
#                      has no PG_VERSION, so a volume keeps its data across restarts
# Left out: /docker-entrypoint-initdb.d scripts, POSTGRES_INITDB_ARGS, *_FILE variables.
set -Eeuo pipefail

if [ "${1:0:1}" = '-' ]; then set -- postgres "$@"; fi
if [ "$1" != 'postgres' ]; then exec "$@"; fi

export PGDATA="${PGDATA:-/var/lib/postgresql/data}"
POSTGRES_USER="${POSTGRES_USER:-postgres}"
POSTGRES_DB="${POSTGRES_DB:-$POSTGRES_USER}"

# As root (no runAsUser): own the folders and run as postgres (999), as the official image does.
if [ "$(id -u)" = '0' ]; then
  mkdir -p "$PGDATA" /var/run/postgresql
  chown postgres:postgres "$PGDATA" /var/run/postgresql
  exec setpriv --reuid=postgres --regid=postgres --init-groups "${BASH_SOURCE[0]}" "$@"
fi

mkdir -p "$PGDATA"
chmod 0700 "$PGDATA"

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  if [ -z "${POSTGRES_PASSWORD:-}" ]; then
    echo 'error: the database is not initialised and POSTGRES_PASSWORD is not set' >&2
    exit 1
  fi
  initdb --username="$POSTGRES_USER" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD")
  {
    echo
    echo "listen_addresses = '*'"
  } >> "$PGDATA/postgresql.conf"
  {
    echo
    echo 'host all all all scram-sha-256'
  } >> "$PGDATA/pg_hba.conf"
  # Local socket only while the database is made (no client can connect over the network yet).
  pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start
  if [ "$POSTGRES_DB" != 'postgres' ]; then
    psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password --dbname postgres \
      --set db="$POSTGRES_DB" <<<'CREATE DATABASE :"db";'
  fi
  pg_ctl -D "$PGDATA" -m fast -w stop
  echo 'PostgreSQL init process complete; ready for start up.'
fi

exec "$@"
