-- Wrong passwords per account and client address (docs/security.md,
-- "Sign-in"): an address that guesses an account's password is locked out of
-- that account, and the account's owner at another address is not. The
-- account-wide count (accounts.failed_logins) stays, with a higher threshold,
-- for guessing spread over many addresses.
CREATE TABLE login_failures (
    account_id   uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    address      inet NOT NULL,
    failures     int NOT NULL DEFAULT 0,
    locked_until timestamptz,
    PRIMARY KEY (account_id, address)
);
