-- get.lua — GET /api/v1/contacts/{id}, id uniform over the demo contacts.
-- No response() callback: wrk then skips handing bodies to Lua, and counts
-- statuses > 399 itself (errors.status).
local B = dofile(os.getenv("BENCH_WRK_DIR") .. "/lib.lua")
setup = B.setup
function init() B.seed() end
function request()
	return wrk.format("GET", "/api/v1/contacts/" .. math.random(B.contacts))
end
done = B.done
