-- Which record each imported MARC record became: created, or merged into a
-- record that already had its ISBN. Lets a librarian go from a line of the
-- file to the catalog (GET /api/v1/catalog/imports/{id}/records).
CREATE TABLE import_records (
    import_id uuid NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
    position  int NOT NULL,                 -- 1-based record number in the file
    record_id uuid NOT NULL,
    outcome   text NOT NULL CHECK (outcome IN ('created', 'merged')),
    PRIMARY KEY (import_id, position)
);
