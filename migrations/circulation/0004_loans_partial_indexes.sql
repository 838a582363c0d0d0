-- Every partial index on open loans said only "returned_at IS NULL", and so
-- did the hot statements (a checkin, a checkout's facts, a hold's "already
-- lent to this reader?"). When the statistics were taken with no loan open (a
-- fresh network, or the summer after every textbook came back), PostgreSQL
-- believed those indexes empty and, in a plan it then kept for the
-- connection's life, read one of them whole for each statement instead of
-- probing it: each checkin walked every open loan of the network (the
-- benchmark fell from about 1,000 to 300 requests a second as 9,600 loans
-- opened). Each index now adds a condition that is always true of its rows
-- but that only the queries it is for imply (item_id = $x implies item_id IS
-- NOT NULL; due_date < $d implies due_date IS NOT NULL), so a statement can
-- use it only by its key. The new unique index is built before the old one
-- goes, so an item is never without the guarantee.
CREATE UNIQUE INDEX loans_one_open_per_item_new ON loans (item_id)
    WHERE returned_at IS NULL AND item_id IS NOT NULL;
DROP INDEX loans_one_open_per_item;
ALTER INDEX loans_one_open_per_item_new RENAME TO loans_one_open_per_item;

DROP INDEX loans_school_due;
CREATE INDEX loans_school_due ON loans (school, due_date)
    WHERE returned_at IS NULL AND due_date IS NOT NULL;

DROP INDEX loans_reader_open;
CREATE INDEX loans_reader_open ON loans (reader_id)
    WHERE returned_at IS NULL AND kind = 'regular' AND reader_id IS NOT NULL;
