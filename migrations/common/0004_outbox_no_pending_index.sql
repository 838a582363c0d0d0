-- Published rows are deleted, never marked: every row is pending, and the
-- relay takes them in primary-key order. One index less to write per event.
DROP INDEX outbox_pending;
