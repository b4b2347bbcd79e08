-- 013_phone_keys_trunk: a phone written with its country's code and the
-- trunk prefix in brackets ("+44 (0)20 7946 0958") is keyed without the
-- 0 since this version, as "+44 20 7946 0958" is. The records of an older
-- database holding such a number are listed here (schema.c,
-- list_trunk_phones, once the entities' tables are there) and keyed
-- again by the idle job worker (store/backlog.c).
CREATE TABLE dedup_backlog (key INTEGER PRIMARY KEY) STRICT;
