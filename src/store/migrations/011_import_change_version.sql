-- 011_import_change_version: the version an import left each record at,
-- so its undo leaves alone a record changed since (NULL in changes made
-- before: those are undone as before).
ALTER TABLE import_changes ADD COLUMN version INTEGER;
