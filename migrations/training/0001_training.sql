-- Professional development of the network's library staff (повышение
-- квалификации): staff of each school, courses, enrolments with attendance and
-- completion. Every librarian must complete a qualifying course at least once
-- every three years.

CREATE TABLE staff (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    school      text NOT NULL CHECK (school ~ '^[A-Za-z0-9._-]{1,64}$'),
    full_name   text NOT NULL CHECK (length(full_name) BETWEEN 1 AND 300),
    position    text CHECK (length(position) BETWEEN 1 AND 200),
    hired_on    date,
    left_on     date,
    version     int NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (left_on IS NULL OR hired_on IS NULL OR left_on >= hired_on)
);
CREATE INDEX staff_school ON staff (school, full_name);

-- materials: [{"title": ..., "url": ...}] links to e-learning content.
-- enrolled counts enrolments that hold a seat (enrolled or completed); the
-- CHECK is the last guard of the capacity, the enrol statement the first.
CREATE TABLE courses (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    title          text NOT NULL CHECK (length(title) BETWEEN 1 AND 500),
    provider       text NOT NULL CHECK (length(provider) BETWEEN 1 AND 300),
    kind           text NOT NULL CHECK (kind IN ('course', 'seminar', 'webinar', 'consultation')),
    format         text NOT NULL CHECK (format IN ('in_person', 'distance', 'blended')),
    hours          int NOT NULL CHECK (hours BETWEEN 1 AND 2000),
    starts_on      date NOT NULL,
    ends_on        date NOT NULL,
    capacity       int CHECK (capacity BETWEEN 1 AND 10000),
    enrolled       int NOT NULL DEFAULT 0 CHECK (enrolled >= 0),
    location       text,
    description    text,
    materials      jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(materials) = 'array'),
    created_by_org text NOT NULL DEFAULT '',
    version        int NOT NULL DEFAULT 1,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CHECK (ends_on >= starts_on),
    CHECK (capacity IS NULL OR enrolled <= capacity)
);
CREATE INDEX courses_dates ON courses (starts_on, ends_on);

CREATE TABLE enrolments (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    course_id          uuid NOT NULL REFERENCES courses (id),
    staff_id           uuid NOT NULL REFERENCES staff (id),
    school             text NOT NULL, -- the staff member's school when enrolled
    status             text NOT NULL DEFAULT 'enrolled'
                       CHECK (status IN ('enrolled', 'completed', 'cancelled')),
    enrolled_by_org    text NOT NULL DEFAULT '',
    certificate_number text CHECK (length(certificate_number) BETWEEN 1 AND 64),
    hours_earned       int CHECK (hours_earned BETWEEN 1 AND 2000),
    completed_on       date,
    cancelled_at       timestamptz,
    cancel_reason      text,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    CHECK (status <> 'completed' OR (hours_earned IS NOT NULL AND completed_on IS NOT NULL)),
    CHECK (status <> 'cancelled' OR cancelled_at IS NOT NULL)
);
-- one live enrolment of a person in a course; a cancelled one may be redone
CREATE UNIQUE INDEX enrolments_live ON enrolments (course_id, staff_id) WHERE status <> 'cancelled';
-- a certificate (удостоверение) number is issued once in the whole network
CREATE UNIQUE INDEX enrolments_certificate ON enrolments (upper(certificate_number))
    WHERE certificate_number IS NOT NULL;
CREATE INDEX enrolments_staff ON enrolments (staff_id, completed_on);
CREATE INDEX enrolments_school ON enrolments (school, status);

-- attendance of one enrolment, one row per day of the course
CREATE TABLE attendance (
    enrolment_id uuid NOT NULL REFERENCES enrolments (id),
    day          date NOT NULL,
    present      boolean NOT NULL,
    hours        int CHECK (hours BETWEEN 0 AND 24),
    recorded_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (enrolment_id, day)
);

-- The public JSON of a staff member; the name only when show_names.
CREATE FUNCTION staff_json(s staff, show_names bool) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_strip_nulls(jsonb_build_object(
        'id', s.id, 'school', s.school,
        'full_name', CASE WHEN show_names THEN s.full_name END,
        'position', s.position, 'hired_on', s.hired_on, 'left_on', s.left_on,
        'version', s.version, 'created_at', s.created_at, 'updated_at', s.updated_at))
$$;

-- upcoming, running or finished, by the course's dates and today
CREATE FUNCTION course_status(c courses) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN c.starts_on > current_date THEN 'upcoming'
                WHEN c.ends_on < current_date THEN 'finished'
                ELSE 'running' END
$$;

CREATE FUNCTION course_json(c courses) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_strip_nulls(jsonb_build_object(
        'id', c.id, 'title', c.title, 'provider', c.provider, 'kind', c.kind,
        'status', course_status(c),
        'format', c.format, 'hours', c.hours, 'starts_on', c.starts_on, 'ends_on', c.ends_on,
        'capacity', c.capacity, 'enrolled', c.enrolled,
        'seats_left', c.capacity - c.enrolled,
        'location', c.location, 'description', c.description, 'materials', c.materials,
        'created_by_org', nullif(c.created_by_org, ''),
        'version', c.version, 'created_at', c.created_at, 'updated_at', c.updated_at))
$$;

-- An enrolment with its attendance (days in order and hours attended).
CREATE FUNCTION enrolment_json(e enrolments) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_strip_nulls(jsonb_build_object(
        'id', e.id, 'course_id', e.course_id, 'staff_id', e.staff_id, 'school', e.school,
        'status', e.status, 'certificate_number', e.certificate_number,
        'hours_earned', e.hours_earned, 'completed_on', e.completed_on,
        'cancelled_at', e.cancelled_at, 'cancel_reason', e.cancel_reason,
        'attendance', (SELECT coalesce(jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
                                  'date', a.day, 'present', a.present, 'hours', a.hours))
                              ORDER BY a.day), '[]')
                       FROM attendance a WHERE a.enrolment_id = e.id),
        'days_present', (SELECT count(*) FROM attendance a
                         WHERE a.enrolment_id = e.id AND a.present),
        'created_at', e.created_at, 'updated_at', e.updated_at))
$$;
