-- 007_search_usermerge: the server merges the search index's small
-- segments while idle (store_search_tidy, FTS5's 'merge' command); with
-- usermerge 2 a merge step takes any two segments of a level, not four,
-- so a burst of writes leaves one or two segments besides the big one
-- instead of up to three per level, each read by every search.
INSERT INTO search_index(search_index, rank) VALUES('usermerge', 2);
