-- wrk script: POST one pre-generated NDJSON batch of events per request.
-- Needs BENCH_EVENTS_FILE, BENCH_EVENTS_PATH and BENCH_API_KEY.
local f = assert(io.open(os.getenv("BENCH_EVENTS_FILE"), "r"))
local body = f:read("*a")
f:close()
wrk.method = "POST"
wrk.path = os.getenv("BENCH_EVENTS_PATH")
wrk.body = body
wrk.headers["Content-Type"] = "application/x-ndjson"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_API_KEY")
