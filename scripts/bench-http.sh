#!/usr/bin/env bash
# HTTP benchmark of POST /api/screen: 32 concurrent clients on loopback (wrk),
# against the whole UN consolidated list. Each request is authenticated with
# an API token and audited, as in production.
#
#   scripts/bench-http.sh [UN_XML] [DURATION]
#
# Needs wrk (apt-get install wrk). Writes nothing outside a temporary folder.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
UN="${1:-$ROOT/../shared/data/un/UN_consolidated_2026-02-27.xml}"
DURATION="${2:-20s}"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
cargo build --release -p accord --manifest-path "$ROOT/Cargo.toml" >&2
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/accord"
TMP="$(mktemp -d)"
trap 'kill "$SERVER" 2>/dev/null || true; rm -rf "$TMP"' EXIT
DB="sqlite://$TMP/bench.db"
"$BIN" migrate --database "$DB" >/dev/null
echo "a long benchmark password" | "$BIN" user add --database "$DB" --username bench --display-name Bench \
  --member KAZ --role reader --password-stdin >/dev/null
TOKEN="$("$BIN" token create --database "$DB" --user bench --name bench --scope screen | grep '^acc_')"
"$BIN" serve --database "$DB" --bind 127.0.0.1:0 --list "$UN" >"$TMP/out.log" 2>"$TMP/err.log" &
SERVER=$!
for _ in $(seq 1 100); do grep -q "listening on" "$TMP/out.log" && break; sleep 0.2; done
URL="$(grep -o 'http://[0-9.:]*' "$TMP/out.log" | head -1)"
echo "server at $URL, list $(basename "$UN")" >&2
ACCORD_TOKEN="$TOKEN" wrk -t2 -c32 -d"$DURATION" --latency -s "$ROOT/scripts/wrk-screen.lua" "$URL/api/screen"
