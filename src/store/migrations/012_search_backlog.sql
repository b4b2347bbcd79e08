-- 012_search_backlog: records whose search text is written after them
-- (an import's), by their search key; see store/backlog.c.
CREATE TABLE search_backlog (key INTEGER PRIMARY KEY) STRICT;
