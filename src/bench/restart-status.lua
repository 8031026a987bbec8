-- GET or POST (env METHOD, default GET) /song/s{0..SONGS-1} at random (env SONGS, default 3000),
-- for nginx-shard.sh's restart part: counts the answers by status, and the reads answered "0",
-- which, when every song was played before, are answers from a server that does not hold the song.
local method = os.getenv("METHOD") or "GET"
local songs = tonumber(os.getenv("SONGS") or "3000")
local threads = {}
math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 100000)
function setup(thread) table.insert(threads, thread) end
function init(args) statuses = {}; zeros = 0 end
function request() return wrk.format(method, "/song/s" .. math.random(0, songs - 1)) end
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status == 200 and body == "0" then zeros = zeros + 1 end
end
function done(summary, latency, requests)
  local total, z = {}, 0
  for _, t in ipairs(threads) do
    for k, v in pairs(t:get("statuses")) do total[k] = (total[k] or 0) + v end
    z = z + t:get("zeros")
  end
  local parts = {}
  for k, v in pairs(total) do table.insert(parts, k .. "=" .. v) end
  table.sort(parts)
  local e = summary.errors
  io.write(string.format("answers %s; wrong (0) %d; socket errors %d; p99 %.1f ms; max %.1f ms\n",
    table.concat(parts, " "), z, e.connect + e.read + e.write + e.timeout,
    latency:percentile(99) / 1000, latency.max / 1000))
end
