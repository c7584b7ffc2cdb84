#!/usr/bin/env bash
# `npm test`: every check and test, on a brand-new machine too. It installs what is missing
# (npm packages, Debian's chromium, PostgreSQL server binaries), starts a throwaway Postgres
# server, then runs: type check, lint, schema/migration drift check, Vitest (unit and
# integration, on PGlite and on the Postgres server), a production build, and the Playwright
# suite in Chromium against the embedded database and against the Postgres server, and the
# benchmark scripts at a small size.
# It ends with one line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1
# Every Node process started from here is a server: modules marked `import "server-only"` load
# there as in Next's server bundles (scripts/server-side.mjs).
export NODE_OPTIONS="--import=$PWD/scripts/server-side.mjs ${NODE_OPTIONS:-}"
OUT=$(mktemp -d /tmp/tandem-test.XXXXXX)
passed=0
failed=0
failures=()

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
check() { # check NAME COMMAND...: a pass/fail check that is not a test runner
  local name=$1; shift
  step "$name"
  if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); failures+=("$name"); fi
}
count_json() { # count_json KIND FILE: adds a runner's JSON report to the totals
  local counts
  counts=$(node scripts/count-results.mjs "$1" "$2") || counts="0 1"
  passed=$((passed + ${counts% *}))
  local f=${counts#* }
  failed=$((failed + f))
  [[ $f -gt 0 ]] && failures+=("$1 ($2)")
}

as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }

step "Prerequisites"
if [[ ! -d node_modules/.bin || package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund || exit 1
fi
CHROMIUM=${CHROMIUM_PATH:-/usr/bin/chromium}
if [[ ! -x "$CHROMIUM" ]]; then
  echo "Installing Debian's chromium"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium || exit 1
fi
if ! command -v radicale >/dev/null || ! command -v xandikos >/dev/null; then
  echo "Installing Debian's radicale and xandikos (the real CardDAV servers of the tests)"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq radicale xandikos || exit 1
fi
if ! command -v openssl >/dev/null; then
  echo "Installing openssl (it makes the emulators' test certificate)"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssl || exit 1
fi
# The emulators' certificate for this checkout: test processes trust it; the app trusts it only
# in the agent that talks to its demo emulator.
EMULATOR_CA=$(node scripts/emulator-cert.cjs) || { echo "could not make the emulator certificate"; exit 1; }
eval "$(scripts/pg-throwaway.sh start)" || { echo "could not start PostgreSQL"; exit 1; }
trap 'scripts/pg-throwaway.sh stop "$PGTMP"; rm -rf "$OUT"' EXIT
echo "PostgreSQL on port $PGPORT_TEST; chromium: $($CHROMIUM --version 2>/dev/null)"

check "Type check" node_modules/.bin/tsc --noEmit -p .
check "Lint" node_modules/.bin/eslint . --max-warnings 0
check "Migrations match the schema" node scripts/check-migrations.mjs

step "Vitest (PGlite and Postgres)"
TEST_DATABASE_URL=$TEST_PG_URL node_modules/.bin/vitest run --reporter=default --reporter=json --outputFile.json="$OUT/vitest.json"
count_json vitest "$OUT/vitest.json"

check "Production build" node_modules/.bin/next build

for db in pglite postgres; do
  step "Playwright in Chromium ($db)"
  if [[ $db == postgres ]]; then
    e2e_db=tandem_e2e_$$
    psql "$TEST_PG_URL" -qc "create database $e2e_db" >/dev/null
    e2e_env=(DATABASE_URL="${TEST_PG_URL%/postgres}/$e2e_db")
    # A server database is not seeded by the app: seeding it is what `npm run db:seed` is for.
    env "${e2e_env[@]}" node_modules/.bin/tsx db/cli.ts seed || { failed=$((failed + 1)); failures+=("db:seed"); }
  else
    e2e_env=(E2E_DATA_DIR="$OUT/e2e-pglite")
  fi
  # The specs read the Microsoft emulator over HTTPS: trust its test certificate.
  env "${e2e_env[@]}" E2E_SKIP_BUILD=1 CHROMIUM_PATH="$CHROMIUM" PLAYWRIGHT_JSON_OUTPUT_NAME="$OUT/e2e-$db.json" \
    NODE_EXTRA_CA_CERTS="$EMULATOR_CA" \
    node_modules/.bin/playwright test --reporter=list,json
  count_json playwright "$OUT/e2e-$db.json"
done

# The benchmark scripts at CI size (500 contacts, 5,000 persons), to keep them working: a crash
# fails it, a missed target does not (the targets are for the full size; see bench/RESULTS.md).
bench_smoke() {
  BENCH_PG_URL=$TEST_PG_URL NODE_EXTRA_CA_CERTS="$EMULATOR_CA" \
    node_modules/.bin/tsx bench/run-all.ts --smoke >"$OUT/bench.log" 2>&1
  local rc=$?
  grep -E '^(== |\| )' "$OUT/bench.log" | grep -v '^| .*| met |$'
  [[ $rc -eq 0 ]] || tail -40 "$OUT/bench.log"
  return $rc
}
check "Benchmark smoke (bench/, small size)" bench_smoke

echo
[[ ${#failures[@]} -gt 0 ]] && printf 'Failed: %s\n' "${failures[@]}"
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
