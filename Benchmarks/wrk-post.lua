-- wrk script of Benchmarks/load.sh: sends one fixed JSON POST and prints exact figures at the end.
--
-- Environment:
--   WRK_BODY_FILE  file holding the request body (JSON)
--   WRK_AUTH       bearer token for the Authorization header (optional: the mock takes none)
--
-- done() prints one machine-readable line that load.sh parses:
--   LOADRESULT requests=N duration_us=N rps=X p50_us=N p90_us=N p99_us=N mean_us=X max_us=N
--              non2xx=N connect=N read=N write=N timeout=N
-- Latencies come from wrk's own histogram (microseconds). `non2xx` is wrk's errors.status: answers
-- with a status of 400 or more (the gateway never answers 3xx on these routes).

local path = os.getenv("WRK_BODY_FILE")
assert(path and path ~= "", "WRK_BODY_FILE is not set")
local file = assert(io.open(path, "rb"))
local body = file:read("*a")
file:close()

wrk.method = "POST"
wrk.body = body
wrk.headers["Content-Type"] = "application/json"
local auth = os.getenv("WRK_AUTH")
if auth and auth ~= "" then
    wrk.headers["Authorization"] = "Bearer " .. auth
end

function done(summary, latency, requests)
    local errors = summary.errors
    local seconds = summary.duration / 1e6
    io.write(string.format(
        "LOADRESULT requests=%d duration_us=%d rps=%.1f p50_us=%d p90_us=%d p99_us=%d mean_us=%.1f max_us=%d non2xx=%d connect=%d read=%d write=%d timeout=%d\n",
        summary.requests, summary.duration, summary.requests / seconds,
        latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.mean, latency.max,
        errors.status, errors.connect, errors.read, errors.write, errors.timeout))
end
