-- list.lua — one page of 50 contacts of an account, newest first then by
-- name: GET /api/v1/contacts?account_id=A&sort=-created_at,name&limit=50.
-- Half the requests go to one of the biggest accounts (thousands of
-- contacts at 1M, so the sort has real work), half to any account.
local B = dofile(os.getenv("BENCH_WRK_DIR") .. "/lib.lua")
setup = B.setup
function init() B.seed() end
function request()
	return wrk.format("GET", "/api/v1/contacts?account_id=" .. B.account(0.5) ..
		"&sort=-created_at,name&limit=50")
end
done = B.done
