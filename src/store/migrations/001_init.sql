-- 001_init: the system tables. Entity tables are generated from the
-- descriptors by the store (schema.c), so a new field needs no migration.
CREATE TABLE custom_fields (
	id INTEGER PRIMARY KEY,
	entity TEXT NOT NULL,
	name TEXT NOT NULL,
	type TEXT NOT NULL,
	label TEXT,
	required INTEGER NOT NULL DEFAULT 0,
	searchable INTEGER NOT NULL DEFAULT 0,
	sortable INTEGER NOT NULL DEFAULT 0,
	max_len INTEGER NOT NULL DEFAULT 0,
	options TEXT,
	ref TEXT,
	created_at TEXT NOT NULL,
	UNIQUE (entity, name)
) STRICT;

CREATE TABLE sessions (
	token_hash TEXT PRIMARY KEY,
	user_id INTEGER NOT NULL,
	csrf TEXT NOT NULL,
	created_at TEXT NOT NULL,
	expires_at INTEGER NOT NULL
) STRICT;
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
	id INTEGER PRIMARY KEY,
	user_id INTEGER NOT NULL,
	name TEXT NOT NULL,
	token_hash TEXT NOT NULL UNIQUE,
	prefix TEXT NOT NULL,
	created_at TEXT NOT NULL,
	last_used_at TEXT,
	revoked_at TEXT
) STRICT;
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE audit_log (
	id INTEGER PRIMARY KEY,
	entity TEXT NOT NULL,
	record_id INTEGER NOT NULL,
	user_id INTEGER,
	action TEXT NOT NULL,
	changes TEXT NOT NULL,
	at TEXT NOT NULL
) STRICT;
CREATE INDEX audit_log_record ON audit_log (entity, record_id, id);

CREATE TABLE idempotency_keys (
	user_id INTEGER NOT NULL,
	key TEXT NOT NULL,
	request_hash TEXT NOT NULL,
	status INTEGER NOT NULL,
	headers TEXT NOT NULL,
	body TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (user_id, key)
) STRICT;

CREATE TABLE login_failures (
	key TEXT NOT NULL,
	at INTEGER NOT NULL
) STRICT;
CREATE INDEX login_failures_key ON login_failures (key, at);

-- Normalised search text (folded, transliterated, CJK bigrams) computed in
-- C; rowid = entity code << 40 | record id.
CREATE VIRTUAL TABLE search_index USING fts5 (body, tokenize = 'unicode61 remove_diacritics 0');
