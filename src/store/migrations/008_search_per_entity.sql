-- 008_search_per_entity: a search index of its own for each entity that
-- global search reads (its rowid the record's id), instead of one for all
-- of them keyed by entity code << 40 | id. A search asks each entity in
-- turn; in the shared index each entity's query also stepped through the
-- other entities' entries for its terms: at 1M contacts the queries of
-- users and accounts took three times as long as at 10k. Rebuilt from the
-- shared index's text, with its settings (002, 004, 007), each merged into
-- one segment.
CREATE VIRTUAL TABLE search_users USING fts5 (body, tokenize = 'unicode61 remove_diacritics 0', prefix = '1 2 3 4 5');
INSERT INTO search_users(search_users, rank) VALUES('usermerge', 2);
INSERT INTO search_users (rowid, body) SELECT rowid - 1099511627776, body FROM search_index WHERE rowid BETWEEN 1099511627776 AND 2199023255551;
CREATE VIRTUAL TABLE search_accounts USING fts5 (body, tokenize = 'unicode61 remove_diacritics 0', prefix = '1 2 3 4 5');
INSERT INTO search_accounts(search_accounts, rank) VALUES('usermerge', 2);
INSERT INTO search_accounts (rowid, body) SELECT rowid - 4398046511104, body FROM search_index WHERE rowid BETWEEN 4398046511104 AND 5497558138879;
CREATE VIRTUAL TABLE search_contacts USING fts5 (body, tokenize = 'unicode61 remove_diacritics 0', prefix = '1 2 3 4 5');
INSERT INTO search_contacts(search_contacts, rank) VALUES('usermerge', 2);
INSERT INTO search_contacts (rowid, body) SELECT rowid - 5497558138880, body FROM search_index WHERE rowid BETWEEN 5497558138880 AND 6597069766655;
CREATE VIRTUAL TABLE search_leads USING fts5 (body, tokenize = 'unicode61 remove_diacritics 0', prefix = '1 2 3 4 5');
INSERT INTO search_leads(search_leads, rank) VALUES('usermerge', 2);
INSERT INTO search_leads (rowid, body) SELECT rowid - 6597069766656, body FROM search_index WHERE rowid BETWEEN 6597069766656 AND 7696581394431;
CREATE VIRTUAL TABLE search_deals USING fts5 (body, tokenize = 'unicode61 remove_diacritics 0', prefix = '1 2 3 4 5');
INSERT INTO search_deals(search_deals, rank) VALUES('usermerge', 2);
INSERT INTO search_deals (rowid, body) SELECT rowid - 9895604649984, body FROM search_index WHERE rowid BETWEEN 9895604649984 AND 10995116277759;
CREATE VIRTUAL TABLE search_activities USING fts5 (body, tokenize = 'unicode61 remove_diacritics 0', prefix = '1 2 3 4 5');
INSERT INTO search_activities(search_activities, rank) VALUES('usermerge', 2);
INSERT INTO search_activities (rowid, body) SELECT rowid - 10995116277760, body FROM search_index WHERE rowid BETWEEN 10995116277760 AND 12094627905535;
CREATE VIRTUAL TABLE search_products USING fts5 (body, tokenize = 'unicode61 remove_diacritics 0', prefix = '1 2 3 4 5');
INSERT INTO search_products(search_products, rank) VALUES('usermerge', 2);
INSERT INTO search_products (rowid, body) SELECT rowid - 12094627905536, body FROM search_index WHERE rowid BETWEEN 12094627905536 AND 13194139533311;
DROP TABLE search_index;
INSERT INTO search_users(search_users) VALUES('optimize');
INSERT INTO search_accounts(search_accounts) VALUES('optimize');
INSERT INTO search_contacts(search_contacts) VALUES('optimize');
INSERT INTO search_leads(search_leads) VALUES('optimize');
INSERT INTO search_deals(search_deals) VALUES('optimize');
INSERT INTO search_activities(search_activities) VALUES('optimize');
INSERT INTO search_products(search_products) VALUES('optimize');
