-- delete.lua — DELETE /api/v1/contacts/{id} (to the recycle bin) for the
-- contacts the create workload made, ids BENCH_LO..BENCH_HI, each once;
-- thread t takes BENCH_LO+t, BENCH_LO+t+BENCH_THREADS, ... A thread that has
-- deleted all of its ids stops (so a fast run ends early: requests/s is
-- still requests over the time taken).
local B = dofile(os.getenv("BENCH_WRK_DIR") .. "/lib.lua")
setup = B.setup
local lo = B.envnum("BENCH_LO")
local hi = B.envnum("BENCH_HI")
local nextid
function init()
	nextid = lo + tid
end
function request()
	local id = nextid
	nextid = nextid + B.nthreads
	if id > hi then
		wrk.thread:stop()
		return wrk.format("GET", "/healthz")
	end
	return wrk.format("DELETE", "/api/v1/contacts/" .. id)
end
function response(status) B.count(status) end
done = B.done
