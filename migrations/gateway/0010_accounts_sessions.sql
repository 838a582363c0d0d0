-- People who sign in to the web workstation (machines use api_keys), and
-- their sessions. Passwords are argon2id hashes (libsodium's crypto_pwhash_str);
-- a session is kept as the SHA-256 of its cookie, with its CSRF token.
CREATE TABLE accounts (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    login               text NOT NULL UNIQUE CHECK (login ~ '^[a-z0-9._-]{2,64}$'),
    name                text NOT NULL DEFAULT '',
    org                 text NOT NULL CHECK (org ~ '^[A-Za-z0-9._-]{1,64}$'),
    role                text NOT NULL CHECK (role IN ('admin', 'methodologist', 'librarian')),
    password_hash       text NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
    failed_logins       int NOT NULL DEFAULT 0,
    locked_until        timestamptz,
    disabled_at         timestamptz,
    password_changed_at timestamptz NOT NULL DEFAULT now(),
    created_at          timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sessions (
    hash         text PRIMARY KEY CHECK (hash ~ '^[0-9a-f]{64}$'),
    account_id   uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    csrf         text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL
);
CREATE INDEX sessions_account ON sessions (account_id);
CREATE INDEX sessions_expires ON sessions (expires_at);
