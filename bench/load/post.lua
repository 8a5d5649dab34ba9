-- wrk script of bench/server_load.sh: POSTs one realistic authorization request (bench/load/input.json, or
-- $BENCH_INPUT) to the URL's path (/v1/data/authz/allow) on every connection, keep-alive.
--
-- With BENCH_DELAY_MS set, each connection waits that long after a response before its next request (wrk's
-- delay() hook). wrk has no rate option (wrk2, which has one, is not in Debian), so the script's caller picks
-- connections x delay to approximate a target rate and reports the rate actually reached.
--
-- done() prints one machine-readable line (RESULT k=v ...) with wrk's latency percentiles in microseconds.

local input = os.getenv("BENCH_INPUT") or "bench/load/input.json"
local f = assert(io.open(input, "r"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"

local delay_ms = tonumber(os.getenv("BENCH_DELAY_MS") or "")
if delay_ms and delay_ms > 0 then
  function delay()
    return delay_ms
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d mean_us=%.1f " ..
    "err_connect=%d err_read=%d err_write=%d err_status=%d err_timeout=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, latency.mean,
    e.connect, e.read, e.write, e.status, e.timeout))
end
