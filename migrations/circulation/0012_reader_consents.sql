-- 152-ФЗ (issue 16): a reader's consent to the processing of their personal
-- data, or a parent's for a minor, with its date and basis; shown to the
-- reader's own school only (like the birth date). `anonymised_at` marks a
-- reader who left and whose personal data the anonymiser removed.
CREATE TABLE reader_consents (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    reader_id   uuid NOT NULL REFERENCES readers (id) ON DELETE CASCADE,
    kind        text NOT NULL CHECK (kind IN ('reader', 'parent')),
    basis       text NOT NULL CHECK (length(basis) BETWEEN 1 AND 500),
    given_on    date NOT NULL CHECK (given_on >= '2000-01-01'),
    given_by    text CHECK (length(given_by) BETWEEN 1 AND 300),
    principal   text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX reader_consents_reader ON reader_consents (reader_id, given_on);

ALTER TABLE readers ADD COLUMN anonymised_at timestamptz;

CREATE FUNCTION consent_json(c reader_consents) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_strip_nulls(jsonb_build_object('id', c.id, 'kind', c.kind, 'basis', c.basis,
        'given_on', c.given_on, 'given_by', c.given_by, 'created_at', c.created_at))
$$;

-- the consents, for the reader's own school only (an object to merge)
CREATE FUNCTION reader_consents(r readers, org text) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN r.school = org THEN jsonb_build_object('consents',
        (SELECT coalesce(jsonb_agg(consent_json(c) ORDER BY c.given_on, c.created_at), '[]')
         FROM reader_consents c WHERE c.reader_id = r.id)) ELSE '{}'::jsonb END
$$;
