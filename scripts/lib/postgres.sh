# Sourced by scripts/test and scripts/bench: starts a throwaway PostgreSQL
# cluster on a free 127.0.0.1 port, exports PRINTFARM_PG_URL, and stops and deletes it when the script exits.

. "$(dirname "${BASH_SOURCE[0]}")/packages.sh"

start_postgres() {
  local bindir port pg_user pgdata
  bindir=$(pg_bindir)
  pgdata=$(mktemp -d /tmp/printfarm-pg.XXXXXX)
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  pg_user=$(id -un)
  PG_RUN=()
  if [ "$(id -u)" -eq 0 ]; then
    # PostgreSQL refuses to run as root; use its own system user.
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    chown postgres "$pgdata"
    pg_user=postgres
    PG_RUN=(runuser -u postgres --)
  fi
  PG_BINDIR=$bindir
  PG_DATA=$pgdata
  trap stop_postgres EXIT
  "${PG_RUN[@]}" "$bindir/initdb" -D "$pgdata/data" -U "$pg_user" --auth=trust -E UTF8 >/dev/null
  "${PG_RUN[@]}" "$bindir/pg_ctl" -D "$pgdata/data" -l "$pgdata/log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $pgdata -c max_connections=300" start >/dev/null
  "${PG_RUN[@]}" "$bindir/createdb" -h 127.0.0.1 -p "$port" -U "$pg_user" printfarm
  export PRINTFARM_PG_URL="postgres://$pg_user@127.0.0.1:$port/printfarm"
  log "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
}

stop_postgres() {
  [ -n "${PG_DATA:-}" ] || return 0
  "${PG_RUN[@]}" "$PG_BINDIR/pg_ctl" -D "$PG_DATA/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PG_DATA"
}
