-- GET /pub/patient/{id} for random seeded ids: those of IDS_FILE, with the bearer token TOKEN of their
-- organization's client, and an Accept-Encoding header when ACCEPT_ENCODING is set (bench/run's gzip lines).
-- The ids (all of one length, one per line) stay in one string: a table of a million small strings made every
-- collection of wrk's own Lua heap stall its thread for tens of milliseconds, and the p99 measured wrk
-- (bench/README.md, "The load generator's own tail").
local file = assert(io.open(os.getenv("IDS_FILE")))
local ids = file:read("*a")
file:close()
local width = assert(ids:find("\n"), "IDS_FILE holds no line") -- an id and its newline
assert(#ids % width == 0, "IDS_FILE: every id must be as long as the first")
local count = #ids / width
local headers = { ["Authorization"] = "Bearer " .. os.getenv("TOKEN") }
local encoding = os.getenv("ACCEPT_ENCODING")
if encoding ~= nil and encoding ~= "" then
  headers["Accept-Encoding"] = encoding
end
math.randomseed(os.time())
request = function()
  local at = (math.random(count) - 1) * width + 1
  return wrk.format("GET", "/pub/patient/" .. ids:sub(at, at + width - 2), headers)
end
dofile(os.getenv("BENCH_DIR") .. "/wrk/report.lua")
