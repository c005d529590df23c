#!/usr/bin/env bash
# End-to-end benchmark of POST /api/hashes/lookup: a release `accord serve`
# on SQLite with a bank of HASHES stored PDQ hashes (random plus clusters of
# near-duplicates, `accord hashes bench-data`), loaded with `accord hashes
# import`; wrk with CONNECTIONS connections on loopback, each request a
# batch of 1,000 PDQ signals (half a stored hash moved 0-31 bits, half
# random), authenticated with an API token as a platform would be.
#
#   scripts/bench-lookup.sh [HASHES] [DURATION] [CONNECTIONS] [BIN]
#
# BIN: an accord binary to run instead of building this tree's release one.
# Needs wrk (apt-get install wrk) and curl. Writes nothing outside a temporary folder.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
HASHES="${1:-100000}"
DURATION="${2:-20s}"
CONNECTIONS="${3:-16}"
BIN="${4:-}"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
if [ -z "$BIN" ]; then
  cargo build --release -p accord --manifest-path "$ROOT/Cargo.toml" >&2
  BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/accord"
fi
TMP="$(mktemp -d)"
SERVER=
trap '[ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; rm -rf "$TMP"' EXIT
DB="sqlite://$TMP/bench.db"
"$BIN" migrate --database "$DB" >/dev/null
for u in loader:contributor platform:reader; do
  echo "a long benchmark password" | "$BIN" user add --database "$DB" --username "${u%%:*}" \
    --display-name "${u%%:*}" --member KAZ --role "${u##*:}" --password-stdin >/dev/null
done
LOADER="$("$BIN" token create --database "$DB" --user loader --name bench --scope hashes | grep '^acc_')"
TOKEN="$("$BIN" token create --database "$DB" --user platform --name bench --scope hashes | grep '^acc_')"
"$BIN" serve --database "$DB" --bind 127.0.0.1:0 --no-bundled-lists >"$TMP/out.log" 2>"$TMP/err.log" &
SERVER=$!
for _ in $(seq 1 100); do grep -q "listening on" "$TMP/out.log" && break; sleep 0.2; done
URL="$(grep -o 'http://[0-9.:]*' "$TMP/out.log" | head -1)"
curl -sf -H "Authorization: Bearer $LOADER" -H 'Content-Type: application/json' \
  -d '{"id":"bench-bank","name":"Benchmark bank","owner":"KAZ","tlp":"AMBER"}' "$URL/api/banks" >/dev/null
"$BIN" hashes bench-data --hashes "$HASHES" --bank-csv "$TMP/bank.csv" --lookups "$TMP/lookups.jsonl" --bodies 16 --batch 1000
start=$(date +%s.%N)
"$BIN" hashes import "$TMP/bank.csv" --bank bench-bank --as loader --database "$DB" >"$TMP/import.txt"
head -1 "$TMP/import.txt"
echo "import: $(echo "$(date +%s.%N) - $start" | bc) s" >&2
# The first lookup brings the server's index up to date with the feed.
start=$(date +%s.%N)
head -1 "$TMP/lookups.jsonl" | curl -sf -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  --data-binary @- "$URL/api/hashes/lookup" >"$TMP/first.json"
echo "first lookup (index catching up with $HASHES added hashes): $(echo "$(date +%s.%N) - $start" | bc) s;" \
  "$(jq '[.[] | select(.matches | length > 0)] | length' "$TMP/first.json") of $(jq length "$TMP/first.json") signals matched," \
  "$(jq '[.[].matches | length] | add' "$TMP/first.json") matches, response $(wc -c <"$TMP/first.json") bytes" >&2
cpu() { awk '{print $14 + $15}' "/proc/$SERVER/stat"; }
ticks=$(getconf CLK_TCK)
before=$(cpu)
t0=$(date +%s.%N)
echo "server $URL ($("$BIN" --version 2>/dev/null || echo accord)), $HASHES stored PDQ hashes, $CONNECTIONS connections, $(nproc) cores shared by server and wrk, load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
if [ -n "${PERF:-}" ]; then
  # PERF=1: sample the server's stacks during the run (perf must be installed).
  perf record -F 199 --call-graph dwarf,16384 -p "$SERVER" -o "${PERF_DATA:-$TMP/perf.data}" >/dev/null 2>&1 &
  PERF_PID=$!
fi
LOOKUPS="$TMP/lookups.jsonl" BATCH=1000 ACCORD_TOKEN="$TOKEN" \
  wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --timeout 30s --latency -s "$ROOT/scripts/wrk-lookup.lua" "$URL/api/hashes/lookup"
after=$(cpu)
t1=$(date +%s.%N)
echo "server CPU: $(echo "scale=2; ($after - $before) / $ticks / ($t1 - $t0)" | bc) cores on average during the run (of $(nproc))" >&2
if [ -n "${PERF:-}" ]; then
  kill -INT "$PERF_PID"; wait "$PERF_PID" || true
  perf report -i "${PERF_DATA:-$TMP/perf.data}" --no-children --sort dso,symbol --percent-limit 0.7 --stdio 2>/dev/null \
    | grep -v '^$' | grep '%' | head -60 > "${PERF_OUT:-/dev/stderr}" || true
  perf report -i "${PERF_DATA:-$TMP/perf.data}" --children --sort symbol --percent-limit 2 --stdio -g none 2>/dev/null \
    | grep '%' | head -80 >> "${PERF_OUT:-/dev/stderr}" || true
fi
echo "server resident memory: $(awk '/VmRSS/ {print $2 / 1024 " MB"}' "/proc/$SERVER/status")" >&2
