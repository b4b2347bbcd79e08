-- 002_search_prefix: prefix indexes for 1-3 character prefixes, so a
-- search typed one letter at a time ("iva" → "iva"*) reads one index entry
-- instead of merging every term that starts with it. FTS5 options cannot
-- be changed in place: the table is rebuilt with its content.
CREATE VIRTUAL TABLE search_index_new USING fts5 (body, tokenize = 'unicode61 remove_diacritics 0', prefix = '1 2 3');
INSERT INTO search_index_new (rowid, body) SELECT rowid, body FROM search_index;
DROP TABLE search_index;
ALTER TABLE search_index_new RENAME TO search_index;
