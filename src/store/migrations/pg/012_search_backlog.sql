-- 012_search_backlog (PostgreSQL): as ../012_search_backlog.sql.
CREATE TABLE search_backlog (key BIGINT PRIMARY KEY);
