#!/usr/bin/env bash
# A throwaway PostgreSQL server for the real-database migration tests.
#
#   scripts/postgres.sh start <dir>   initializes a cluster in <dir> and starts it; prints the connection
#                                     as KEY=VALUE lines (PGBIN, PGHOST, PGPORT, PGUSER, PGDATABASE)
#   scripts/postgres.sh stop <dir>    stops that server and removes <dir>
#
# The server listens on a Unix socket inside <dir> and on 127.0.0.1 at a free port, trusts local
# connections, and keeps nothing after `stop`. When no PostgreSQL server binaries are installed, `start`
# installs the Debian/Ubuntu packages with apt-get (non-interactively; through `sudo -n` when not root).
# initdb refuses to run as root, so as root the server runs as the `postgres` user the package creates.
# Any failure exits non-zero with the reason on stderr: the tests that call this fail, they never skip.
set -euo pipefail

die() { echo "postgres.sh: $*" >&2; exit 1; }

find_bindir() {
  local dir
  # Newest server first: /usr/lib/postgresql/<major>/bin is where the Debian packages put them.
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -n -r); do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && [ -x "$dir/psql" ]; then echo "$dir"; return 0; fi
  done
  if command -v pg_config >/dev/null 2>&1; then
    dir=$(pg_config --bindir)
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && [ -x "$dir/psql" ]; then echo "$dir"; return 0; fi
  fi
  return 1
}

install_packages() {
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "PostgreSQL is not installed and there is no sudo to install it"
    sudo=(sudo -n)
  fi
  echo "postgres.sh: installing PostgreSQL with apt-get" >&2
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 \
    || die "apt-get update failed"
  # The package's own cluster is not wanted: do not let the install create or start one.
  "${sudo[@]}" mkdir -p /etc/postgresql-common/createcluster.d
  echo "create_main_cluster = false" | "${sudo[@]}" tee /etc/postgresql-common/createcluster.d/no-main.conf >/dev/null
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql postgresql-client >&2 \
    || die "apt-get install postgresql failed"
}

free_port() {
  local port
  for _ in $(seq 1 50); do
    port=$(( 20000 + RANDOM % 40000 ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return 0; fi
  done
  die "no free TCP port found"
}

# Runs a server binary as a user initdb accepts.
as_server_user() {
  if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || die "running as root and there is no 'postgres' user to run the server as"
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

start() {
  local dir=$1 bindir port
  bindir=$(find_bindir) || { install_packages; bindir=$(find_bindir) || die "PostgreSQL server binaries not found after installing"; }
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  [ -e "$dir/data" ] && die "$dir/data already exists"
  mkdir -p "$dir/socket"
  if [ "$(id -u)" -eq 0 ]; then
    chown -R postgres "$dir"; chmod 755 "$dir"
    runuser -u postgres -- test -x "$dir" || die "the postgres user cannot reach $dir (a parent directory is private to root)"
  fi
  port=$(free_port)
  as_server_user "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C --no-sync >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
  as_server_user "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir/socket -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >&2 || { cat "$dir/server.log" >&2 || true; die "the server did not start"; }
  echo "$bindir" >"$dir/bindir"
  echo "PGBIN=$bindir"
  echo "PGHOST=$dir/socket"
  echo "PGPORT=$port"
  echo "PGUSER=postgres"
  echo "PGDATABASE=postgres"
}

stop() {
  local dir=$1
  [ -d "$dir" ] || return 0
  if [ -f "$dir/bindir" ] && [ -d "$dir/data" ]; then
    as_server_user "$(cat "$dir/bindir")/pg_ctl" -D "$dir/data" -m immediate -w stop >&2 || true
  fi
  rm -rf "$dir"
}

case "${1:-}" in
  start) [ $# -eq 2 ] || die "usage: $0 start <dir>"; start "$2" ;;
  stop) [ $# -eq 2 ] || die "usage: $0 stop <dir>"; stop "$2" ;;
  *) die "usage: $0 start|stop <dir>" ;;
esac
