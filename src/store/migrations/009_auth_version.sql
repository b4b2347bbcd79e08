-- 009_auth_version: a number that changes with every write to the tables
-- that say who a caller is (users, roles, api_tokens, and custom_fields:
-- a field added to users is in the caller's record), whoever writes
-- them: this server, another one on the same database, or the shell. A
-- server remembers callers between requests while it is unchanged
-- (domain/caller.c). The triggers that count are made once the entity
-- tables exist (the driver's auth_triggers, after the schema's sync).
CREATE TABLE auth_version (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	n INTEGER NOT NULL
) STRICT;
INSERT INTO auth_version VALUES (1, 0);
