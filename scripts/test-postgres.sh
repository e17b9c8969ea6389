#!/usr/bin/env bash
# Throwaway PostgreSQL cluster on 127.0.0.1 for the test suite.
#
#   scripts/test-postgres.sh start   # (re)start; prints the SQLAlchemy URL on stdout
#   scripts/test-postgres.sh url     # print the URL of the running cluster
#   scripts/test-postgres.sh stop    # stop it and delete its data directory
#
# State (dir, port) lives in $LTCDESK_PG_STATE (default /tmp/ltcdesk-test-pg.state).
# `start` first stops a cluster left over from a previous `start`.
set -euo pipefail

STATE=${LTCDESK_PG_STATE:-/tmp/ltcdesk-test-pg.state}
DB_NAME=ltcdesk_test
FIRST_PORT=${LTCDESK_PG_PORT:-54329}

log() { echo "test-postgres: $*" >&2; }
die() { log "$*"; exit 1; }

is_root() { [[ $(id -u) -eq 0 ]]; }

find_bindir() {
    local d
    for d in /usr/lib/postgresql/15/bin $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -rV); do
        if [[ -x "$d/initdb" && -x "$d/pg_ctl" ]]; then
            echo "$d"
            return 0
        fi
    done
    return 1
}

ensure_server() {
    if ! BINDIR=$(find_bindir); then
        is_root || die "PostgreSQL server not installed. Run: sudo apt-get install -y --no-install-recommends postgresql"
        log "installing the postgresql package"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends postgresql </dev/null >&2
        BINDIR=$(find_bindir) || die "initdb still missing after installing postgresql"
    fi
    if is_root && ! id -u postgres >/dev/null 2>&1; then
        useradd --system --user-group --no-create-home --shell /usr/sbin/nologin postgres
    fi
}

# Run a server binary as the owner of the cluster (postgres refuses to run as root).
# Run from / so the postgres user never trips over an unreadable working directory.
as_owner() {
    if is_root; then (cd / && runuser -u postgres -- "$@"); else (cd / && "$@"); fi
}

# Read the state file (KEY=value lines) without sourcing it.
read_state() {
    [[ -f "$STATE" ]] || return 1
    [[ -O "$STATE" ]] || die "$STATE is not owned by $(id -un); refusing to use it"
    local key value
    while IFS='=' read -r key value; do
        case "$key" in
            PG_DIR) PG_DIR=$value ;;
            PG_PORT) PG_PORT=$value ;;
            PG_BINDIR) PG_BINDIR=$value ;;
        esac
    done <"$STATE"
}

port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

free_port() {
    local p
    for ((p = FIRST_PORT; p < FIRST_PORT + 100; p++)); do
        port_in_use "$p" || { echo "$p"; return 0; }
    done
    die "no free port in $FIRST_PORT..$((FIRST_PORT + 99))"
}

url() { echo "postgresql+psycopg://postgres@127.0.0.1:$1/$DB_NAME"; }

cmd_stop() {
    local PG_DIR="" PG_PORT="" PG_BINDIR=""
    read_state || return 0
    if [[ -n "$PG_DIR" && -d "$PG_DIR" ]]; then
        if [[ -f "$PG_DIR/data/postmaster.pid" && -x "$PG_BINDIR/pg_ctl" ]]; then
            as_owner "$PG_BINDIR/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1 ||
                log "pg_ctl stop failed for $PG_DIR (already gone?)"
        fi
        case "$PG_DIR" in /tmp/ltcdesk-pg-*) rm -rf "$PG_DIR" ;; esac
    fi
    rm -f "$STATE"
}

cmd_start() {
    cmd_stop   # stale cluster from an earlier start
    ensure_server

    local dir port
    dir=$(mktemp -d /tmp/ltcdesk-pg-XXXXXX)
    chmod 755 "$dir"
    is_root && chown postgres: "$dir"
    port=$(free_port)
    # Record state before anything can fail, so `stop` always cleans up.
    printf 'PG_DIR=%s\nPG_PORT=%s\nPG_BINDIR=%s\n' "$dir" "$port" "$BINDIR" >"$STATE"

    as_owner "$BINDIR/initdb" -D "$dir/data" -A trust -U postgres --no-sync -E UTF8 \
        --locale=C >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
    as_owner "$BINDIR/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        start >/dev/null || { cat "$dir/server.log" >&2; die "pg_ctl start failed"; }
    as_owner "$BINDIR/createdb" -h 127.0.0.1 -p "$port" -U postgres "$DB_NAME"
    log "PostgreSQL $("$BINDIR/pg_ctl" --version | awk '{print $3}') on 127.0.0.1:$port ($dir)"
    url "$port"
}

cmd_url() {
    local PG_DIR="" PG_PORT="" PG_BINDIR=""
    read_state || die "not running (no $STATE)"
    url "$PG_PORT"
}

case "${1:-}" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    url) cmd_url ;;
    *) echo "usage: $0 start|stop|url" >&2; exit 2 ;;
esac
