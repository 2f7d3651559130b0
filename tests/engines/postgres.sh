#!/usr/bin/env bash
# The PostgreSQL engine against a real server: installs Debian's
# `postgresql` if initdb/pg_ctl are missing, starts a throwaway server in a
# temporary folder on a free loopback port as an unprivileged user (with a
# SCRAM password, so logging in is tested too), loads specs/cx into the
# schema `cx`, runs the error cases and the conformance suite, and stops the
# server whatever happens.
# Usage: bash tests/engines/postgres.sh [path/to/yardstick]
set -euo pipefail
cd "$(dirname "$0")/../.."
BINARY=$(realpath "${1:-target/debug/yardstick}")

if ! command -v initdb >/dev/null || ! command -v pg_ctl >/dev/null; then
  found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$found" ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    found=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  fi
  PATH="$found:$PATH"
fi
python3 -m pip install --quiet --disable-pip-version-check "duckdb==2.0.0" "pyarrow==26.*"

# PostgreSQL refuses to run as root: the server runs as `nobody` when we are.
as_server() {
  if [ "$(id -u)" = 0 ]; then runuser -u nobody -- "$@"; else "$@"; fi
}

dir=$(mktemp -d)
chmod 755 "$dir"
[ "$(id -u)" = 0 ] && chown nobody "$dir"
password=$(python3 -c 'import secrets; print(secrets.token_hex(12))')
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
printf '%s\n' "$password" >"$dir/pwfile"
[ "$(id -u)" = 0 ] && chown nobody "$dir/pwfile"

stop() {
  as_server pg_ctl -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap stop EXIT

as_server initdb -D "$dir/data" -U yardstick --auth=scram-sha-256 --pwfile="$dir/pwfile" \
  --encoding=UTF8 --no-locale >/dev/null
as_server pg_ctl -D "$dir/data" -l "$dir/server.log" -w \
  -o "-p $port -k $dir -c listen_addresses=127.0.0.1" start >/dev/null

export PGHOST=127.0.0.1 PGPORT=$port PGUSER=yardstick PGDATABASE=postgres PGPASSWORD=$password
psql -X -q -c "CREATE DATABASE yardstick"
export PGDATABASE=yardstick
python3 tests/engines/load_postgres.py "$BINARY" specs/cx cx

url="postgres://yardstick:$password@127.0.0.1:$port/yardstick"
unset PGPASSWORD
python3 tests/engines/postgres_errors.py "$BINARY" "$url"
python3 tests/engines/conformance.py "$url" --binary "$BINARY" --schema cx
