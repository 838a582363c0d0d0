-- grants: funders' programmes, schools' transformation projects (team,
-- milestones, documents) under a checked status workflow whose every step is
-- kept, and the consultations of the network's project lab.

-- Amounts are roubles with kopecks: numeric(15, 2), shown as JSON numbers.
CREATE TABLE programmes (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    funder         text NOT NULL CHECK (length(funder) BETWEEN 1 AND 500),
    level          text NOT NULL
                   CHECK (level IN ('federal', 'regional', 'municipal', 'commercial', 'charitable')),
    title          text NOT NULL CHECK (length(title) BETWEEN 1 AND 1000),
    description    text,
    deadline       date NOT NULL,                 -- last day applications are accepted
    amount_min     numeric(15, 2) NOT NULL CHECK (amount_min >= 0),
    amount_max     numeric(15, 2) NOT NULL,
    url            text CHECK (url ~ '^https?://'),
    created_by_org text NOT NULL DEFAULT '',
    version        int NOT NULL DEFAULT 1,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CHECK (amount_min <= amount_max)
);
CREATE INDEX programmes_deadline ON programmes (deadline);

CREATE FUNCTION programme_json(g programmes) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_strip_nulls(jsonb_build_object(
        'id', g.id, 'funder', g.funder, 'level', g.level, 'title', g.title,
        'description', g.description, 'deadline', g.deadline,
        'amount_min', g.amount_min::float8, 'amount_max', g.amount_max::float8,
        'url', g.url, 'version', g.version, 'created_at', g.created_at,
        'updated_at', g.updated_at))
$$;

CREATE TABLE projects (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    school           text NOT NULL CHECK (school ~ '^[A-Za-z0-9._-]{1,64}$'),
    title            text NOT NULL CHECK (length(title) BETWEEN 1 AND 500),
    direction        text,
    summary          text,
    programme_id     uuid REFERENCES programmes (id),
    requested_amount numeric(15, 2) NOT NULL CHECK (requested_amount >= 0),
    awarded_amount   numeric(15, 2) CHECK (awarded_amount >= 0),
    start_date       date,
    end_date         date,
    status           text NOT NULL DEFAULT 'draft'
                     CHECK (status IN ('draft', 'submitted', 'under_review', 'approved',
                                       'rejected', 'in_progress', 'completed', 'withdrawn')),
    created_by       text NOT NULL DEFAULT '',
    version          int NOT NULL DEFAULT 1,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CHECK (start_date IS NULL OR end_date IS NULL OR start_date <= end_date)
);
CREATE INDEX projects_school ON projects (school, created_at);
CREATE INDEX projects_status ON projects (status);
CREATE INDEX projects_programme ON projects (programme_id);

-- The creative group: staff of one or several schools. Names are data here;
-- events carry ids only.
CREATE TABLE project_members (
    project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    position   int NOT NULL,
    staff_id   uuid,           -- training's staff id when known
    name       text NOT NULL,
    school     text NOT NULL CHECK (school ~ '^[A-Za-z0-9._-]{1,64}$'),
    role       text NOT NULL,
    PRIMARY KEY (project_id, position)
);

CREATE TABLE project_milestones (
    project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    position   int NOT NULL,
    title      text NOT NULL,
    due_date   date NOT NULL,
    status     text NOT NULL DEFAULT 'planned'
               CHECK (status IN ('planned', 'in_progress', 'done', 'cancelled')),
    done_on    date,
    PRIMARY KEY (project_id, position)
);

CREATE TABLE project_documents (
    project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    position   int NOT NULL,
    title      text NOT NULL,
    url        text NOT NULL CHECK (url ~ '^https?://'),
    kind       text,
    PRIMARY KEY (project_id, position)
);

-- Every step of the workflow, with who made it and when; the creation is the
-- first one (from_status NULL, to_status 'draft').
CREATE TABLE project_transitions (
    seq         bigserial PRIMARY KEY,
    id          uuid NOT NULL DEFAULT gen_random_uuid() UNIQUE,
    project_id  uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    from_status text,
    to_status   text NOT NULL,
    comment     text,
    principal   text NOT NULL,
    role        text NOT NULL,
    org         text NOT NULL,
    at          timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX project_transitions_project ON project_transitions (project_id, seq);

CREATE FUNCTION transition_json(t project_transitions) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_strip_nulls(jsonb_build_object(
        'id', t.id, 'project_id', t.project_id, 'from', t.from_status, 'to', t.to_status,
        'comment', t.comment, 'principal', t.principal, 'role', t.role, 'org', t.org,
        'at', t.at))
$$;

-- The list form of a project.
CREATE FUNCTION project_brief(p projects) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_strip_nulls(jsonb_build_object(
        'id', p.id, 'school', p.school, 'title', p.title, 'direction', p.direction,
        'status', p.status, 'programme_id', p.programme_id,
        'requested_amount', p.requested_amount::float8,
        'awarded_amount', p.awarded_amount::float8,
        'start_date', p.start_date, 'end_date', p.end_date, 'version', p.version,
        'created_at', p.created_at, 'updated_at', p.updated_at))
$$;

-- The full public form of a project.
CREATE FUNCTION project_json(p projects) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT project_brief(p) || jsonb_strip_nulls(jsonb_build_object(
        'summary', p.summary, 'created_by', nullif(p.created_by, ''),
        'programme', (SELECT jsonb_build_object('id', g.id, 'title', g.title, 'funder', g.funder,
                                                'level', g.level, 'deadline', g.deadline)
                      FROM programmes g WHERE g.id = p.programme_id),
        'team', (SELECT coalesce(jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
                            'staff_id', m.staff_id, 'name', m.name, 'school', m.school,
                            'role', m.role)) ORDER BY m.position), '[]'::jsonb)
                 FROM project_members m WHERE m.project_id = p.id),
        'milestones', (SELECT coalesce(jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
                            'title', s.title, 'due_date', s.due_date, 'status', s.status,
                            'done_on', s.done_on)) ORDER BY s.position), '[]'::jsonb)
                       FROM project_milestones s WHERE s.project_id = p.id),
        'documents', (SELECT coalesce(jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
                            'title', d.title, 'url', d.url, 'kind', d.kind))
                            ORDER BY d.position), '[]'::jsonb)
                      FROM project_documents d WHERE d.project_id = p.id)))
$$;

CREATE TABLE consultations (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    date        date NOT NULL,
    school      text NOT NULL CHECK (school ~ '^[A-Za-z0-9._-]{1,64}$'),
    topic       text NOT NULL CHECK (length(topic) BETWEEN 1 AND 1000),
    consultant  text NOT NULL CHECK (length(consultant) BETWEEN 1 AND 300),
    outcome     text,
    project_id  uuid REFERENCES projects (id),
    recorded_by text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX consultations_school ON consultations (school, date);
CREATE INDEX consultations_project ON consultations (project_id);
CREATE INDEX consultations_date ON consultations (date);

CREATE FUNCTION consultation_json(c consultations) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_strip_nulls(jsonb_build_object(
        'id', c.id, 'date', c.date, 'school', c.school, 'topic', c.topic,
        'consultant', c.consultant, 'outcome', c.outcome, 'project_id', c.project_id,
        'recorded_by', nullif(c.recorded_by, ''), 'created_at', c.created_at))
$$;
