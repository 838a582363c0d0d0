-- Items (экземпляры): copies held by one school. A barcode is unique in the
-- network, an inventory number in its school. Written-off items stay.
CREATE TABLE items (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    record_id        uuid NOT NULL REFERENCES records (id),
    school           text NOT NULL,
    barcode          text NOT NULL UNIQUE CHECK (length(barcode) BETWEEN 1 AND 64),
    inventory_number text CHECK (length(inventory_number) BETWEEN 1 AND 64),
    location         text,
    price            numeric(12, 2) CHECK (price >= 0),
    acquired_on      date,
    source           text CHECK (source IN ('purchase', 'gift', 'textbook_fund')),
    status           text NOT NULL DEFAULT 'available'
                     CHECK (status IN ('available', 'in_repair', 'lost', 'written_off')),
    on_loan          boolean NOT NULL DEFAULT false, -- fed by circulation's loan events
    writeoff_act     text,
    writeoff_reason  text,
    written_off_at   timestamptz,
    version          int NOT NULL DEFAULT 1,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (school, inventory_number),
    CHECK (status <> 'written_off' OR (writeoff_act IS NOT NULL AND writeoff_reason IS NOT NULL))
);
CREATE INDEX items_record_school ON items (record_id, school);
CREATE INDEX items_school ON items (school);
