-- Survey campaigns and the schools' answers; the roadmap (дорожная карта);
-- reading-promotion events and partnership agreements; indicator targets.
CREATE TABLE campaigns (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    title      text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    period     text,
    deadline   date,
    questions  jsonb NOT NULL CHECK (jsonb_typeof(questions) = 'array'),
    status     text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    created_at timestamptz NOT NULL DEFAULT now(),
    closed_at  timestamptz
);

-- One answer per school and campaign, corrected in place until the campaign closes.
CREATE TABLE answers (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    campaign_id  uuid NOT NULL REFERENCES campaigns (id),
    school_id    text NOT NULL REFERENCES schools (id),
    answers      jsonb NOT NULL CHECK (jsonb_typeof(answers) = 'object'),
    version      int NOT NULL DEFAULT 1,
    submitted_at timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (campaign_id, school_id)
);

CREATE FUNCTION campaign_json(c campaigns) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', c.id, 'title', c.title, 'period', c.period, 'deadline', c.deadline,
        'questions', c.questions, 'status', c.status, 'created_at', c.created_at,
        'closed_at', c.closed_at,
        -- completion counts the schools of the directory, not the resource centre
        'schools', (SELECT count(*) FROM schools s WHERE s.kind <> 'resource_centre'),
        'answered', (SELECT count(*) FROM answers a JOIN schools s ON s.id = a.school_id
                     WHERE a.campaign_id = c.id AND s.kind <> 'resource_centre'))
$$;

CREATE FUNCTION answer_json(a answers) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', a.id, 'campaign_id', a.campaign_id, 'school', a.school_id, 'answers', a.answers,
        'version', a.version, 'submitted_at', a.submitted_at, 'updated_at', a.updated_at)
$$;

CREATE TABLE roadmap (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    section         text NOT NULL CHECK (length(section) BETWEEN 1 AND 200),
    title           text NOT NULL CHECK (length(title) BETWEEN 1 AND 1000),
    deadline        date NOT NULL,
    responsible_org text NOT NULL CHECK (responsible_org ~ '^[A-Za-z0-9._-]{1,64}$'),
    expected_result text,
    status          text NOT NULL DEFAULT 'planned'
                    CHECK (status IN ('planned', 'in_progress', 'done')),
    done_on         date,
    evidence        jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(evidence) = 'array'),
    version         int NOT NULL DEFAULT 1,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CHECK ((status = 'done') = (done_on IS NOT NULL))
);
CREATE INDEX roadmap_section ON roadmap (section, deadline);

-- "overdue" is not stored: it is a matter of the date.
CREATE FUNCTION roadmap_json(r roadmap) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', r.id, 'section', r.section, 'title', r.title, 'deadline', r.deadline,
        'responsible_org', r.responsible_org, 'expected_result', r.expected_result,
        'status', r.status, 'done_on', r.done_on,
        'overdue', r.status <> 'done' AND r.deadline < current_date,
        'evidence', r.evidence, 'version', r.version,
        'created_at', r.created_at, 'updated_at', r.updated_at)
$$;

CREATE TABLE promotions (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    school_id    text NOT NULL REFERENCES schools (id),
    campaign     text NOT NULL CHECK (length(campaign) BETWEEN 1 AND 300),
    held_on      date NOT NULL,
    participants int NOT NULL CHECK (participants >= 0),
    description  text,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX promotions_school ON promotions (school_id, held_on);

CREATE TABLE partnerships (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    school_id   text NOT NULL REFERENCES schools (id),
    partner     text NOT NULL CHECK (length(partner) BETWEEN 1 AND 500),
    signed_on   date NOT NULL,
    valid_until date,
    subject     text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (valid_until IS NULL OR valid_until >= signed_on)
);
CREATE INDEX partnerships_school ON partnerships (school_id, signed_on);

-- Targets of the network's indicators, set by a methodologist.
CREATE TABLE targets (
    indicator  text PRIMARY KEY,
    target     numeric NOT NULL CHECK (target >= 0),
    updated_at timestamptz NOT NULL DEFAULT now(),
    updated_by text NOT NULL DEFAULT ''
);
INSERT INTO targets (indicator, target) VALUES
    ('ibc_schools', 20), ('catalog_records', 20000), ('transformation_projects', 30);
