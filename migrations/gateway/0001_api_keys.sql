-- API keys of the gateway: only the SHA-256 of the secret is kept.
CREATE TABLE api_keys (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    prefix     text NOT NULL,
    hash       text NOT NULL UNIQUE CHECK (hash ~ '^[0-9a-f]{64}$'),
    org        text NOT NULL CHECK (org ~ '^[A-Za-z0-9._-]{1,64}$'),
    role       text NOT NULL CHECK (role IN ('admin', 'methodologist', 'librarian', 'portal', 'integrator')),
    name       text NOT NULL DEFAULT '',
    created_by uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz
);
