-- POST /pub/oauth/token with client credentials (flat JSON body).
local body = string.format('{"grant_type":"client_credentials","client_id":"%s","client_secret":"%s"}',
  os.getenv("CLIENT_ID"), os.getenv("CLIENT_SECRET"))
request = function()
  return wrk.format("POST", "/pub/oauth/token", { ["Content-Type"] = "application/json" }, body)
end
dofile(os.getenv("BENCH_DIR") .. "/wrk/report.lua")
