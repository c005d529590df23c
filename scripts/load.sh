#!/usr/bin/env bash
# Load test: 32 concurrent clients (wrk) against a release `accord serve
# --demo` on SQLite, for DURATION each over screening (POST /api/screen),
# the API's reads (API token) and public pages (anonymous). Reports
# requests/s, latency percentiles and every non-2xx answer: a run passes
# with 0 errors. Numbers go to docs/benchmarks.md ("Load").
#
#   scripts/load.sh [DURATION] [CONNECTIONS] [BIN]
#
# The per-client rate limit is turned off in the server's configuration
# file: this measures the server's capacity, not the limiter (which would
# answer 429 to 32 clients on one address by design).
# Needs wrk (apt-get install wrk). Writes nothing outside a temporary folder.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DURATION="${1:-20s}"
CONNECTIONS="${2:-32}"
BIN="${3:-}"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
if [ -z "$BIN" ]; then
  cargo build --release -p accord --manifest-path "$ROOT/Cargo.toml" >&2
  BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/accord"
fi
TMP="$(mktemp -d)"
trap 'kill "$SERVER" 2>/dev/null || true; rm -rf "$TMP"' EXIT
DB="sqlite://$TMP/load.db"
cat >"$TMP/accord.toml" <<TOML
anonymous_requests_per_minute = 0
token_requests_per_minute = 0
TOML
"$BIN" --config "$TMP/accord.toml" serve --database "$DB" --bind 127.0.0.1:0 --demo \
  >"$TMP/out.log" 2>"$TMP/err.log" &
SERVER=$!
for _ in $(seq 1 600); do grep -q "listening on" "$TMP/out.log" && break; sleep 0.2; done
URL="$(grep -o 'http://[0-9.:]*' "$TMP/out.log" | head -1)"
[ -n "$URL" ] || { cat "$TMP/err.log" >&2; exit 1; }
TOKEN="$("$BIN" token create --database "$DB" --user kaz.admin --name load --scope read,screen | grep '^acc_')"
echo "server at $URL (demo data), $CONNECTIONS clients, $DURATION per run" >&2
status=0
run() {
  local label="$1" script="$2" path="$3"
  echo "== $label" >&2
  ACCORD_TOKEN="$TOKEN" wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s "$ROOT/scripts/$script" "$URL$path" \
    | tee "$TMP/$label.txt"
  if grep -q "Non-2xx or 3xx responses\|Socket errors" "$TMP/$label.txt"; then
    echo "!! $label: errors" >&2
    status=1
  fi
}
run screening wrk-screen.lua /api/screen
run api wrk-api.lua /
run pages wrk-pages.lua /
exit "$status"
