-- 010_deals_account_index: deals_account_created (account_id, created_at)
-- was made beside the index every reference field has on the same two
-- columns (deals_account_id_created), so each write to a deal kept two
-- copies of one index. The field's index stays.
DROP INDEX IF EXISTS deals_account_created;
