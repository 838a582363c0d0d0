-- The network's directory of schools (a school's id IS its organisation id)
-- and each library's passport, every change kept as a dated version.
CREATE TABLE schools (
    id         text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9._-]{1,64}$'),
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 500),
    district   text CHECK (length(district) BETWEEN 1 AND 200),
    kind       text NOT NULL CHECK (kind IN ('school', 'lyceum', 'gymnasium', 'resource_centre')),
    -- students[g] = students in grade g, 1..11
    students   int[] NOT NULL DEFAULT array_fill(0, ARRAY[11])
               CHECK (cardinality(students) = 11 AND 0 <= ALL (students)),
    version    int NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE passports (
    school_id          text NOT NULL REFERENCES schools (id),
    version            int NOT NULL CHECK (version > 0),
    area_m2            numeric(9, 1) CHECK (area_m2 >= 0),
    reading_room_seats int CHECK (reading_room_seats >= 0),
    computers          int CHECK (computers >= 0),
    terminals          int CHECK (terminals >= 0),
    printers           int CHECK (printers >= 0),
    scanners           int CHECK (scanners >= 0),
    projector          boolean,
    internet_mbps      numeric(9, 1) CHECK (internet_mbps >= 0),
    media_equipment    text[] NOT NULL DEFAULT '{}',
    staff_count        int CHECK (staff_count >= 0),
    ibc_level          text NOT NULL DEFAULT 'none'
                       CHECK (ibc_level IN ('none', 'pilot', 'base_site', 'ibc')),
    level_reached_on   date,
    note               text,
    recorded_at        timestamptz NOT NULL DEFAULT clock_timestamp(),
    recorded_by        text NOT NULL DEFAULT '', -- API key id of the change, not a person
    PRIMARY KEY (school_id, version),
    CHECK ((ibc_level = 'none') = (level_reached_on IS NULL))
);

-- A passport version as JSON, the one place that shapes it.
CREATE FUNCTION passport_json(p passports) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'school', p.school_id, 'version', p.version, 'area_m2', p.area_m2,
        'reading_room_seats', p.reading_room_seats, 'computers', p.computers,
        'terminals', p.terminals, 'printers', p.printers, 'scanners', p.scanners,
        'projector', p.projector, 'internet_mbps', p.internet_mbps,
        'media_equipment', to_jsonb(p.media_equipment), 'staff_count', p.staff_count,
        'ibc_level', p.ibc_level, 'level_reached_on', p.level_reached_on, 'note', p.note,
        'recorded_at', p.recorded_at, 'recorded_by', nullif(p.recorded_by, ''))
$$;

-- A school as JSON with its current ИБЦ level.
CREATE FUNCTION school_json(s schools) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', s.id, 'name', s.name, 'district', s.district, 'kind', s.kind,
        'students', (SELECT jsonb_object_agg(g::text, s.students[g]) FROM generate_series(1, 11) g),
        'students_total', (SELECT sum(x) FROM unnest(s.students) x),
        'ibc_level', coalesce(p.ibc_level, 'none'), 'level_reached_on', p.level_reached_on,
        'passport_version', p.version,
        'version', s.version, 'created_at', s.created_at, 'updated_at', s.updated_at)
    FROM (SELECT 1) one
    LEFT JOIN LATERAL (SELECT * FROM passports q WHERE q.school_id = s.id
                       ORDER BY q.version DESC LIMIT 1) p ON true
$$;
