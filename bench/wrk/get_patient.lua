-- GET /pub/patient/{id} for random seeded ids.
local ids = {}
for line in io.lines(os.getenv("IDS_FILE")) do ids[#ids + 1] = line end
local auth = "Bearer " .. os.getenv("TOKEN")
math.randomseed(os.time())
request = function()
  return wrk.format("GET", "/pub/patient/" .. ids[math.random(#ids)], { ["Authorization"] = auth })
end
dofile(os.getenv("BENCH_DIR") .. "/wrk/report.lua")
