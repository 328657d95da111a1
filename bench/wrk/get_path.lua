-- GET of one fixed path (PATH_QUERY) with the bearer token.
local auth = "Bearer " .. os.getenv("TOKEN")
local path = os.getenv("PATH_QUERY")
request = function()
  return wrk.format("GET", path, { ["Authorization"] = auth })
end
dofile(os.getenv("BENCH_DIR") .. "/wrk/report.lua")
