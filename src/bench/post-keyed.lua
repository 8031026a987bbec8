-- POST /song/{id} for ids drawn uniformly from 1..SONGS (env SONGS, default 100000), each with an
-- Idempotency-Key of its own (a random run prefix and a counter, 24 characters or so, as a client
-- library's keys would be), plus the tail line of post-random-tail.lua. KEYS=0 sends no key.
local songs = tonumber(os.getenv("SONGS") or "100000")
local keyed = os.getenv("KEYS") ~= "0"
math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 100000)
local run = string.format("%08x%08x", math.random(0, 0x7fffffff), math.random(0, 0x7fffffff))
local n = 0
request = function()
  local path = "/song/" .. math.random(1, songs)
  if not keyed then
    return wrk.format("POST", path)
  end
  n = n + 1
  return wrk.format("POST", path, { ["Idempotency-Key"] = run .. "-" .. n })
end
done = function(summary, latency, requests)
  io.write(string.format("tail p99.9 %.2fms max %.2fms\n", latency:percentile(99.9) / 1000,
    latency.max / 1000))
end
