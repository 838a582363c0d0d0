-- Circulation: readers, loan rules, loans, holds, class sets of textbooks and
-- loans between schools, beside a projection of the catalog's items (fed by
-- its events and by lookups; the catalog owns them).

-- ------------------------------------------------------------ projection
-- Items (экземпляры) as the catalog last told us. A barcode is unique in the
-- network; it is NULL here only while a newer event moved it to another item.
CREATE TABLE items (
    id        uuid PRIMARY KEY,
    record_id uuid NOT NULL,
    school    text NOT NULL,
    barcode   text UNIQUE,
    status    text NOT NULL,   -- as the catalog says: only 'available' can be lent
    source    text,
    version   int,
    synced_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX items_record_school ON items (record_id, school);

-- Which records are textbooks (from catalog.record.* events).
CREATE TABLE records (
    id   uuid PRIMARY KEY,
    type text NOT NULL
);

-- Records merged away by the catalog: a late event naming one is mapped.
CREATE TABLE merged_records (
    merged_id uuid PRIMARY KEY,
    kept_id   uuid NOT NULL
);

-- ------------------------------------------------------------ rules
CREATE TABLE schools (
    school           text PRIMARY KEY,
    year_ends_on     date,
    hold_pickup_days int NOT NULL DEFAULT 7 CHECK (hold_pickup_days BETWEEN 1 AND 60),
    updated_at       timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE policies (
    school                text NOT NULL,
    category              text NOT NULL CHECK (category IN ('student', 'teacher', 'staff')),
    max_items             int NOT NULL CHECK (max_items BETWEEN 0 AND 1000),
    loan_days             int NOT NULL CHECK (loan_days BETWEEN 1 AND 365),
    renewals              int NOT NULL CHECK (renewals BETWEEN 0 AND 20),
    textbooks_to_year_end boolean NOT NULL,
    updated_at            timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (school, category)
);

-- The rules of a school for a category: its own row, or the network default.
CREATE FUNCTION policy_for(p_school text, p_category text)
RETURNS TABLE (max_items int, loan_days int, renewals int, textbooks_to_year_end boolean,
               is_default boolean)
LANGUAGE sql STABLE AS $$
    SELECT p.max_items, p.loan_days, p.renewals, p.textbooks_to_year_end, false
      FROM policies p WHERE p.school = p_school AND p.category = p_category
    UNION ALL
    SELECT d.max_items, d.loan_days, d.renewals, d.textbooks_to_year_end, true
      FROM (VALUES ('student', 5, 14, 1, true), ('teacher', 10, 30, 2, true),
                   ('staff', 5, 30, 1, false))
           AS d(category, max_items, loan_days, renewals, textbooks_to_year_end)
     WHERE d.category = p_category
       AND NOT EXISTS (SELECT 1 FROM policies p WHERE p.school = p_school AND p.category = p_category)
$$;

-- The last day of the school year: the school's date while it is ahead,
-- else the coming 31 May.
CREATE FUNCTION school_year_end(p_school text) RETURNS date LANGUAGE sql STABLE AS $$
    SELECT coalesce(
        (SELECT s.year_ends_on FROM schools s WHERE s.school = p_school AND s.year_ends_on >= current_date),
        make_date(extract(year FROM current_date)::int
                  + CASE WHEN current_date > make_date(extract(year FROM current_date)::int, 5, 31)
                         THEN 1 ELSE 0 END, 5, 31))
$$;

-- ------------------------------------------------------------ readers
CREATE TABLE readers (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    school       text NOT NULL CHECK (school ~ '^[A-Za-z0-9._-]{1,64}$'),
    card_barcode text NOT NULL UNIQUE CHECK (length(card_barcode) BETWEEN 1 AND 64),
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
    category     text NOT NULL CHECK (category IN ('student', 'teacher', 'staff')),
    class        text CHECK (length(class) BETWEEN 1 AND 16),
    status       text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'blocked', 'left')),
    open_loans   int NOT NULL DEFAULT 0 CHECK (open_loans >= 0), -- regular loans, kept by a trigger
    version      int NOT NULL DEFAULT 1,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX readers_school_class ON readers (school, class, name);

-- Names and card numbers only for the reader's own school and the admin.
CREATE FUNCTION reader_json(r readers, names boolean) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_strip_nulls(jsonb_build_object(
        'id', r.id, 'school', r.school,
        'name', CASE WHEN names THEN r.name END,
        'card_barcode', CASE WHEN names THEN r.card_barcode END,
        'category', r.category, 'class', r.class, 'status', r.status,
        'open_loans', r.open_loans, 'version', r.version,
        'created_at', r.created_at, 'updated_at', r.updated_at))
$$;

-- A reader's open regular loans never pass the limit of its school and
-- category, whatever the code above does: the counter is raised under the
-- reader's row lock, so concurrent checkouts are checked one after another.
CREATE FUNCTION readers_limit() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE lim int;
BEGIN
    IF NEW.open_loans > OLD.open_loans THEN
        SELECT p.max_items INTO lim FROM policy_for(NEW.school, NEW.category) p;
        IF NEW.open_loans > lim THEN
            RAISE EXCEPTION 'reader % would have % items on loan; the limit is %',
                NEW.id, NEW.open_loans, lim USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER readers_limit BEFORE UPDATE OF open_loans ON readers
    FOR EACH ROW EXECUTE FUNCTION readers_limit();

-- ------------------------------------------------------------ class sets
CREATE TABLE class_sets (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    school      text NOT NULL,
    class       text NOT NULL,
    record_ids  uuid[] NOT NULL,
    due_date    date NOT NULL,
    issued      int NOT NULL DEFAULT 0,
    short       int NOT NULL DEFAULT 0,
    created_by  text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    returned_at timestamptz
);
CREATE INDEX class_sets_school_class ON class_sets (school, class);

-- ------------------------------------------------------------ transfers
-- A loan between schools: to_school asks from_school for a copy of a record.
CREATE TABLE transfers (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    record_id   uuid NOT NULL,
    from_school text NOT NULL,   -- the lender
    to_school   text NOT NULL,   -- the borrower
    reader_id   uuid REFERENCES readers (id) ON DELETE SET NULL,
    item_id     uuid REFERENCES items (id),
    state       text NOT NULL DEFAULT 'requested'
                CHECK (state IN ('requested', 'approved', 'declined', 'shipped', 'received', 'returned')),
    note        text CHECK (length(note) <= 1000),
    reason      text CHECK (length(reason) <= 1000),
    history     jsonb NOT NULL DEFAULT '[]',
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (from_school <> to_school),
    CHECK (state IN ('requested', 'declined') OR item_id IS NOT NULL)
);
CREATE UNIQUE INDEX transfers_item_active ON transfers (item_id)
    WHERE state IN ('approved', 'shipped', 'received');
CREATE INDEX transfers_from ON transfers (from_school, state);
CREATE INDEX transfers_to ON transfers (to_school, state);

-- The state machine; `actor` is the school that takes the step.
CREATE TABLE transfer_transitions (
    from_state text NOT NULL,
    to_state   text NOT NULL,
    actor      text NOT NULL CHECK (actor IN ('lender', 'borrower')),
    PRIMARY KEY (from_state, to_state)
);
INSERT INTO transfer_transitions VALUES
    ('requested', 'approved', 'lender'), ('requested', 'declined', 'lender'),
    ('approved', 'shipped', 'lender'), ('shipped', 'received', 'borrower'),
    ('received', 'returned', 'lender');

CREATE FUNCTION transfers_checked() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.state <> OLD.state AND NOT EXISTS (
        SELECT 1 FROM transfer_transitions t WHERE t.from_state = OLD.state AND t.to_state = NEW.state) THEN
        RAISE EXCEPTION 'a transfer cannot go from % to %', OLD.state, NEW.state
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER transfers_checked BEFORE UPDATE OF state ON transfers
    FOR EACH ROW EXECUTE FUNCTION transfers_checked();

CREATE FUNCTION transfer_json(t transfers) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_strip_nulls(jsonb_build_object(
        'id', t.id, 'record_id', t.record_id, 'from_school', t.from_school,
        'to_school', t.to_school, 'reader_id', t.reader_id, 'item_id', t.item_id,
        'barcode', (SELECT i.barcode FROM items i WHERE i.id = t.item_id),
        'state', t.state, 'note', t.note, 'reason', t.reason,
        'allowed', (SELECT coalesce(jsonb_agg(x.to_state ORDER BY x.to_state), '[]')
                      FROM transfer_transitions x WHERE x.from_state = t.state),
        'history', t.history, 'created_at', t.created_at, 'updated_at', t.updated_at))
$$;

-- ------------------------------------------------------------ loans
CREATE TABLE loans (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    item_id      uuid NOT NULL REFERENCES items (id),
    record_id    uuid NOT NULL,
    school       text NOT NULL,   -- the school that lent it: the reader's school
    reader_id    uuid REFERENCES readers (id) ON DELETE SET NULL,
    kind         text NOT NULL DEFAULT 'regular' CHECK (kind IN ('regular', 'classset')),
    class_set_id uuid REFERENCES class_sets (id),
    transfer_id  uuid REFERENCES transfers (id),
    loaned_at    timestamptz NOT NULL DEFAULT now(),
    due_date     date NOT NULL,
    renewals     int NOT NULL DEFAULT 0 CHECK (renewals >= 0),
    returned_at  timestamptz,
    created_by   text,
    CHECK (returned_at IS NULL OR returned_at >= loaned_at),
    CHECK ((kind = 'classset') = (class_set_id IS NOT NULL))
);
-- An item is never on two open loans: the database says so, not only the code.
CREATE UNIQUE INDEX loans_one_open_per_item ON loans (item_id) WHERE returned_at IS NULL;
-- few indexes, mostly partial on open loans: a checkin changes returned_at,
-- so it writes a new entry into every index whose predicate the row still meets
CREATE INDEX loans_school_due ON loans (school, due_date) WHERE returned_at IS NULL;
CREATE INDEX loans_class_set ON loans (class_set_id) WHERE class_set_id IS NOT NULL;
CREATE INDEX loans_reader ON loans (reader_id);

-- readers.open_loans follows the open regular loans; the limit trigger on
-- readers refuses an increment past the rule.
CREATE FUNCTION loans_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.kind = 'regular' AND NEW.returned_at IS NULL AND NEW.reader_id IS NOT NULL THEN
            UPDATE readers SET open_loans = open_loans + 1 WHERE id = NEW.reader_id;
        END IF;
    ELSIF OLD.returned_at IS NULL AND NEW.returned_at IS NOT NULL AND OLD.kind = 'regular'
          AND OLD.reader_id IS NOT NULL THEN
        UPDATE readers SET open_loans = open_loans - 1 WHERE id = OLD.reader_id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER loans_count AFTER INSERT OR UPDATE OF returned_at ON loans
    FOR EACH ROW EXECUTE FUNCTION loans_count();

CREATE FUNCTION loan_json(l loans) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_strip_nulls(jsonb_build_object(
        'id', l.id, 'item_id', l.item_id,
        'barcode', (SELECT i.barcode FROM items i WHERE i.id = l.item_id),
        'record_id', l.record_id, 'school', l.school, 'reader_id', l.reader_id,
        'kind', l.kind, 'class_set_id', l.class_set_id, 'transfer_id', l.transfer_id,
        'loaned_at', l.loaned_at, 'due_date', l.due_date, 'renewals', l.renewals,
        'returned_at', l.returned_at,
        'overdue', l.returned_at IS NULL AND l.due_date < current_date,
        'days_overdue', CASE WHEN l.returned_at IS NULL AND l.due_date < current_date
                             THEN current_date - l.due_date END))
$$;

-- ------------------------------------------------------------ holds
-- A queue per record and school: waiting holds in the order placed; a copy
-- coming back goes to the first, which becomes ready until ready_until.
CREATE TABLE holds (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    record_id   uuid NOT NULL,
    school      text NOT NULL,
    reader_id   uuid NOT NULL REFERENCES readers (id) ON DELETE CASCADE,
    state       text NOT NULL DEFAULT 'waiting'
                CHECK (state IN ('waiting', 'ready', 'fulfilled', 'cancelled', 'expired')),
    item_id     uuid REFERENCES items (id),
    expires_at  timestamptz,   -- the reader no longer needs it after this
    ready_until timestamptz,   -- pick up by then
    placed_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    CHECK (state <> 'ready' OR (item_id IS NOT NULL AND ready_until IS NOT NULL))
);
CREATE UNIQUE INDEX holds_one_active ON holds (reader_id, record_id) WHERE state IN ('waiting', 'ready');
CREATE UNIQUE INDEX holds_item_ready ON holds (item_id) WHERE state = 'ready';
CREATE INDEX holds_queue ON holds (record_id, school, placed_at) WHERE state = 'waiting';
CREATE INDEX holds_school ON holds (school, state);

CREATE FUNCTION hold_json(h holds) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_strip_nulls(jsonb_build_object(
        'id', h.id, 'record_id', h.record_id, 'school', h.school, 'reader_id', h.reader_id,
        'state', h.state, 'item_id', h.item_id,
        'barcode', (SELECT i.barcode FROM items i WHERE i.id = h.item_id AND h.state = 'ready'),
        'position', CASE WHEN h.state = 'waiting' THEN
            (SELECT count(*) FROM holds w WHERE w.record_id = h.record_id AND w.school = h.school
                AND w.state = 'waiting' AND (w.placed_at, w.id) <= (h.placed_at, h.id)) END,
        'expires_at', h.expires_at, 'ready_until', h.ready_until,
        'placed_at', h.placed_at, 'updated_at', h.updated_at))
$$;

-- True when the item can go to a reader now: on the shelf of its own school,
-- not lent, not waiting for a hold, not lent to another school.
CREATE FUNCTION item_free(p_item uuid) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM items i WHERE i.id = p_item AND i.status = 'available')
       AND NOT EXISTS (SELECT 1 FROM loans l WHERE l.item_id = p_item AND l.returned_at IS NULL)
       AND NOT EXISTS (SELECT 1 FROM holds h WHERE h.item_id = p_item AND h.state = 'ready')
       AND NOT EXISTS (SELECT 1 FROM transfers t WHERE t.item_id = p_item
                          AND t.state IN ('approved', 'shipped', 'received'))
$$;

-- The catalog merged record `merged` into `kept`: follow it everywhere.
-- Returns the ids of holds cancelled because the reader held both.
CREATE FUNCTION merge_record(kept uuid, merged uuid) RETURNS uuid[] LANGUAGE plpgsql AS $$
DECLARE cancelled uuid[];
BEGIN
    INSERT INTO merged_records VALUES (merged, kept)
        ON CONFLICT (merged_id) DO UPDATE SET kept_id = EXCLUDED.kept_id;
    UPDATE merged_records SET kept_id = kept WHERE kept_id = merged;
    UPDATE items SET record_id = kept WHERE record_id = merged;
    UPDATE loans SET record_id = kept WHERE record_id = merged;
    WITH c AS (
        UPDATE holds h SET state = 'cancelled', updated_at = now()
         WHERE h.record_id = merged AND h.state IN ('waiting', 'ready')
           AND EXISTS (SELECT 1 FROM holds k WHERE k.reader_id = h.reader_id
                          AND k.record_id = kept AND k.state IN ('waiting', 'ready'))
        RETURNING h.id)
    SELECT coalesce(array_agg(id), '{}') INTO cancelled FROM c;
    UPDATE holds SET record_id = kept WHERE record_id = merged;
    UPDATE transfers SET record_id = kept WHERE record_id = merged;
    UPDATE class_sets SET record_ids = array_replace(record_ids, merged, kept)
     WHERE merged = ANY (record_ids);
    DELETE FROM records WHERE id = merged;
    RETURN cancelled;
END $$;
