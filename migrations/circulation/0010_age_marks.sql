-- 436-ФЗ (issue 16): a reader's optional birth date, the age mark of each
-- record (from the catalog's record events), the school's choice whether a
-- teacher may let a younger reader take a marked book, and the log of
-- those loans.
ALTER TABLE readers ADD COLUMN birth_date date CHECK (birth_date >= '1900-01-01');
ALTER TABLE records ADD COLUMN age_rating text CHECK (age_rating IN ('0+', '6+', '12+', '16+', '18+'));
ALTER TABLE schools ADD COLUMN teacher_age_override boolean NOT NULL DEFAULT false;

-- the birth date, for the reader's own school only (an object to merge)
CREATE FUNCTION reader_birth(r readers, org text) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN r.school = org AND r.birth_date IS NOT NULL
                THEN jsonb_build_object('birth_date', r.birth_date) ELSE '{}'::jsonb END
$$;

-- A loan of a copy whose age mark is above the reader's age, allowed by a
-- teacher of the school: who allowed it, for whom, and on whose key.
CREATE TABLE age_overrides (
    loan_id     uuid PRIMARY KEY REFERENCES loans (id),
    school      text NOT NULL,
    reader_id   uuid NOT NULL,
    teacher_id  uuid NOT NULL REFERENCES readers (id),
    record_id   uuid NOT NULL,
    age_rating  text NOT NULL,
    reader_age  int NOT NULL,
    principal   text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX age_overrides_school ON age_overrides (school, created_at);
