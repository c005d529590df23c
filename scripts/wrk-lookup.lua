-- wrk script: POST /api/hashes/lookup, each request one batch of PDQ
-- signals, cycling through the bodies of the file named by LOOKUPS (one JSON
-- body per line, written by `accord hashes bench-data`). Each thread starts
-- at its own body. At the end it prints signals/s (BATCH signals a request).
local bodies = {}
for line in io.lines(os.getenv("LOOKUPS")) do
  bodies[#bodies + 1] = line
end
local batch = tonumber(os.getenv("BATCH") or "1000")
local i = 0
local thread_no = 0

setup = function(thread)
  thread:set("i", thread_no * 3)
  thread_no = thread_no + 1
end

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("ACCORD_TOKEN")

request = function()
  i = i + 1
  return wrk.format(nil, nil, nil, bodies[(i % #bodies) + 1])
end

done = function(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local ok = summary.requests - summary.errors.status
  io.write(string.format(
    "requests: %d (%d not 200) in %.1f s: %.1f requests/s, %.0f signals/s\n",
    summary.requests, summary.errors.status, seconds,
    summary.requests / seconds, ok * batch / seconds))
  io.write(string.format(
    "latency: p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms\n",
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
