#!/bin/sh
# `pnpm start`: build what is not built yet (turbo's cache makes this instant after the first time), then
# replace this shell with the compiled server, so that pnpm's only child is the service and signals reach it.
# turbo's own lines are kept out of the terminal unless the build fails.
set -e
cd "$(dirname "$0")/.."
export TURBO_TELEMETRY_DISABLED=1 NEXT_TELEMETRY_DISABLED=1
mkdir -p .turbo
if ! pnpm exec turbo run build --filter=@blocklist/web --output-logs=errors-only > .turbo/start-build.log 2>&1; then
  cat .turbo/start-build.log >&2
  echo "pnpm start: the build failed (above)" >&2
  exit 1
fi
# Two malloc arenas instead of glibc's eight per core: memory freed by V8's and libuv's worker threads is returned
# instead of kept in arenas of their own (docs/BENCHMARKS.md: RSS after the run 394 -> 231 MB). glibc reads it
# when the process starts, so it is set here; a process manager running `node apps/web/dist/server.mjs` sets it too.
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
exec node apps/web/dist/server.mjs
