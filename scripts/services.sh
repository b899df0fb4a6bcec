#!/usr/bin/env bash
# Throwaway PostgreSQL and Redis on free loopback ports, for tests and benchmarks.
# Usage: source scripts/services.sh; services_start; ...; services_stop
# Exports DATABASE_URL and REDIS_URL. Installs the Debian packages when missing (as root).

PG_BIN="${PG_BIN:-}"

_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

_apt_install() {
  # Install Debian packages that are missing; only root may, others get a clear message.
  local missing=()
  for pkg in "$@"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "Missing Debian packages: ${missing[*]}. Install them (sudo apt-get install ${missing[*]})." >&2
    return 1
  fi
  echo "Installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q "${missing[@]}" >/dev/null 2>&1 || {
    apt-get update -q >/dev/null && apt-get install -y -q "${missing[@]}" >/dev/null
  }
}

services_install() {
  _apt_install postgresql redis-server chromium fonts-dejavu-core clamav-daemon
}

_find_pg_bin() {
  if [ -n "$PG_BIN" ]; then return; fi
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  if [ -z "$PG_BIN" ]; then
    echo "PostgreSQL binaries not found under /usr/lib/postgresql" >&2
    return 1
  fi
}

_as_pg() {
  # PostgreSQL refuses to run as root: run its tools as the postgres user.
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

services_start() {
  _find_pg_bin || return 1
  SERVICES_DIR=$(mktemp -d /tmp/pplearn-services.XXXXXX)
  chmod 755 "$SERVICES_DIR"
  mkdir -p "$SERVICES_DIR/pg" "$SERVICES_DIR/redis"
  if [ "$(id -u)" -eq 0 ]; then chown postgres "$SERVICES_DIR/pg"; fi
  PG_PORT=$(_free_port)
  REDIS_PORT=$(_free_port)
  _as_pg "$PG_BIN/initdb" -D "$SERVICES_DIR/pg/data" --auth=trust -U postgres -E UTF8 \
    --locale=C.UTF-8 >"$SERVICES_DIR/initdb.log" 2>&1 || { cat "$SERVICES_DIR/initdb.log"; return 1; }
  _as_pg "$PG_BIN/pg_ctl" -D "$SERVICES_DIR/pg/data" -l "$SERVICES_DIR/pg/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $SERVICES_DIR/pg -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null || { cat "$SERVICES_DIR/pg/server.log"; return 1; }
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save '' --appendonly no --daemonize yes \
    --pidfile "$SERVICES_DIR/redis/redis.pid" --dir "$SERVICES_DIR/redis" \
    --logfile "$SERVICES_DIR/redis/redis.log" || return 1
  for _ in $(seq 50); do
    redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break
    sleep 0.1
  done
  "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres pplearn
  export DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/pplearn"
  export REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
  export SERVICES_DIR PG_PORT REDIS_PORT
  echo "PostgreSQL on 127.0.0.1:$PG_PORT, Redis on 127.0.0.1:$REDIS_PORT ($SERVICES_DIR)"
}

services_stop() {
  [ -n "${SERVICES_DIR:-}" ] || return 0
  if [ -f "$SERVICES_DIR/redis/redis.pid" ]; then
    kill "$(cat "$SERVICES_DIR/redis/redis.pid")" 2>/dev/null || true
  fi
  if [ -d "$SERVICES_DIR/pg/data" ]; then
    _as_pg "$PG_BIN/pg_ctl" -D "$SERVICES_DIR/pg/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$SERVICES_DIR"
  SERVICES_DIR=""
}
