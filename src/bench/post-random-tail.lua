-- post-random.lua (../shared/bench) plus the tail wrk's --latency leaves out: p99.9 and the
-- longest request, in ms, on one line. SHARED_BENCH (env) is the directory of post-random.lua.
dofile(os.getenv("SHARED_BENCH") .. "/post-random.lua")
done = function(summary, latency, requests)
  io.write(string.format("tail p99.9 %.2fms max %.2fms\n", latency:percentile(99.9) / 1000,
    latency.max / 1000))
end
