-- Applied to every service's schema (search_path is set to it): the
-- transactional outbox of its events and the replies kept for Idempotency-Key.
CREATE TABLE outbox (
    seq          bigserial PRIMARY KEY,
    id           uuid NOT NULL DEFAULT gen_random_uuid() UNIQUE,
    subject      text NOT NULL,            -- ibc.evt.<service>.<entity>.<verb>
    type         text NOT NULL,            -- CloudEvents type
    source       text NOT NULL,
    subject_id   text,                     -- CloudEvents subject: the entity id
    data         jsonb NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    published_at timestamptz
);
CREATE INDEX outbox_pending ON outbox (seq) WHERE published_at IS NULL;

-- wake the relay at commit; one notification per statement is enough
CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify(TG_TABLE_SCHEMA || '_outbox', '');
    RETURN NULL;
END $$;
CREATE TRIGGER outbox_notify AFTER INSERT ON outbox
    FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();

CREATE TABLE idempotency (
    principal    text NOT NULL,
    key          text NOT NULL,
    action       text NOT NULL,
    request_hash text NOT NULL,
    reply        text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (principal, key)
);
