#!/usr/bin/env bash
# A real PostgreSQL streaming replica of the machine's local primary, on another port (issue 18).
#
#   scripts/pg_replica.sh start    # pg_basebackup -R of the primary into $PG_REPLICA_DIR, then start it
#   scripts/pg_replica.sh stop     # stop that server (by the PID in its own postmaster.pid), remove the dir
#   scripts/pg_replica.sh status   # "running <port> <pid>" (exit 0) or "stopped" (exit 1)
#
# Environment: PG_PRIMARY_HOST (127.0.0.1), PG_PRIMARY_PORT (5432), PG_PRIMARY_USER (postgres),
# PG_REPLICA_PORT (5433), PG_REPLICA_DIR (/tmp/pg_replica_<port>).
# The primary must have wal_level=replica (or logical) and max_wal_senders > 0 (PostgreSQL's defaults).
# If the primary refuses replication connections from 127.0.0.1, a line
#   host replication <user> 127.0.0.1/32 trust
# is appended to its pg_hba.conf and the configuration reloaded (the machine's local, trust-only setup).
# Run as root, the server runs as the postgres OS user (PostgreSQL refuses to run as root).
# Then: DATABASE_REPLICA_URLS=postgres://postgres@127.0.0.1:5433/<db> (README, "Read replicas").
set -euo pipefail

PRIMARY_HOST="${PG_PRIMARY_HOST:-127.0.0.1}"
PRIMARY_PORT="${PG_PRIMARY_PORT:-5432}"
PRIMARY_USER="${PG_PRIMARY_USER:-postgres}"
PORT="${PG_REPLICA_PORT:-5433}"
DIR="${PG_REPLICA_DIR:-/tmp/pg_replica_${PORT}}"
MARKER="$DIR/.pg_replica_sh"   # only a directory this script made is ever removed

say() { echo "pg_replica: $*" >&2; }
die() { say "$*"; exit 1; }

primary_sql() { psql -X -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U "$PRIMARY_USER" -d postgres -Atc "$1"; }

as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

bindir() {
  local major
  major="$(primary_sql "SHOW server_version_num" | cut -c1-2)"
  [ -x "/usr/lib/postgresql/$major/bin/pg_ctl" ] || die "no PostgreSQL $major binaries in /usr/lib/postgresql/$major/bin"
  echo "/usr/lib/postgresql/$major/bin"
}

# The PID of our server, if it is running: the first line of its postmaster.pid, alive, and a postgres
# process started on this very data directory.
our_pid() {
  [ -f "$DIR/postmaster.pid" ] || return 1
  local pid
  pid="$(head -n1 "$DIR/postmaster.pid")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$DIR" || return 1
  echo "$pid"
}

ensure_replication_allowed() {
  if psql -X "host=$PRIMARY_HOST port=$PRIMARY_PORT user=$PRIMARY_USER replication=true" -c "IDENTIFY_SYSTEM" >/dev/null 2>&1; then
    return 0
  fi
  local hba
  hba="$(primary_sql "SHOW hba_file")"
  [ -w "$hba" ] || die "the primary refuses replication from $PRIMARY_HOST and $hba is not writable"
  say "allowing replication from 127.0.0.1 in $hba"
  printf '\n# added by scripts/pg_replica.sh (streaming replica for tests and benchmarks)\nhost replication %s 127.0.0.1/32 trust\n' \
    "$PRIMARY_USER" >>"$hba"
  primary_sql "SELECT pg_reload_conf()" >/dev/null
  sleep 1
  psql -X "host=$PRIMARY_HOST port=$PRIMARY_PORT user=$PRIMARY_USER replication=true" -c "IDENTIFY_SYSTEM" >/dev/null \
    || die "replication connections are still refused after editing $hba"
}

start() {
  local pid
  if pid="$(our_pid)"; then
    say "already running on port $PORT (pid $pid)"
    echo "running $PORT $pid"
    return 0
  fi
  pg_isready -q -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" || die "the primary $PRIMARY_HOST:$PRIMARY_PORT is not accepting connections"
  if pg_isready -q -h 127.0.0.1 -p "$PORT"; then die "port $PORT is taken by another server"; fi
  local wal_level senders
  wal_level="$(primary_sql "SHOW wal_level")"
  senders="$(primary_sql "SHOW max_wal_senders")"
  [ "$wal_level" != minimal ] && [ "$senders" -gt 0 ] \
    || die "the primary needs wal_level=replica and max_wal_senders>0 (has $wal_level, $senders): a restart is needed"
  ensure_replication_allowed
  local bin
  bin="$(bindir)"

  if [ -e "$DIR" ]; then
    [ -f "$MARKER" ] || die "$DIR exists and was not made by this script; set PG_REPLICA_DIR"
    rm -rf "$DIR"
  fi
  mkdir -p "$DIR"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$DIR"
  chmod 700 "$DIR"
  say "base backup of $PRIMARY_HOST:$PRIMARY_PORT into $DIR"
  as_pg "$bin/pg_basebackup" -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U "$PRIMARY_USER" -D "$DIR" \
    -R -X stream -c fast --no-password --no-sync
  as_pg touch "$MARKER"

  # Debian keeps postgresql.conf and pg_hba.conf in /etc, so the backup has neither: the standby's own.
  # Settings a hot standby needs at least as high as the primary's are copied from it.
  local same
  same="$(primary_sql "SELECT string_agg(name || ' = ' || setting, E'\n') FROM pg_settings WHERE name IN
    ('max_connections','max_worker_processes','max_wal_senders','max_prepared_transactions',
     'max_locks_per_transaction')")"
  as_pg tee "$DIR/postgresql.conf" >/dev/null <<EOF
# written by scripts/pg_replica.sh: a hot standby of $PRIMARY_HOST:$PRIMARY_PORT
port = $PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$DIR'
hot_standby = on
hot_standby_feedback = on
shared_buffers = 32MB
# A throw-away copy for tests and benchmarks: no waiting for the disk (a crash means a new base backup).
fsync = off
$same
EOF
  as_pg tee "$DIR/pg_hba.conf" >/dev/null <<EOF
local all all trust
host all all 127.0.0.1/32 trust
EOF
  as_pg touch "$DIR/pg_ident.conf"
  [ -f "$DIR/standby.signal" ] || die "pg_basebackup -R wrote no standby.signal"

  say "starting the standby on port $PORT"
  as_pg "$bin/pg_ctl" -D "$DIR" -l "$DIR/server.log" -W -o "-c config_file=$DIR/postgresql.conf" start >/dev/null \
    || { tail -n 20 "$DIR/server.log" >&2 || true; die "the standby did not start"; }
  # A hot standby opens for reads once it has a complete picture of the primary's running transactions:
  # a transaction on the primary with more than 64 subtransactions (savepoints) open delays that until
  # it ends (PostgreSQL's "subxid overflow"). Wait up to PG_REPLICA_WAIT seconds.
  local waited=0 limit="${PG_REPLICA_WAIT:-180}"
  while [ "$waited" -lt $((limit * 2)) ]; do
    if [ "$(psql -X -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -Atc "SELECT pg_is_in_recovery()" 2>/dev/null)" = t ]; then
      pid="$(our_pid)" || die "the standby started but its PID is not found"
      say "streaming replica running on 127.0.0.1:$PORT (pid $pid)"
      echo "running $PORT $pid"
      return 0
    fi
    if [ "$waited" -gt 20 ] && ! our_pid >/dev/null; then
      tail -n 20 "$DIR/server.log" >&2 || true
      die "the standby exited"
    fi
    sleep 0.5
    waited=$((waited + 1))
  done
  say "the standby on port $PORT did not open for reads within ${limit} s; the primary's oldest open transactions:"
  primary_sql "SELECT pid, datname, state, xact_start FROM pg_stat_activity WHERE xact_start IS NOT NULL
               ORDER BY xact_start LIMIT 5" >&2 || true
  tail -n 5 "$DIR/server.log" >&2 || true
  stop
  exit 1
}

stop() {
  local pid
  if pid="$(our_pid)"; then
    say "stopping the standby on port $PORT (pid $pid)"
    kill -INT "$pid"   # PostgreSQL's "fast" shutdown, to this server only
    for _ in $(seq 1 60); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.5
    done
    ! kill -0 "$pid" 2>/dev/null || die "pid $pid did not stop within 30 s"
  else
    say "not running"
  fi
  if [ -e "$DIR" ] && [ -f "$MARKER" ]; then rm -rf "$DIR"; fi
}

status() {
  local pid
  if pid="$(our_pid)"; then echo "running $PORT $pid"; else echo stopped; return 1; fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
