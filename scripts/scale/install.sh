#!/usr/bin/env bash
# `pnpm test:scale` needs Debian's PostgreSQL (a primary and a streaming replica), PgBouncer and HAProxy: install
# whichever is missing (as root, or through sudo), as .ci/run does for the test suite's packages. Their own
# services must not start (nor hold their ports): the scale run starts its own, on free ports.
set -euo pipefail

missing=()
compgen -G "/usr/lib/postgresql/*/bin/pg_basebackup" >/dev/null || [ -n "${PG_BINDIR:-}" ] || missing+=(postgresql)
[ -x "${PGBOUNCER_PATH:-/usr/sbin/pgbouncer}" ] || command -v pgbouncer >/dev/null 2>&1 || missing+=(pgbouncer)
[ -x "${HAPROXY_PATH:-/usr/sbin/haproxy}" ] || command -v haproxy >/dev/null 2>&1 || missing+=(haproxy)
[ "${#missing[@]}" -eq 0 ] && exit 0

echo "Installing ${missing[*]}"
as_root=()
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "${missing[*]} missing, and installing needs root or sudo" >&2
    exit 1
  fi
  as_root=(sudo)
fi
"${as_root[@]}" apt-get update
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 apt-get install -y "${missing[@]}"
for service in postgresql pgbouncer haproxy; do
  if [[ " ${missing[*]} " == *" $service "* ]]; then
    "${as_root[@]}" sh -c "service $service stop; update-rc.d $service disable; systemctl disable --now $service" \
      >/dev/null 2>&1 || true
  fi
done
