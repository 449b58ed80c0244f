-- wrk script: POST the seed's step-3 task body to /api/v1/tasks.
-- Reads the body from $BENCH_TASK_BODY (a file path) and the key from $BENCH_API_KEY.
local path = os.getenv("BENCH_TASK_BODY")
local key = os.getenv("BENCH_API_KEY")
if not path or not key then
  error("create_task.lua needs BENCH_TASK_BODY and BENCH_API_KEY in the environment")
end
local f = assert(io.open(path, "r"))
local body = f:read("*a")
f:close()

wrk.method = "POST"
wrk.body = body
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. key
