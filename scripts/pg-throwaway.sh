#!/usr/bin/env bash
# A throwaway PostgreSQL server for tests: a fresh cluster in a temp dir on a spare port,
# trust auth on 127.0.0.1 only, durability off (it is thrown away).
#   eval "$(scripts/pg-throwaway.sh start)"   # exports PGTMP, PGPORT_TEST, TEST_PG_URL
#   scripts/pg-throwaway.sh stop "$PGTMP"
# PG_THROWAWAY_OPTS adds server options, e.g. "-c shared_preload_libraries=pg_stat_statements".
set -euo pipefail

pg_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [[ -z "$dir" || ! -x "$dir/initdb" ]]; then
    echo "PostgreSQL server binaries not found; installing Debian's postgresql package" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2 && apt-get install -y -qq postgresql >&2
    dir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  fi
  echo "$dir"
}

as_pg() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-}" in
  start)
    BIN=$(pg_bin)
    PORT=${2:-$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')}
    DIR=$(mktemp -d /tmp/tandem-pg.XXXXXX)
    [[ $(id -u) -eq 0 ]] && chown postgres:postgres "$DIR"
    cd /
    as_pg "$BIN/initdb" -D "$DIR/data" -U postgres -A trust --no-sync -E UTF8 --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1 ||
      { cat "$DIR/initdb.log" >&2; exit 1; }
    as_pg "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 30 \
      -o "-k $DIR -p $PORT -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 ${PG_THROWAWAY_OPTS:-}" \
      start >/dev/null || { cat "$DIR/server.log" >&2; exit 1; }
    echo "export PGTMP=$DIR PGPORT_TEST=$PORT TEST_PG_URL=postgres://postgres@127.0.0.1:$PORT/postgres"
    ;;
  stop)
    DIR=${2:?usage: pg-throwaway.sh stop DIR}
    BIN=$(pg_bin)
    cd /
    as_pg "$BIN/pg_ctl" -D "$DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$DIR"
    ;;
  *)
    echo "usage: $0 start [PORT] | stop DIR" >&2
    exit 2
    ;;
esac
