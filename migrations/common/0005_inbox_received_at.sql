-- The relay forgets inbox rows older than IBC_INBOX_DAYS (shared/src/outbox.c):
-- find them without reading the whole table.
CREATE INDEX inbox_received_at ON inbox (received_at);
