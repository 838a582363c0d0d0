-- wrk script for the catalog benchmark: every request is a GET of a random
-- line of the paths file, with the API key; done() prints one RESULT line
-- with throughput and latency percentiles (p95 is not in wrk's own summary).
-- usage: wrk -t2 -c16 -d20s -s paths.lua http://host:port -- PATHS_FILE API_KEY
local paths = {}
local auth

function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then paths[#paths + 1] = line end
  end
  auth = "Bearer " .. args[2]
  math.randomseed(os.time() + tonumber(tostring(paths):match("0x(%x+)") or "0", 16) % 100000)
end

function request()
  return wrk.format("GET", paths[math.random(#paths)], { ["Authorization"] = auth })
end

function done(summary, latency, requests)
  local s = summary.duration / 1e6
  io.write(string.format(
    "RESULT requests=%d seconds=%.1f rps=%.1f p50_ms=%.2f p95_ms=%.2f p99_ms=%.2f max_ms=%.2f non2xx=%d socket_errors=%d\n",
    summary.requests, s, summary.requests / s, latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write +
    summary.errors.timeout))
end
