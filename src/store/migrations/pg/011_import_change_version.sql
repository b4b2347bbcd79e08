-- 011_import_change_version (PostgreSQL): as ../011_import_change_version.sql.
ALTER TABLE import_changes ADD COLUMN version BIGINT;
