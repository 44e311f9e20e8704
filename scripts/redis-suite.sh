#!/usr/bin/env bash
# Run units of Redis 7.0's own test suite (its tcl tests, external-server mode) against Cairn.
#
#   npm run build && bash scripts/redis-suite.sh unit/type/list unit/bitops ...
#   TARGET=redis bash scripts/redis-suite.sh unit/type/list     # the same against redis-server
#
# The suite comes from Debian's source package of redis (the version redis-server is), fetched
# once into $REDIS_SUITE_DIR (default: <tmpdir>/cairn-redis-suite) with `apt-get source`, which
# needs a deb-src line in the apt sources (e.g. "Types: deb deb-src" in
# /etc/apt/sources.list.d/debian.sources, then apt-get update). Needs tclsh (package tcl).
# Each unit runs against a fresh server on a free port; prints each unit's non-ok lines and a
# summary line. Not part of `npm test`: the units take minutes and some need features Cairn
# does not have (replication, MIGRATE across servers); see docs/ARCHITECTURE.md#testing.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BASE=${REDIS_SUITE_DIR:-${TMPDIR:-/tmp}/cairn-redis-suite}
if [ $# -eq 0 ]; then
  echo "usage: bash scripts/redis-suite.sh UNIT... (e.g. unit/type/hash)" >&2
  exit 2
fi
command -v tclsh >/dev/null || { echo "tclsh is missing: apt-get install tcl" >&2; exit 1; }
SRC=$(ls -d "$BASE"/redis-*/ 2>/dev/null | head -1)
if [ -z "$SRC" ]; then
  mkdir -p "$BASE"
  (cd "$BASE" && apt-get source -qq --download-only redis >/dev/null 2>&1) || {
    echo "cannot fetch redis's source package: enable deb-src in the apt sources and run apt-get update" >&2
    exit 1
  }
  (cd "$BASE" && tar xzf redis_*.orig.tar.gz)
  SRC=$(ls -d "$BASE"/redis-*/ | head -1)
fi
status=0
for UNIT in "$@"; do
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/cairn-suite-XXXXXX")
  cp -r "$SRC/tests" "$SRC/runtest" "$WORK/"
  mkdir -p "$WORK/src"
  for b in redis-server redis-cli redis-benchmark; do ln -s "$(command -v $b)" "$WORK/src/$b"; done
  PORT=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
  if [ "${TARGET:-cairn}" = redis ]; then
    redis-server --port "$PORT" --save '' --dir "$WORK" --enable-debug-command yes >"$WORK/server.log" 2>&1 &
  else
    node --max-semi-space-size=4 "$ROOT/dist/cli/main.js" --port "$PORT" --http-port 0 --grpc-port 0 \
      --dir "$WORK" >"$WORK/server.log" 2>&1 &
  fi
  SPID=$!
  for _ in $(seq 1 150); do [ "$(redis-cli -p "$PORT" ping 2>/dev/null)" = PONG ] && break; sleep 0.2; done
  (cd "$WORK" && ./runtest --host 127.0.0.1 --port "$PORT" --single "$UNIT" --clients 1 --timeout 120 \
    >"$WORK/suite.log" 2>&1)
  kill "$SPID" 2>/dev/null
  wait "$SPID" 2>/dev/null
  sed 's/\x1b\[[0-9;]*m//g' "$WORK/suite.log" >"$WORK/suite.txt"
  grep -v '^\[ok\]' "$WORK/suite.txt" | grep -E '^\[(err|exception)\]' -A3 | head -40
  ok=$(grep -c '^\[ok\]' "$WORK/suite.txt")
  err=$(grep -c '^\[err\]' "$WORK/suite.txt")
  exc=$(grep -c '^\[exception\]' "$WORK/suite.txt")
  echo "SUMMARY $UNIT: ok=$ok err=$err exception=$exc (log: $WORK/suite.txt)"
  [ "$err" = 0 ] && [ "$exc" = 0 ] || status=1
done
exit $status
