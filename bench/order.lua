-- wrk script: place flash-sale orders, one unit each, a different buyer per request.
-- Needs BENCH_SALE_PATH (/api/v1/flash-sales/<id>/orders) and BENCH_API_KEY.
local path = os.getenv("BENCH_SALE_PATH")
local key = os.getenv("BENCH_API_KEY")
if not path or not key then error("order.lua needs BENCH_SALE_PATH and BENCH_API_KEY") end
local n = 0
local tid = 0
setup = function(thread) tid = tid + 1; thread:set("tid", tid) end
request = function()
  n = n + 1
  local body = string.format('{"buyer_id": "t%d-b%d", "quantity": 1}', tid, n)
  return wrk.format("POST", path, {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. key}, body)
end
