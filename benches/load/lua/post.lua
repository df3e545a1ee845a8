-- POSTs one fixed XML-RPC call over wrk's keep-alive connections.
-- The body is read from the file named by the environment variable BODY.
-- At the end, one machine-readable line starting with RESULT.

local path = os.getenv("BODY")
if path == nil then
  error("set BODY to the file of the request body")
end
local file = assert(io.open(path, "rb"))
wrk.method = "POST"
wrk.path = "/"
wrk.body = file:read("*a")
file:close()
wrk.headers["Content-Type"] = "text/xml"
wrk.headers["User-Agent"] = "wrk"

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d "
      .. "connect=%d read=%d write=%d status=%d timeout=%d\n",
    summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.status, e.timeout))
end
