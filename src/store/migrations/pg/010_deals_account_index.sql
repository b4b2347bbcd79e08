-- 010_deals_account_index (PostgreSQL): as ../010_deals_account_index.sql.
DROP INDEX IF EXISTS deals_account_created;
