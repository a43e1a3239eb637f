#!/usr/bin/env bash
# CI: the production install. In a temporary copy of the checkout (the files git tracks or would add), the
# image steps `npm ci`, `npm run build`, `npm prune --omit=dev`; then, with no dev dependency left, `npm start`
# must serve on embedded PGlite (fresh data dir, then existing), accept an event, and `npx pedigree` must run.
# With PRODUCTION_DATABASE_URL (a PostgreSQL server's admin URL; .ci/run gives it), `npm start` must also serve
# on a fresh database there, normalizing on its own thread (dist/normalize-thread.js, no tsx).
# Prints the start-up times. Called by .ci/run; also usable by hand: `bash .ci/production-install.sh`.
set -euo pipefail
cd "$(dirname "$0")/.."

WORK=$(mktemp -d /tmp/pedigree-ci-prod.XXXXXX)
APP="$WORK/app"
SERVER_PID=
stop_server() {
  [ -n "$SERVER_PID" ] || return 0
  kill -TERM -- "-$SERVER_PID" 2>/dev/null || kill -TERM "$SERVER_PID" 2>/dev/null || true
  # Until every process of the group (npm, sh, node) is gone: the next start opens the same data dir.
  for _ in $(seq 1 150); do kill -0 -- "-$SERVER_PID" 2>/dev/null || kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
  kill -KILL -- "-$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=
}
cleanup() { stop_server; rm -rf "$WORK"; }
trap cleanup EXIT
fail() {
  echo "production install: FAILED: $1" >&2
  [ -n "${2:-}" ] && [ -f "$2" ] && tail -n 40 "$2" | sed 's/^/  | /' >&2
  exit 1
}
now_ms() { echo $(($(date +%s%N) / 1000000)); }
seconds() { awk -v ms="$1" 'BEGIN { printf "%.1f s", ms / 1000 }'; }

mkdir "$APP"
git ls-files -z --cached --others --exclude-standard |
  while IFS= read -r -d '' f; do if [ -e "$f" ]; then printf '%s\0' "$f"; fi; done |
  tar --null -T - -cf - | tar -xf - -C "$APP"
cd "$APP"

t=$(now_ms)
npm ci --no-audit --no-fund >"$WORK/npm.log" 2>&1 || fail "npm ci" "$WORK/npm.log"
npm run build >>"$WORK/npm.log" 2>&1 || fail "npm run build" "$WORK/npm.log"
npm prune --omit=dev --no-audit --no-fund >>"$WORK/npm.log" 2>&1 || fail "npm prune --omit=dev" "$WORK/npm.log"
install_ms=$(($(now_ms) - t))
for dev in tsx vitest typescript esbuild drizzle-kit; do
  [ ! -e "node_modules/$dev" ] || fail "node_modules/$dev is still there after npm prune --omit=dev"
done

PORT=$(node -e "const s = require('node:net').createServer().listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); })")
export PORT PEDIGREE_DATA_DIR="$WORK/data"
BASE="http://127.0.0.1:$PORT"

# Starts `npm start` in its own process group (setsid: npm, sh and node stop together) and sets STARTUP_MS to
# the milliseconds until GET /healthcheck answers 200.
start_server() {
  local t0 log="$WORK/server-$1.log"
  t0=$(now_ms)
  setsid npm start >"$log" 2>&1 &
  SERVER_PID=$!
  node --input-type=module -e '
    const deadline = Date.now() + 60_000;
    for (;;) {
      try { if ((await fetch(`${process.argv[1]}/healthcheck`)).status === 200) break; } catch {}
      if (Date.now() > deadline) { console.error("no 200 from /healthcheck within 60 s"); process.exit(1); }
      await new Promise((r) => setTimeout(r, 20));
    }' "$BASE" >>"$log" 2>&1 || fail "npm start ($1 data dir)" "$log"
  STARTUP_MS=$(($(now_ms) - t0))
}

# An event accepted and normalized (read back at once), and the web UI served: on the server started as $1.
check_ingest() {
  node --input-type=module -e '
    const [base] = process.argv.slice(1);
    const event = {
      eventType: "COMPLETE", eventTime: new Date().toISOString(),
      run: { runId: crypto.randomUUID() }, job: { namespace: "ci", name: "production-install" },
      inputs: [], outputs: [{ namespace: "ci", name: "out" }],
      producer: "https://github.com/pedigree/ci", schemaURL: "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
    };
    // 201 once stored; reading it back right away needs it normalized too (Prefer: wait=normalized).
    const post = await fetch(`${base}/api/v1/lineage`, { method: "POST", headers: { "content-type": "application/json", prefer: "wait=normalized" }, body: JSON.stringify(event) });
    const answer = await post.text();
    if (post.status !== 201 || JSON.parse(answer).normalization !== "normalized") { console.error(`POST /api/v1/lineage: ${post.status} ${answer}`); process.exit(1); }
    const job = await fetch(`${base}/api/v1/namespaces/ci/jobs/production-install`);
    if (job.status !== 200) { console.error(`GET the job back: ${job.status} ${await job.text()}`); process.exit(1); }
    // The web UI, built at install, served by the same process: a page and the script it loads.
    const page = await fetch(`${base}/models/clf`);
    const html = await page.text();
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    if (page.status !== 200 || !script) { console.error(`GET /models/clf: ${page.status} ${html.slice(0, 200)}`); process.exit(1); }
    const js = await fetch(`${base}${script}`);
    if (js.status !== 200) { console.error(`GET ${script}: ${js.status}`); process.exit(1); }
  ' "$BASE" >>"$WORK/server-$1.log" 2>&1 || fail "ingest on the production install ($1)" "$WORK/server-$1.log"
}

start_server fresh
fresh_ms=$STARTUP_MS
check_ingest fresh
stop_server
start_server existing
existing_ms=$STARTUP_MS
stop_server

postgres_done=
if [ -n "${PRODUCTION_DATABASE_URL:-}" ]; then
  # A fresh database on that server, dropped on the way out; postgres.js is a production dependency.
  db_sql() {
    node --input-type=module -e '
      import postgres from "postgres";
      const admin = postgres(process.argv[1], { max: 1, onnotice: () => {} });
      for (const statement of process.argv.slice(2)) await admin.unsafe(statement);
      await admin.end();
    ' "$PRODUCTION_DATABASE_URL" "$@"
  }
  drop="drop database if exists pedigree_ci_production with (force)"
  db_sql "$drop" "create database pedigree_ci_production" || fail "create a database on PRODUCTION_DATABASE_URL"
  db_url=$(node -e 'const u = new URL(process.argv[1]); u.pathname = "/pedigree_ci_production"; console.log(u.href)' "$PRODUCTION_DATABASE_URL")
  # Asked for by name: the default also depends on the machine's CPUs.
  export DATABASE_URL=$db_url PEDIGREE_NORMALIZE_THREAD=true
  start_server postgres
  postgres_ms=$STARTUP_MS
  check_ingest postgres
  grep -q '"normalization":"own thread"' "$WORK/server-postgres.log" ||
    fail "npm start on PostgreSQL did not normalize on its own thread" "$WORK/server-postgres.log"
  stop_server
  unset DATABASE_URL PEDIGREE_NORMALIZE_THREAD
  db_sql "$drop" || fail "drop the database on PRODUCTION_DATABASE_URL"
  postgres_done="; on PostgreSQL in $(seconds "$postgres_ms"), normalizing on its own thread"
fi

# The CLI, on the embedded database the server no longer holds. `npx pedigree` installs the project into npm's
# npx cache (running `prepare`, which must keep dist/ without the dev dependencies): a throwaway cache, so the
# first run is tested and ~/.npm/_npx gets no entry for this temporary directory.
export npm_config_cache="$WORK/npm-cache"
npx pedigree --help >"$WORK/cli.log" 2>&1 || fail "npx pedigree --help" "$WORK/cli.log"
npx pedigree migrate >>"$WORK/cli.log" 2>&1 || fail "npx pedigree migrate" "$WORK/cli.log"
exported=$(npx pedigree export 2>>"$WORK/cli.log") || fail "npx pedigree export" "$WORK/cli.log"
count=$(node -e 'console.log(JSON.parse(process.argv[1]).length)' "$exported") || fail "npx pedigree export: not a JSON array"
[ "$count" = 1 ] || fail "npx pedigree export: $count events, expected 1"
node --input-type=module -e '
  const m = await import("pedigree/emitter");
  if (typeof m.createEmitter !== "function") throw new Error("no createEmitter");
' >"$WORK/emitter.log" 2>&1 || fail "import pedigree/emitter" "$WORK/emitter.log"

echo "production install: npm ci + build + prune --omit=dev in $(seconds "$install_ms"), no dev dependency left;" \
  "npm start answered /healthcheck in $(seconds "$fresh_ms") (fresh data dir), $(seconds "$existing_ms") (existing)$postgres_done;" \
  "POST /api/v1/lineage 201; the web UI at /; npx pedigree --help, migrate, export and pedigree/emitter ok"
