-- create.lua — POST /api/v1/contacts with a new contact (name in one of
-- the three languages, e-mail, title, an account, external_id
-- "bench-T<thread>-<n>"). Each create is a durable transaction: record,
-- search index, audit log.
local B = dofile(os.getenv("BENCH_WRK_DIR") .. "/lib.lua")
setup = B.setup
local n = 0
local hdr = B.headers({["Content-Type"] = "application/json"})
function init() B.seed() end
function request()
	n = n + 1
	return wrk.format("POST", "/api/v1/contacts", hdr, B.person(tid, n))
end
function response(status) B.count(status) end
done = B.done
