#!/usr/bin/env bash
# What the Dockerfile does, minus Docker (this machine has none): build, `pnpm deploy --prod`
# into a temp dir outside the workspace, then run the server from there with plain node, as a
# non-root user when run as root, and check it: no dev tooling deployed, the image's
# HEALTHCHECK command passes, a command is accepted, /readyz (the compiled DuckDB engine
# process) turns 200, SIGTERM stops it with exit code 0 and no stack trace.
#   bash scripts/check-deploy.sh
set -euo pipefail
cd "$(dirname "$0")/.."

tmp="$(mktemp -d /tmp/ironstar-deploy-XXXXXX)"
server=""
cleanup() {
  if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then kill -KILL "$server"; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() {
  echo "check-deploy: FAILED: $*" >&2
  [ -f "$tmp/server.log" ] && tail -20 "$tmp/server.log" >&2
  exit 1
}
chmod 755 "$tmp"

node scripts/build.mjs
pnpm --filter @ironstar/server deploy --prod --legacy "$tmp/app" >"$tmp/deploy.log" 2>&1 ||
  { cat "$tmp/deploy.log" >&2; fail "pnpm deploy"; }

# Production dependencies only: no TypeScript tooling, no workspace package (they are bundled).
dev="$(ls "$tmp/app/node_modules/.pnpm" | grep -E '^(tsx|typescript|esbuild|vitest|@ironstar)[@+]' || true)"
[ -z "$dev" ] || fail "dev packages deployed: $dev"
[ ! -e "$tmp/app/src" ] || fail "sources deployed"
echo "check-deploy: deployed $(du -sh "$tmp/app" | cut -f1) to $tmp/app"

# The Dockerfile's HEALTHCHECK command, verbatim: it must fail while nothing listens.
healthcheck=$(sed -n 's/^  CMD \["node", "-e", "\(.*\)"\]$/\1/p' Dockerfile)
[ -n "$healthcheck" ] || fail "no HEALTHCHECK command found in Dockerfile"

mkdir -p "$tmp/data"
as=()
if [ "$(id -u)" -eq 0 ]; then
  chown nobody "$tmp/data"
  as=(setpriv --reuid=nobody --regid=nogroup --clear-groups --)
fi
port="$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"
! PORT="$port" node -e "$healthcheck" || fail "HEALTHCHECK passes with no server"
# The image's environment, except HOST: here the server stays on loopback.
(cd "$tmp/app" && exec env -i PATH="$PATH" NODE_ENV=production HOST=127.0.0.1 PORT="$port" \
  DATABASE_URL="file:$tmp/data/ironstar.db" LOG_FORMAT=json "${as[@]}" node dist/main.js) \
  >"$tmp/server.log" 2>&1 &
server=$!

url="http://127.0.0.1:$port"
for _ in $(seq 1 300); do
  PORT="$port" node -e "$healthcheck" && break
  kill -0 "$server" 2>/dev/null || fail "server exited before /healthz"
  sleep 0.1
done
PORT="$port" node -e "$healthcheck" || fail "HEALTHCHECK never passed"
echo "check-deploy: HEALTHCHECK passes"

status=$(curl -s -o /dev/null -w '%{http_code}' -H 'content-type: application/json' \
  -d '{"type":"create","text":"deployed"}' "$url/api/commands/todo")
[ "$status" = 202 ] || fail "command answered $status"
for _ in $(seq 1 600); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$url/readyz")" = 200 ] && break
  sleep 0.1
done
[ "$(curl -s -o /dev/null -w '%{http_code}' "$url/readyz")" = 200 ] || fail "/readyz never 200"
echo "check-deploy: command 202, /readyz 200"

kill -TERM "$server"
code=0
wait "$server" || code=$?
server=""
[ "$code" = 0 ] || fail "exit code $code after SIGTERM"
grep -q '"msg":"ironstar stopped"' "$tmp/server.log" || fail "no 'ironstar stopped' log"
! grep -Eq '^\s+at ' "$tmp/server.log" || fail "stack trace in the log"
echo "check-deploy: OK (SIGTERM: exit 0)"
