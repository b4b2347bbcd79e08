-- 006_search_terms (SQLite): nothing to do. PostgreSQL's global search
-- gets an ordered term index (pg/006); FTS5 walks its doclists newest
-- first already.
SELECT 1;
