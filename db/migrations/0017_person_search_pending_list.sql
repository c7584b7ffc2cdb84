-- The persons search's trigram index gathers new entries in a pending list and merges them when
-- the list reaches gin_pending_list_limit: at the default 4 MB, a sync inserting persons meets a
-- merge of 50-65 ms every few seconds, one statement that holds the embedded database's thread
-- (and every page) meanwhile. At 1 MB the merges are four times as frequent and a quarter as long.
ALTER INDEX "persons_search_trgm_idx" SET (gin_pending_list_limit = 1024);
