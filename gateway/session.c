/* Sign-in, sessions and own passwords (see session.h). A session token is 32
 * random bytes in base64url in an HttpOnly cookie; the database keeps only
 * its SHA-256, so that a dump signs nobody in. Wrong passwords are counted
 * per account and client address: GW_LOCKOUT_FAILURES in a row lock the
 * account for that address for GW_LOCKOUT_MINUTES (its owner elsewhere can
 * still sign in); GW_LOCKOUT_FAILURES_ANY from any addresses lock it for all.
 * An address may try GW_SIGNIN_RATE sign-ins a second (GW_SIGNIN_BURST at
 * once).
 * Hashing costs 64 MiB and ~0.1 s, so at most HASH_SLOTS run at once. */
#include "session.h"
#include "limits.h"

#include <ibc/envelope.h>
#include <ibc/random.h>

#include <semaphore.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <ulfius.h>

#define HASH_SLOTS 4
#define PASSWORD_MIN 10
#define PASSWORD_MAX 256

static ibc_db_pool *session_pool;
static sem_t hash_slots;
/* verified when the login is unknown, so that its answer takes as long */
static char dummy_hash[crypto_pwhash_STRBYTES];

static bool slot_take(void)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    t.tv_sec += 10;
    return sem_timedwait(&hash_slots, &t) == 0;
}

ibc_rc gw_password_hash(const char *password, char out[128], char *err, size_t errlen)
{
    size_t n = strlen(password);
    if (n < PASSWORD_MIN || n > PASSWORD_MAX || !ibc_utf8_valid(password, n)) {
        snprintf(err, errlen, "'password' must be %d to %d characters", PASSWORD_MIN, PASSWORD_MAX);
        return IBC_EINVAL;
    }
    if (!slot_take()) return IBC_EBUSY;
    int rc =
        crypto_pwhash_str_alg(out, password, n, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13);
    sem_post(&hash_slots);
    return rc == 0 ? IBC_OK : IBC_ENOMEM;
}

/* true when password matches hash; false too when no slot was free in time. */
static bool password_verify(const char *hash, const char *password)
{
    if (!slot_take()) return false;
    bool ok = crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
    sem_post(&hash_slots);
    return ok;
}

bool gw_session_init(ibc_db_pool *pool)
{
    session_pool = pool;
    if (sodium_init() < 0 || sem_init(&hash_slots, 0, HASH_SLOTS) != 0) return false;
    char err[128];
    return gw_password_hash("not a password of anyone", dummy_hash, err, sizeof err) == IBC_OK;
}

bool gw_session_cookie(const struct _u_request *req, char *tok, size_t toklen)
{
    const char *c = u_map_get_case(req->map_header, "Cookie");
    const size_t nl = strlen(GW_SESSION_COOKIE);
    for (const char *p = c; p && *p;) {
        p += strspn(p, " ;");
        size_t len = strcspn(p, ";");
        if (len > nl && strncmp(p, GW_SESSION_COOKIE, nl) == 0 && p[nl] == '=') {
            if (len - nl - 1 == 0 || len - nl - 1 >= toklen) return false;
            snprintf(tok, toklen, "%.*s", (int)(len - nl - 1), p + nl + 1);
            return true;
        }
        p += len;
    }
    return false;
}

bool gw_csrf_ok(const struct _u_request *req, const char *csrf)
{
    const char *h = u_map_get_case(req->map_header, GW_CSRF_HEADER);
    size_t n = strlen(csrf);
    return h && n > 0 && strlen(h) == n && sodium_memcmp(h, csrf, n) == 0;
}

ibc_rc gw_session_lookup(const char *token, gw_principal *who, char csrf[64])
{
    if (strlen(token) > 64) return IBC_EUNAUTH;
    char hash[65];
    gw_sha256_hex(token, hash);
    PGconn *db = ibc_db_pool_get(session_pool);
    if (!db) return IBC_EDB;
    const char *p[] = {hash};
    /* last_seen_at is written at most once a minute per session, not on every
     * request: the idle timeout is exact to a minute */
    static const char sql[] =
        "WITH s AS (SELECT a.id::text AS id, a.org, a.role, s.csrf FROM sessions s "
        "JOIN accounts a ON a.id = s.account_id "
        "WHERE s.hash = $1 AND a.disabled_at IS NULL AND s.expires_at > now() "
        "AND s.last_seen_at > now() - interval '" GW_STR(GW_SESSION_IDLE_MINUTES) " minutes'), "
        "u AS (UPDATE sessions SET last_seen_at = now() WHERE hash = $1 "
        "AND last_seen_at < now() - interval '1 minute' AND EXISTS (SELECT FROM s)) "
        "SELECT id, org, role, csrf FROM s";
    PGresult *r = gw_exec_again(db, sql, 1, p);
    ibc_rc rc = IBC_EUNAUTH;
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        rc = IBC_EDB;
    } else if (PQntuples(r) == 1) {
        snprintf(who->id, sizeof who->id, "%s", PQgetvalue(r, 0, 0));
        snprintf(who->org, sizeof who->org, "%s", PQgetvalue(r, 0, 1));
        snprintf(who->role, sizeof who->role, "%s", PQgetvalue(r, 0, 2));
        snprintf(csrf, 64, "%s", PQgetvalue(r, 0, 3));
        rc = IBC_OK;
    }
    PQclear(r);
    ibc_db_pool_put(session_pool, db);
    return rc;
}

/* 32 random bytes in base64url (43 characters) into out[64]. */
static bool random_token(char out[64])
{
    unsigned char rnd[32];
    if (!ibc_random_bytes(rnd, sizeof rnd)) return false;
    gw_b64url(rnd, sizeof rnd, out);
    return true;
}

/* Counts a wrong password for account id from addr: locks the account for
 * that address at the GW_LOCKOUT_FAILURES-th in a row, and for every address
 * at the GW_LOCKOUT_FAILURES_ANY-th. */
static void count_failure(PGconn *db, const char *id, const char *addr)
{
    const char *p[] = {id, addr};
    PGresult *r = PQexecParams(
        db,
        "WITH f AS (INSERT INTO login_failures AS lf (account_id, address, failures) "
        "VALUES ($1::uuid, $2::inet, 1) ON CONFLICT (account_id, address) DO UPDATE SET "
        "failures = CASE WHEN lf.failures + 1 >= " GW_STR(GW_LOCKOUT_FAILURES) " THEN 0 "
        "ELSE lf.failures + 1 END, "
        "locked_until = CASE WHEN lf.failures + 1 >= " GW_STR(GW_LOCKOUT_FAILURES) " "
        "THEN now() + interval '" GW_STR(GW_LOCKOUT_MINUTES) " minutes' "
        "ELSE lf.locked_until END) "
        "UPDATE accounts SET failed_logins = CASE WHEN failed_logins + 1 >= " GW_STR(
            GW_LOCKOUT_FAILURES_ANY) " THEN 0 ELSE failed_logins + 1 END, "
        "locked_until = CASE WHEN failed_logins + 1 >= " GW_STR(GW_LOCKOUT_FAILURES_ANY) " "
        "THEN now() + interval '" GW_STR(GW_LOCKOUT_MINUTES) " minutes' ELSE locked_until END "
        "WHERE id = $1::uuid",
        2, NULL, p, NULL, NULL, 0);
    PQclear(r);
}

/* Starts a session for account id: token into tok, *out the account with
 * its csrf_token. */
static ibc_rc session_start(PGconn *db, const char *id, const char *addr, char tok[64],
                            json_t **out)
{
    char hash[65], csrf[64];
    if (!random_token(tok) || !random_token(csrf)) return IBC_EINTERNAL;
    gw_sha256_hex(tok, hash);
    const char *p[] = {hash, id, csrf, addr};
    ibc_rc rc = gw_json_row(
        db,
        "WITH x AS (DELETE FROM sessions WHERE expires_at < now()), "
        "s AS (INSERT INTO sessions(hash, account_id, csrf, expires_at) "
        "VALUES ($1, $2::uuid, $3, now() + interval '" GW_STR(
            GW_SESSION_HOURS) " hours') RETURNING account_id, csrf), "
                              "u AS (UPDATE accounts SET failed_logins = 0, locked_until = NULL "
                              "WHERE id = $2::uuid), "
                              "f AS (DELETE FROM login_failures WHERE account_id = $2::uuid "
                              "AND address = $4::inet) "
                              "SELECT (" GW_ACCOUNT_JSON
                              "::jsonb || jsonb_build_object('csrf_token', s.csrf))::text "
                              "FROM s JOIN accounts a ON a.id = s.account_id",
        4, p, out);
    return rc == IBC_OK ? IBC_OK : IBC_EDB;
}

/* POST /session: {login, password} from addr. 201 and a session; 401 for a
 * wrong login or password (the same answer); 429 while the account is locked
 * for addr. */
static ibc_rc session_login(PGconn *db, const json_t *body, const char *addr, char tok[64],
                            json_t **out, char *err, size_t errlen)
{
    const char *login = NULL, *password = NULL;
    json_error_t jerr;
    if (!json_is_object(body) || json_unpack_ex((json_t *)body, &jerr, JSON_STRICT, "{s:s, s:s}",
                                                "login", &login, "password", &password) != 0) {
        snprintf(err, errlen, "send {\"login\": ..., \"password\": ...}");
        return IBC_EINVAL;
    }
    if (strlen(login) > 64 || strlen(password) > PASSWORD_MAX) {
        snprintf(err, errlen, "the login or the password is wrong");
        return IBC_EUNAUTH;
    }
    const char *p[] = {login, addr};
    PGresult *r = PQexecParams(
        db,
        "SELECT a.id::text, a.password_hash, greatest(a.locked_until, f.locked_until) > now(), "
        "to_char(greatest(a.locked_until, f.locked_until) AT TIME ZONE 'UTC', 'HH24:MI') "
        "FROM accounts a LEFT JOIN login_failures f ON f.account_id = a.id "
        "AND f.address = $2::inet WHERE a.login = lower($1) AND a.disabled_at IS NULL",
        2, NULL, p, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        PQclear(r);
        return IBC_EDB;
    }
    ibc_rc rc = IBC_EUNAUTH;
    bool known = PQntuples(r) == 1;
    if (known && strcmp(PQgetvalue(r, 0, 2), "t") == 0) {
        snprintf(err, errlen,
                 "the account is locked for this address after %d wrong passwords until %s "
                 "UTC; the admin may unlock it",
                 GW_LOCKOUT_FAILURES, PQgetvalue(r, 0, 3));
        rc = IBC_ETOOMANY;
    } else if (password_verify(known ? PQgetvalue(r, 0, 1) : dummy_hash, password) && known) {
        rc = session_start(db, PQgetvalue(r, 0, 0), addr, tok, out);
    } else {
        if (known) count_failure(db, PQgetvalue(r, 0, 0), addr);
        snprintf(err, errlen, "the login or the password is wrong");
    }
    PQclear(r);
    return rc;
}

static ibc_rc session_logout(PGconn *db, const struct _u_request *req)
{
    char tok[80], hash[65];
    if (!gw_session_cookie(req, tok, sizeof tok)) return IBC_OK;
    gw_sha256_hex(tok, hash);
    const char *p[] = {hash};
    PGresult *r =
        PQexecParams(db, "DELETE FROM sessions WHERE hash = $1", 1, NULL, p, NULL, NULL, 0);
    ibc_rc rc = PQresultStatus(r) == PGRES_COMMAND_OK ? IBC_OK : IBC_EDB;
    PQclear(r);
    return rc;
}

/* GET /session: who the caller is; for a session also its csrf_token. */
static ibc_rc session_get(PGconn *db, const struct _u_request *req, const gw_principal *who,
                          json_t **out)
{
    char tok[80], csrf[64];
    gw_principal w;
    if (gw_session_cookie(req, tok, sizeof tok) &&
        !u_map_get_case(req->map_header, "Authorization") &&
        gw_session_lookup(tok, &w, csrf) == IBC_OK) {
        const char *p[] = {w.id, csrf};
        ibc_rc rc = gw_json_row(db,
                                "SELECT (" GW_ACCOUNT_JSON "::jsonb || jsonb_build_object("
                                "'csrf_token', $2::text, 'kind', 'session'))::text "
                                "FROM accounts a WHERE a.id = $1::uuid",
                                2, p, out);
        return rc == IBC_OK ? IBC_OK : IBC_EDB;
    }
    *out = json_pack("{s:s, s:s, s:s, s:s}", "id", who->id, "org", who->org, "role", who->role,
                     "kind", "api_key");
    return IBC_OK;
}

/* PUT /session/password: {current, new}. Ends the account's other sessions. */
static ibc_rc password_change(PGconn *db, const struct _u_request *req, const gw_principal *who,
                              const json_t *body, char *err, size_t errlen)
{
    const char *cur = NULL, *next = NULL;
    json_error_t jerr;
    if (!json_is_object(body) || json_unpack_ex((json_t *)body, &jerr, JSON_STRICT, "{s:s, s:s}",
                                                "current", &cur, "new", &next) != 0) {
        snprintf(err, errlen, "send {\"current\": ..., \"new\": ...}");
        return IBC_EINVAL;
    }
    const char *p[] = {who->id};
    PGresult *r = PQexecParams(db,
                               "SELECT password_hash FROM accounts WHERE id::text = $1 "
                               "AND disabled_at IS NULL",
                               1, NULL, p, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) return PQclear(r), IBC_EDB;
    if (PQntuples(r) != 1) {
        PQclear(r);
        snprintf(err, errlen, "an API key has no password: sign in as a person");
        return IBC_ECONFLICT;
    }
    bool ok = strlen(cur) <= PASSWORD_MAX && password_verify(PQgetvalue(r, 0, 0), cur);
    PQclear(r);
    if (!ok) {
        snprintf(err, errlen, "'current' is not the account's password");
        return IBC_EUNPROCESSABLE;
    }
    char hash[128], tok[80], th[65] = "";
    ibc_rc rc = gw_password_hash(next, hash, err, errlen);
    if (rc != IBC_OK) {
        if (rc == IBC_EINVAL)
            snprintf(err, errlen, "'new' must be %d to %d characters", PASSWORD_MIN, PASSWORD_MAX);
        return rc;
    }
    if (gw_session_cookie(req, tok, sizeof tok)) gw_sha256_hex(tok, th);
    const char *q[] = {who->id, hash, th};
    r = PQexecParams(db,
                     "WITH a AS (UPDATE accounts SET password_hash = $2, password_changed_at = "
                     "now() WHERE id::text = $1 RETURNING id) "
                     "DELETE FROM sessions WHERE account_id = (SELECT id FROM a) AND hash <> $3",
                     3, NULL, q, NULL, NULL, 0);
    rc = PQresultStatus(r) == PGRES_COMMAND_OK ? IBC_OK : IBC_EDB;
    PQclear(r);
    return rc;
}

static void set_cookie(struct _u_response *resp, const char *tok, long max_age)
{
    const char *secure = getenv("IBC_SESSION_COOKIE_SECURE");
    char c[256];
    snprintf(c, sizeof c, "%s=%s; Path=/; Max-Age=%ld; HttpOnly; SameSite=Strict%s",
             GW_SESSION_COOKIE, tok, max_age, secure && strcmp(secure, "1") == 0 ? "; Secure" : "");
    u_map_put(resp->map_header, "Set-Cookie", c);
    u_map_put(resp->map_header, "Cache-Control", "no-store");
}

ibc_rc gw_people_call(PGconn *db, const char *action, const struct _u_request *req,
                      const json_t *params, const json_t *body, const gw_principal *who,
                      json_t **out, int *status, struct _u_response *resp, char *err, size_t errlen)
{
    ibc_rc rc = IBC_ENOTFOUND;
    *status = 200;
    if (strcmp(action, "session.create") == 0) {
        char tok[64], addr[64];
        int retry_s = 1;
        gw_address_text(req->client_address, addr, sizeof addr);
        char bucket[80];
        snprintf(bucket, sizeof bucket, "signin:%s", addr);
        if (!gw_rate_take(bucket, GW_SIGNIN_RATE, GW_SIGNIN_BURST, ibc_monotonic_s(), &retry_s)) {
            char ra[16];
            snprintf(ra, sizeof ra, "%d", retry_s);
            u_map_put(resp->map_header, "Retry-After", ra);
            snprintf(err, errlen, "too many sign-in attempts from this address: try again in %d s",
                     retry_s);
            return IBC_ETOOMANY;
        }
        if (strcmp(addr, "unknown") == 0) snprintf(addr, sizeof addr, "0.0.0.0");
        rc = session_login(db, body, addr, tok, out, err, errlen);
        if (rc == IBC_OK) set_cookie(resp, tok, GW_SESSION_HOURS * 3600L), *status = 201;
    } else if (strcmp(action, "session.get") == 0) {
        rc = session_get(db, req, who, out);
        u_map_put(resp->map_header, "Cache-Control", "no-store");
    } else if (strcmp(action, "session.delete") == 0) {
        rc = session_logout(db, req);
        if (rc == IBC_OK) set_cookie(resp, "", 0), *status = 204;
    } else if (strcmp(action, "session.password") == 0) {
        rc = password_change(db, req, who, body, err, errlen);
        *status = 204;
    } else if (strcmp(action, "accounts.create") == 0) {
        rc = gw_accounts_create(db, body, out, err, errlen);
        *status = 201;
    } else if (strcmp(action, "accounts.list") == 0) {
        rc = gw_accounts_list(db, params, out, err, errlen);
    } else if (strcmp(action, "accounts.update") == 0) {
        rc = gw_accounts_update(db, json_string_value(json_object_get(params, "id")), body, out,
                                err, errlen);
    }
    return rc;
}
