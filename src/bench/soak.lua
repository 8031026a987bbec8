-- wrk script for the soak: POST /song/{id} for ids in 1..SONGS (env, default 1000), and at the
-- end one line "acknowledged=N non2xx=N connect=N read=N write=N timeout=N" for soak.sh to parse.
local songs = tonumber(os.getenv("SONGS") or "1000")
math.randomseed(os.time())
request = function()
  return wrk.format("POST", "/song/s" .. math.random(1, songs))
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("acknowledged=%d non2xx=%d connect=%d read=%d write=%d timeout=%d p99_ms=%.2f\n",
    summary.requests - e.status, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(99) / 1000))
end
