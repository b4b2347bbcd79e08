-- timeline.lua — GET /api/v1/accounts/{id}/timeline: activities on the
-- account, its contacts, leads and deals, and its deals, newest first.
-- 80% of the requests go to the biggest accounts (BENCH_BIG), the rest to
-- any account.
local B = dofile(os.getenv("BENCH_WRK_DIR") .. "/lib.lua")
setup = B.setup
function init() B.seed() end
function request()
	return wrk.format("GET", "/api/v1/accounts/" .. B.account(0.8) .. "/timeline")
end
done = B.done
