-- Events of other services already applied by this one: a redelivered event
-- is recognised by its id and changes nothing (exactly-once effect).
CREATE TABLE inbox (
    event_id    uuid PRIMARY KEY,
    subject     text NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
);
