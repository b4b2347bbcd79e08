-- 009_auth_version (PostgreSQL): as ../009_auth_version.sql, with the
-- function the triggers (made after the schema's sync) run: once per
-- statement, as PostgreSQL can.
CREATE TABLE auth_version (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	n BIGINT NOT NULL
);
INSERT INTO auth_version VALUES (1, 0);
CREATE FUNCTION auth_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE auth_version SET n = n + 1;
	RETURN NULL;
END
$$;
