-- lib.lua — shared by the bench/wrk/*.lua scripts (loaded with dofile).
-- Everything comes from the environment bench/run.sh sets:
--   BENCH_TOKEN     API token (Authorization: Bearer)
--   BENCH_CONTACTS  highest demo contact id (ids 1..N are the demo's)
--   BENCH_ACCOUNTS  highest demo account id
--   BENCH_BIG       comma-separated ids of the biggest accounts
--   BENCH_THREADS   wrk's -t (to split id ranges between threads)
--   BENCH_NAME      the workload's name, for the JSON line
-- Each wrk thread has its own Lua state: setup() and done() run in yet
-- another one, so per-thread counters travel through thread:get().

local M = {}

function M.env(name, default)
	local v = os.getenv(name)
	if v == nil or v == "" then
		if default == nil then error("bench: " .. name .. " is not set") end
		return default
	end
	return v
end

function M.envnum(name, default)
	return tonumber(M.env(name, default and tostring(default)))
end

M.token = M.env("BENCH_TOKEN", "none")
M.contacts = M.envnum("BENCH_CONTACTS", 1)
M.accounts = M.envnum("BENCH_ACCOUNTS", 1)
M.nthreads = M.envnum("BENCH_THREADS", 1)
M.big = {}
for id in string.gmatch(M.env("BENCH_BIG", "1"), "%d+") do
	M.big[#M.big + 1] = tonumber(id)
end

wrk.headers["Authorization"] = "Bearer " .. M.token
wrk.headers["Accept"] = "application/json"

-- wrk.format replaces wrk.headers with the table it is given: this one
-- adds to them.
function M.headers(extra)
	local h = {}
	for k, v in pairs(wrk.headers) do h[k] = v end
	for k, v in pairs(extra or {}) do h[k] = v end
	return h
end

-- A random account: with probability pbig one of the biggest accounts
-- (a handful of large customers get most of the traffic), else any.
function M.account(pbig)
	if math.random() < pbig then
		return M.big[math.random(#M.big)]
	end
	return math.random(M.accounts)
end

-- Percent-encoding for query values (UTF-8 bytes as %XX).
function M.urlencode(s)
	return (string.gsub(s, "[^%w%-%._~]", function(c)
		return string.format("%%%02X", string.byte(c))
	end))
end

-- A list page's next_cursor, or nil. It is the body's last member, so it
-- is looked for in the last kilobyte: matched from the start, a page of 50
-- contacts (25 KB) cost the load generator as much CPU as the server.
local CURSOR_KEY = '"next_cursor":"'
function M.next_cursor(body)
	local at = string.find(body, CURSOR_KEY, math.max(1, #body - 1024), true)
	return at and string.match(body, '^([^"]+)"', at + #CURSOR_KEY) or nil
end

-- Search terms, a few per kind: a name prefix in Latin, Cyrillic and
-- pinyin (which finds Chinese names), and a two-character Chinese
-- substring (FTS5 indexes Han text as overlapping bigrams).
M.terms = {
	prefix = {"smi", "john", "will", "brow", "Иван", "Смир", "Кузн", "Петр",
	          "zhang", "wang", "chen", "liu"},
	cjk = {"小明", "建国", "海燕", "志强", "海涛", "科技"},
}

-- Names for created records, in the three languages of the demo data.
M.names = {
	{"王", "小明"}, {"李", "建国"}, {"张", "海燕"}, {"陈", "志强"},
	{"Иванов", "Пётр"}, {"Смирнова", "Анна"}, {"Кузнецов", "Олег"},
	{"Smith", "John"}, {"Miller", "Emma"}, {"Brown", "Oliver"},
}

function M.person(tid, n)
	local p = M.names[math.random(#M.names)]
	local name
	if string.byte(p[1]) >= 0xE4 and string.byte(p[1]) <= 0xE9 then
		name = p[1] .. p[2]           -- Chinese: family name first, no space
	else
		name = p[2] .. " " .. p[1]
	end
	return string.format(
		'{"name":"%s","family_name":"%s","given_name":"%s",' ..
		'"email":"bench%d.%d@example.com","title":"Bench %d",' ..
		'"account_id":%d,"external_id":"bench-T%d-%d"}',
		name, p[1], p[2], tid, n, n % 97, M.account(0.2), tid, n)
end

-- Status counting (scripts with a response() callback), summed by done().
codes = {}
function M.count(status)
	codes[status] = (codes[status] or 0) + 1
end

-- setup()/done() helpers: remember the threads, number them.
local threads = {}
function M.setup(thread)
	thread:set("tid", #threads)
	threads[#threads + 1] = thread
end

function M.seed()
	math.randomseed(os.time() * 1000 + (tid or 0) * 7919 + os.clock() * 1e6)
end

-- One line of JSON on stdout, prefixed so bench/run.sh can find it among
-- wrk's own report: throughput, latency percentiles (ms), errors, codes.
function M.done(summary, latency, requests, extra)
	local codes_all = {}
	for _, t in ipairs(threads) do
		for k, v in pairs(t:get("codes") or {}) do
			codes_all[k] = (codes_all[k] or 0) + v
		end
	end
	local parts = {}
	for k, v in pairs(codes_all) do
		parts[#parts + 1] = string.format('"%s":%d', k, v)
	end
	table.sort(parts)
	local e = summary.errors
	local secs = summary.duration / 1e6
	local function ms(p) return latency:percentile(p) / 1000 end
	io.write(string.format(
		'BENCH_JSON {"workload":"%s","requests":%d,"duration_s":%.3f,' ..
		'"rps":%.1f,"p50_ms":%.3f,"p90_ms":%.3f,"p99_ms":%.3f,' ..
		'"p999_ms":%.3f,"max_ms":%.3f,"mean_ms":%.3f,"bytes":%d,' ..
		'"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
		'"codes":{%s}%s}\n',
		M.env("BENCH_NAME", "?"), summary.requests, secs,
		summary.requests / secs, ms(50), ms(90), ms(99), ms(99.9),
		latency.max / 1000, latency.mean / 1000, summary.bytes,
		e.connect, e.read, e.write, e.status, e.timeout,
		table.concat(parts, ","), extra or ""))
end

return M
