-- wrk script: place flash-sale orders, one unit each.
-- Needs BENCH_SALE_PATHS (one or more /api/v1/flash-sales/<id>/orders paths,
-- separated by spaces; consecutive requests go to the sales in turn) and
-- BENCH_API_KEY.
--
-- Each wrk thread builds its requests once, in init(): 100,000 different
-- buyers per thread ("t<thread>-b<n>"), sent in turn (a buyer orders again
-- only after the other 99,999 have). Formatting a request in Lua on every
-- call costs the load generator about a third of the CPU it leaves the
-- server on this 2-core machine, and the /healthz baseline runs no Lua at
-- all, so building them up front keeps the comparison about the server.
local key = os.getenv("BENCH_API_KEY")
local paths = {}
for p in string.gmatch(os.getenv("BENCH_SALE_PATHS") or "", "%S+") do paths[#paths + 1] = p end
if #paths == 0 or not key then error("order.lua needs BENCH_SALE_PATHS and BENCH_API_KEY") end

local BUYERS = 100000
local threads = 0
local requests = {}
local n = 0

setup = function(thread)
  threads = threads + 1
  thread:set("thread_no", threads)
end

init = function(args)
  local headers = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. key}
  for i = 1, BUYERS do
    local body = string.format('{"buyer_id": "t%d-b%d", "quantity": 1}', thread_no, i)
    requests[i] = wrk.format("POST", paths[(i - 1) % #paths + 1], headers, body)
  end
end

request = function()
  n = n % BUYERS + 1
  return requests[n]
end
