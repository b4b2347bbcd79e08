-- 004_search_prefix5 (PostgreSQL): nothing to do (see 002).
SELECT 1;
