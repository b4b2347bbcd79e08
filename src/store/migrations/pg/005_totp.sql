-- 005_totp (PostgreSQL): two-factor secrets, as ../005_totp.sql. `id` is
-- the user's id, given, never generated.
CREATE TABLE user_totp (
	id BIGINT PRIMARY KEY,
	secret TEXT,
	pending TEXT,
	last_step BIGINT NOT NULL DEFAULT 0,
	updated_at TEXT NOT NULL
);
