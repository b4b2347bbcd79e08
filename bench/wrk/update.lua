-- update.lua — PATCH /api/v1/contacts/{id} with If-Match: "<version>",
-- on random demo contacts. Thread t owns the ids with id % BENCH_THREADS
-- == t, so two threads never race on one record; within a thread a
-- record is never patched twice at once, and the version each PATCH
-- answers (ETag) is the If-Match of the next. Demo records start at
-- version 1 (bench/run.sh works on a fresh copy of the database). A 412
-- would mean the version bookkeeping is wrong: it shows in "codes".
local B = dofile(os.getenv("BENCH_WRK_DIR") .. "/lib.lua")
setup = B.setup
local lo = B.envnum("BENCH_LO", 1)
local hi = B.envnum("BENCH_HI", B.contacts)
local version, busy, nbusy = {}, {}, 0
local n = 0
local hdr = B.headers({["Content-Type"] = "application/json", ["If-Match"] = ""})
function init() B.seed() end
-- A failed PATCH does not say which record it was for, so its record
-- stays "busy"; should that pile up, forget them all rather than stall.
local function pick()
	local span = math.max(1, math.floor((hi - lo) / B.nthreads))
	if nbusy > 10000 then busy, nbusy = {}, 0 end
	for _ = 1, 100 do
		local id = lo + tid + B.nthreads * math.random(0, span - 1)
		if not busy[id] then return id end
	end
	return lo + tid
end
function request()
	local id = pick()
	busy[id] = true
	nbusy = nbusy + 1
	n = n + 1
	hdr["If-Match"] = '"' .. (version[id] or 1) .. '"'
	return wrk.format("PATCH", "/api/v1/contacts/" .. id, hdr,
		string.format('{"title":"Bench update %d","marketing_consent":%s}',
			n % 1000, n % 2 == 0 and "true" or "false"))
end
function response(status, headers, body)
	B.count(status)
	if status == 200 then
		local id = tonumber(string.match(body, '^{"id":(%d+)'))
		local v = tonumber(string.match(headers["ETag"] or headers["Etag"] or "", "(%d+)"))
		if id and busy[id] then
			version[id] = v
			busy[id] = nil
			nbusy = nbusy - 1
		end
	end
end
done = B.done
