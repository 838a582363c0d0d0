-- The oldest record of an ISBN is one index entry away: the import's match
-- (marc_store.c) and records.create's duplicate check (store.c) ask
-- `isbn = $1 ORDER BY created_at LIMIT 1`. With an index on isbn alone the
-- planner, its statistics lagging behind a growing import, walked
-- records_newest backwards and filtered on isbn: the whole catalog for every
-- record of a batch (10 ms a record at 4,500 records, quadratic in the file).
DROP INDEX records_isbn;
CREATE INDEX records_isbn ON records (isbn, created_at) WHERE isbn IS NOT NULL;
