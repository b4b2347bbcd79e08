-- 002_search_prefix (PostgreSQL): nothing to do. FTS5 needed prefix
-- indexes; a GIN index on a tsvector answers prefix queries (lexeme:*)
-- from the index itself.
SELECT 1;
