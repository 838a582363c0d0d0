-- The union catalog's bibliographic records: shared by every school.
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;

-- array_to_string is only STABLE; joining text arrays is immutable in fact
CREATE FUNCTION join_text(a text[]) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT coalesce(array_to_string(a, ' '), '') $$;

CREATE TABLE records (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    type             text NOT NULL CHECK (type IN ('book', 'textbook', 'e-resource', 'multimedia', 'periodical', 'methodical')),
    title            text NOT NULL CHECK (length(title) BETWEEN 1 AND 2000),
    subtitle         text,
    authors          text[] NOT NULL DEFAULT '{}',
    publisher        text,
    place            text,
    year             int CHECK (year BETWEEN 1000 AND 2100),
    isbn             text CHECK (isbn ~ '^97[89][0-9]{10}$'),
    issn             text,
    language         text,
    bbk              text,
    udk              text,
    subjects         text[] NOT NULL DEFAULT '{}',
    annotation       text,
    age_rating       text CHECK (age_rating IN ('0+', '6+', '12+', '16+', '18+')),
    edition          text,
    pages            int CHECK (pages > 0),
    series           text,
    textbook_subject text,
    grade_from       int CHECK (grade_from BETWEEN 1 AND 11),
    grade_to         int CHECK (grade_to BETWEEN 1 AND 11),
    fpu_number       text,
    url              text,
    access           text CHECK (access IN ('open', 'network', 'school', 'licensed')),
    marcxml          text,
    created_by_org   text NOT NULL DEFAULT '',
    version          int NOT NULL DEFAULT 1,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CHECK (grade_from IS NULL OR grade_to IS NULL OR grade_from <= grade_to),
    tsv tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('russian'::regconfig, title || ' ' || coalesce(subtitle, '')), 'A') ||
        setweight(to_tsvector('simple'::regconfig, join_text(authors)), 'B') ||
        setweight(to_tsvector('russian'::regconfig, join_text(subjects)), 'C') ||
        setweight(to_tsvector('russian'::regconfig, coalesce(annotation, '')), 'D')) STORED
);
CREATE INDEX records_isbn ON records (isbn) WHERE isbn IS NOT NULL;

-- The public JSON of a record, built by PostgreSQL in one place.
CREATE FUNCTION record_json(r records) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_strip_nulls(jsonb_build_object(
        'id', r.id, 'type', r.type, 'title', r.title, 'subtitle', r.subtitle,
        'authors', to_jsonb(r.authors), 'publisher', r.publisher, 'place', r.place,
        'year', r.year, 'isbn', r.isbn, 'issn', r.issn, 'language', r.language,
        'bbk', r.bbk, 'udk', r.udk, 'subjects', to_jsonb(r.subjects),
        'annotation', r.annotation, 'age_rating', r.age_rating, 'edition', r.edition,
        'pages', r.pages, 'series', r.series,
        'textbook', CASE WHEN r.textbook_subject IS NOT NULL OR r.grade_from IS NOT NULL
                              OR r.grade_to IS NOT NULL OR r.fpu_number IS NOT NULL
                         THEN jsonb_strip_nulls(jsonb_build_object('subject', r.textbook_subject,
                              'grade_from', r.grade_from, 'grade_to', r.grade_to,
                              'fpu_number', r.fpu_number)) END,
        'eresource', CASE WHEN r.url IS NOT NULL OR r.access IS NOT NULL
                          THEN jsonb_strip_nulls(jsonb_build_object('url', r.url, 'access', r.access)) END,
        'version', r.version, 'created_by_org', nullif(r.created_by_org, ''),
        'created_at', r.created_at, 'updated_at', r.updated_at))
$$;
