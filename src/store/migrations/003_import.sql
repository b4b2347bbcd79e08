-- 003_import: the durable job queue the server's worker runs (imports
-- first), the normalised keys that find duplicate records (kept by the
-- record service on every write), and what each import changed, so an
-- import can be undone as a whole.
CREATE TABLE jobs (
	id INTEGER PRIMARY KEY,
	kind TEXT NOT NULL,
	ref_id INTEGER NOT NULL,
	status TEXT NOT NULL DEFAULT 'queued',
	run_after INTEGER NOT NULL,
	locked_until INTEGER,
	attempts INTEGER NOT NULL DEFAULT 0,
	error TEXT,
	created_at TEXT NOT NULL,
	finished_at TEXT
) STRICT;
CREATE INDEX jobs_ready ON jobs (status, run_after);

CREATE TABLE dedup_keys (
	entity INTEGER NOT NULL,
	kind TEXT NOT NULL,
	key TEXT NOT NULL,
	record_id INTEGER NOT NULL
) STRICT;
CREATE INDEX dedup_keys_key ON dedup_keys (entity, kind, key, record_id);
CREATE INDEX dedup_keys_record ON dedup_keys (entity, record_id);

CREATE TABLE import_changes (
	import_id INTEGER NOT NULL,
	seq INTEGER NOT NULL,
	entity TEXT NOT NULL,
	record_id INTEGER NOT NULL,
	action TEXT NOT NULL,
	old TEXT,
	PRIMARY KEY (import_id, seq)
) STRICT;
