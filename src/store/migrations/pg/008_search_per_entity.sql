-- 008_search_per_entity (PostgreSQL): nothing to do. SQLite's FTS5 index
-- is split by entity (migrations/008); PostgreSQL reads an entity's rows of
-- search_terms by their key range, which its B-tree seeks to directly.
SELECT 1;
