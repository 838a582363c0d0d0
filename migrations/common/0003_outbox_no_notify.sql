-- The relay is woken in-process after a commit and polls otherwise: a NOTIFY
-- per transaction made PostgreSQL commit the transactions of every service,
-- and flush them to disk, one at a time (see shared/src/outbox.c).
DROP TRIGGER outbox_notify ON outbox;
DROP FUNCTION outbox_notify();
