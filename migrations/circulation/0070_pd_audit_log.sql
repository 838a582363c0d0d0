-- 152-ФЗ (issue 16): the audit log of readers' personal data. One row for
-- each read of names (a reader card, a list with names, an export) and each
-- change (create, update, delete, consent, anonymisation): who (principal,
-- role, organisation, request id), when, what (action, the readers' ids,
-- the fields), written in the transaction of the change, and before the
-- reply of a read. It holds ids and field names only, never a value: once a
-- reader is anonymised nothing in it ties a name to the rows, which stay.
--
-- Append-only: a trigger refuses UPDATE, DELETE and TRUNCATE to every role,
-- and the service's role is not granted them (deploy/pg-roles.sql revokes
-- them again from tables named *_audit_log after its blanket grant).
CREATE TABLE pd_audit_log (
    seq        bigserial PRIMARY KEY,
    at         timestamptz NOT NULL DEFAULT now(),
    principal  text NOT NULL CHECK (length(principal) BETWEEN 1 AND 200),
    role       text NOT NULL CHECK (length(role) BETWEEN 1 AND 32),
    org        text NOT NULL CHECK (length(org) <= 64),
    request_id text CHECK (length(request_id) <= 128),
    action     text NOT NULL CHECK (action IN ('read', 'list', 'export', 'create', 'update',
                                               'delete', 'consent', 'anonymise')),
    school     text NOT NULL CHECK (school ~ '^[A-Za-z0-9._-]{1,64}$'),
    reader_ids uuid[] NOT NULL CHECK (cardinality(reader_ids) >= 1),
    fields     text[] NOT NULL
);
CREATE INDEX pd_audit_log_school_at ON pd_audit_log (school, at);
CREATE INDEX pd_audit_log_principal_at ON pd_audit_log (principal, at);
CREATE INDEX pd_audit_log_readers ON pd_audit_log USING gin (reader_ids);

CREATE FUNCTION pd_audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
        MESSAGE = 'the personal-data audit log is append-only: ' || TG_OP || ' is refused';
END $$;
CREATE TRIGGER pd_audit_log_no_change BEFORE UPDATE OR DELETE ON pd_audit_log
    FOR EACH ROW EXECUTE FUNCTION pd_audit_log_append_only();
CREATE TRIGGER pd_audit_log_no_truncate BEFORE TRUNCATE ON pd_audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION pd_audit_log_append_only();

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = current_schema() || '_app') THEN
        EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON pd_audit_log FROM %I',
                       current_schema() || '_app');
    END IF;
END $$;
