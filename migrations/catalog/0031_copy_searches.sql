-- Copy cataloguing (issue 15): a search of a remote Z39.50 target and the
-- records it found, kept a day so that the librarian can pick the ones to
-- import (POST .../copy-searches/{id}/import). Nothing here is part of the
-- catalog until it is imported through the normal import path.
CREATE TABLE copy_searches (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org        text NOT NULL,              -- who searched: only they (and the network) see it
    target     text NOT NULL,              -- the configured target's name
    query      text NOT NULL,
    total      bigint NOT NULL,            -- hits at the target
    format     text NOT NULL CHECK (format IN ('rusmarc', 'marc21')),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX copy_searches_created ON copy_searches (created_at);

CREATE TABLE copy_search_records (
    search_id uuid NOT NULL REFERENCES copy_searches (id) ON DELETE CASCADE,
    position  int NOT NULL,                -- 1-based, as the target ranked it
    marcxml   text,                        -- UTF-8 MARCXML; NULL when unreadable
    record    jsonb,                       -- what it would be catalogued as
    error     text,                        -- why it could not be read
    PRIMARY KEY (search_id, position)
);
