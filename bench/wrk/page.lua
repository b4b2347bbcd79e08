-- page.lua — deep paging through all contacts with the keyset cursor:
-- GET /api/v1/contacts?sort=-created_at,name&limit=50, then &cursor= the
-- previous page's next_cursor. Each wrk thread keeps a queue of open
-- "readers"; a response's next_cursor is that reader's next page. A
-- reader goes back to page 1 with probability 1/BENCH_PAGES after each
-- page (so on average it reads BENCH_PAGES pages deep) or at the end.
local B = dofile(os.getenv("BENCH_WRK_DIR") .. "/lib.lua")
setup = B.setup
local first = "/api/v1/contacts?sort=-created_at,name&limit=50"
local pages = B.envnum("BENCH_PAGES", 50)
local queue, head, tail = {}, 1, 0
restarts, followed = 0, 0
function init() B.seed() end
function request()
	local path = first
	if head <= tail then
		path = queue[head]
		queue[head] = nil
		head = head + 1
	end
	return wrk.format("GET", path)
end
function response(status, headers, body)
	B.count(status)
	local cur = status == 200 and B.next_cursor(body)
	if cur and math.random() >= 1 / pages then
		tail = tail + 1
		queue[tail] = first .. "&cursor=" .. B.urlencode(cur)
		followed = followed + 1
	else
		restarts = restarts + 1
	end
end
local threads = {}
function setup(thread)
	B.setup(thread)
	threads[#threads + 1] = thread
end
function done(summary, latency, requests)
	local f, r = 0, 0
	for _, t in ipairs(threads) do
		f = f + (t:get("followed") or 0)
		r = r + (t:get("restarts") or 0)
	end
	B.done(summary, latency, requests,
		string.format(',"cursor_pages":%d,"restarts":%d', f, r))
end
