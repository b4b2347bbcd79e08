-- 013_phone_keys_trunk (PostgreSQL): as ../013_phone_keys_trunk.sql.
CREATE TABLE dedup_backlog (key BIGINT PRIMARY KEY);
