-- mixed.lua — many users at once, 80% reads and 20% writes:
--   35% get a contact, 15% list an account's contacts, 10% search
--   (prefix or Chinese), 10% an account's timeline, 10% a deep page of
--   all contacts (cursor from an earlier answer, else page 1),
--   10% create a contact, 10% update (If-Match) a contact this thread
--   created earlier in the run (a create when there is none yet).
-- A write's answer is recognised by its external_id "bench-T<thread>-",
-- which no read of a demo record carries; it feeds the update pool. Any
-- list's next_cursor feeds the deep pages (a cursor holds only sort values,
-- so one from an account's list is a valid position in the whole list).
local B = dofile(os.getenv("BENCH_WRK_DIR") .. "/lib.lua")
setup = B.setup
local json_hdr = B.headers({["Content-Type"] = "application/json"})
local patch_hdr = B.headers({["Content-Type"] = "application/json", ["If-Match"] = ""})
local pool, ph, pt = {}, 1, 0      -- {id, version} ready to update
local cursors, ch, ct = {}, 1, 0   -- next_cursor values to follow
local n = 0
local mine
local listpath = "/api/v1/contacts?sort=-created_at,name&limit=50"
function init()
	B.seed()
	mine = '"external_id":"bench%-T' .. tid .. '%-'
end
local function create()
	n = n + 1
	return wrk.format("POST", "/api/v1/contacts", json_hdr, B.person(tid, n))
end
function request()
	local r = math.random(100)
	if r <= 35 then
		return wrk.format("GET", "/api/v1/contacts/" .. math.random(B.contacts))
	elseif r <= 50 then
		return wrk.format("GET", "/api/v1/contacts?account_id=" .. B.account(0.5) ..
			"&sort=-created_at,name&limit=50")
	elseif r <= 60 then
		local kind = math.random(2) == 1 and "prefix" or "cjk"
		local t = B.terms[kind][math.random(#B.terms[kind])]
		return wrk.format("GET", "/api/v1/search?q=" .. B.urlencode(t))
	elseif r <= 70 then
		return wrk.format("GET", "/api/v1/accounts/" .. B.account(0.8) .. "/timeline")
	elseif r <= 80 then
		if ch <= ct then
			local c = cursors[ch]
			cursors[ch] = nil
			ch = ch + 1
			return wrk.format("GET", listpath .. "&cursor=" .. B.urlencode(c))
		end
		return wrk.format("GET", listpath)
	elseif r <= 90 or ph > pt then
		return create()
	else
		local e = pool[ph]
		pool[ph] = nil
		ph = ph + 1
		patch_hdr["If-Match"] = '"' .. e[2] .. '"'
		return wrk.format("PATCH", "/api/v1/contacts/" .. e[1], patch_hdr,
			string.format('{"title":"Bench mixed %d"}', n % 1000))
	end
end
function response(status, headers, body)
	B.count(status)
	if status ~= 200 and status ~= 201 then return end
	local c1 = string.sub(body, 1, 6)
	if c1 == '{"id":' then
		if string.find(body, mine) then
			local id = tonumber(string.match(body, '^{"id":(%d+)'))
			local v = tonumber(string.match(body, '"version":(%d+)'))
			if id and v and pt - ph < 1000 then
				pt = pt + 1
				pool[pt] = {id, v}
			end
		end
	elseif ct - ch < 200 then
		local cur = B.next_cursor(body)
		if cur and math.random(50) > 1 then
			ct = ct + 1
			cursors[ct] = cur
		end
	end
end
done = B.done
