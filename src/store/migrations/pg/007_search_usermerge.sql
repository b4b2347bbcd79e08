-- 007_search_usermerge (PostgreSQL): nothing to do. SQLite's FTS5 index is
-- merged while the server is idle (migrations/007); PostgreSQL's GIN index
-- and search_terms keep themselves.
SELECT 1;
