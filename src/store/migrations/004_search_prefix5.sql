-- 004_search_prefix5: prefix indexes for 4 and 5 characters too. A search
-- typed as "chen" or "zhang" is a prefix of many indexed terms (pinyin
-- syllables run together: chen, cheng, chenxiaoming, ...); without its own
-- prefix index FTS5 merges the doclists of all of them, for every entity
-- searched. Rebuilt with its content, as in 002.
CREATE VIRTUAL TABLE search_index_new USING fts5 (body, tokenize = 'unicode61 remove_diacritics 0', prefix = '1 2 3 4 5');
INSERT INTO search_index_new (rowid, body) SELECT rowid, body FROM search_index;
DROP TABLE search_index;
ALTER TABLE search_index_new RENAME TO search_index;
