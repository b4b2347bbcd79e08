-- 005_totp: two-factor sign-in. A user's TOTP secret (base32) lives here,
-- apart from the users table, so that no generic path — record JSON,
-- lists, filters, exports, the audit log — can ever reach it. `id` is the
-- user's id (a backup table's rows are read in id order). `pending` is a
-- secret set up but not yet confirmed with a code; `last_step` is the
-- last 30-second step a code was accepted for (no code is accepted twice).
-- users.two_factor tells whether `secret` is in force.
CREATE TABLE user_totp (
	id INTEGER PRIMARY KEY,
	secret TEXT,
	pending TEXT,
	last_step INTEGER NOT NULL DEFAULT 0,
	updated_at TEXT NOT NULL
) STRICT;
