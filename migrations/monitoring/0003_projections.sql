-- Projections of the other services' events (IBC_EVENTS), the source of the
-- network's indicators. Ids are kept as text: they are the other services'
-- ids, never joined to our own tables by a foreign key, since events of
-- different services arrive in any order. Times are the events' own
-- CloudEvents times, so that a replay of the stream rebuilds the same history.
-- POST /indicators/rebuild truncates every p_* table and the inbox together.
CREATE TABLE p_records (
    id               text PRIMARY KEY,
    type             text,
    textbook_subject text,
    grade_from       int,
    grade_to         int,
    created_at       timestamptz NOT NULL,
    changed_at       timestamptz NOT NULL, -- time of the event that set the fields
    deleted_at       timestamptz
);
CREATE INDEX p_records_textbook ON p_records (lower(textbook_subject))
    WHERE textbook_subject IS NOT NULL AND deleted_at IS NULL;

CREATE TABLE p_items (
    id         text PRIMARY KEY,
    record_id  text,
    school     text,
    status     text,
    created_at timestamptz NOT NULL,
    changed_at timestamptz NOT NULL
);
CREATE INDEX p_items_school_record ON p_items (school, record_id);
CREATE INDEX p_items_record ON p_items (record_id);

CREATE TABLE p_readers (
    id         text PRIMARY KEY,
    school     text,
    category   text,
    created_at timestamptz NOT NULL,
    deleted_at timestamptz
);

CREATE TABLE p_loans (
    id          text PRIMARY KEY,
    school      text,
    reader_id   text,
    item_id     text,
    created_at  timestamptz NOT NULL,
    returned_at timestamptz
);
CREATE INDEX p_loans_created ON p_loans (created_at);

-- borrowing activity: a loan or a renewal, for "active readers per month"
CREATE TABLE p_loan_activity (
    loan_id   text NOT NULL,
    verb      text NOT NULL,
    reader_id text,
    school    text,
    at        timestamptz NOT NULL,
    PRIMARY KEY (loan_id, verb, at)
);
CREATE INDEX p_loan_activity_at ON p_loan_activity (at);

CREATE TABLE p_staff (
    id         text PRIMARY KEY,
    school     text,
    created_at timestamptz NOT NULL,
    left_on    date -- set by training.staff.deleted
);

CREATE TABLE p_completions (
    enrolment_id text PRIMARY KEY,
    staff_id     text NOT NULL,
    school       text,
    course_id    text,
    hours        numeric,
    completed_on date NOT NULL
);
CREATE INDEX p_completions_staff ON p_completions (staff_id, completed_on);

CREATE TABLE p_projects (
    id               text PRIMARY KEY,
    school           text,
    programme_id     text,
    status           text,
    requested_amount numeric,
    awarded_amount   numeric,
    created_at       timestamptz NOT NULL,
    changed_at       timestamptz NOT NULL
);

-- every status a project had and since when, for the monthly history
CREATE TABLE p_project_status (
    project_id text NOT NULL,
    status     text NOT NULL,
    at         timestamptz NOT NULL,
    PRIMARY KEY (project_id, at, status)
);
