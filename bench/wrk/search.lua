-- search.lua — global search, GET /api/v1/search?q=TERM. BENCH_TERMS
-- picks the list: "prefix" (a Latin, Cyrillic or pinyin name prefix) or
-- "cjk" (a two-character Chinese substring).
local B = dofile(os.getenv("BENCH_WRK_DIR") .. "/lib.lua")
setup = B.setup
local terms = B.terms[B.env("BENCH_TERMS", "prefix")]
local paths = {}
for i, t in ipairs(terms) do
	paths[i] = "/api/v1/search?q=" .. B.urlencode(t)
end
function init() B.seed() end
function request()
	return wrk.format("GET", paths[math.random(#paths)])
end
done = B.done
