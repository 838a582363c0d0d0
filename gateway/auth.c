/* API keys and their cache. A key is "ibc_" + 43 base64url characters (32
 * random bytes); only its SHA-256 is stored, so a database dump reveals no
 * usable key. The cache keeps a resolved key for a few seconds so that a
 * request costs no database round trip; revocation clears this gateway's
 * entry at once and other replicas' within KEY_TTL. */
#include "auth.h"

#include <ibc/envelope.h>
#include <ibc/random.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define KEY_TTL 5
#define CACHE_SLOTS 1024

typedef struct {
    char hash[65];
    gw_principal who;
    time_t expires;
} cache_entry;

static cache_entry cache[CACHE_SLOTS];
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static ibc_db_pool *auth_pool;

PGresult *gw_exec_again(PGconn *db, const char *sql, int n, const char *const *p)
{
    PGresult *r = PQexecParams(db, sql, n, NULL, p, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK && PQstatus(db) == CONNECTION_BAD) {
        /* the server restarted since this connection was last used: once more */
        PQclear(r);
        PQreset(db);
        r = PQexecParams(db, sql, n, NULL, p, NULL, NULL, 0);
    }
    return r;
}

void gw_auth_init(ibc_db_pool *pool)
{
    auth_pool = pool;
}

void gw_sha256_hex(const char *s, char hex[65])
{
    unsigned char d[32];
    gnutls_hash_fast(GNUTLS_DIG_SHA256, s, strlen(s), d);
    for (int i = 0; i < 32; i++) snprintf(hex + 2 * i, 3, "%02x", d[i]);
}

static unsigned slot_of(const char *hash)
{
    unsigned h = 0;
    for (int i = 0; i < 8; i++) h = h * 16 + (hash[i] <= '9' ? hash[i] - '0' : hash[i] - 'a' + 10);
    return h % CACHE_SLOTS;
}

ibc_rc gw_auth_lookup(const char *secret, gw_principal *out)
{
    if (!secret || strncmp(secret, "ibc_", 4) != 0 || strlen(secret) > 128) return IBC_EUNAUTH;
    char hash[65];
    gw_sha256_hex(secret, hash);
    unsigned slot = slot_of(hash);
    time_t now = time(NULL);

    pthread_mutex_lock(&cache_lock);
    bool hit = strcmp(cache[slot].hash, hash) == 0 && cache[slot].expires > now;
    if (hit) *out = cache[slot].who;
    pthread_mutex_unlock(&cache_lock);
    if (hit) return IBC_OK;

    PGconn *db = ibc_db_pool_get(auth_pool);
    if (!db) return IBC_EDB;
    const char *p[] = {hash};
    static const char sql[] =
        "SELECT id::text, org, role FROM api_keys WHERE hash = $1 AND revoked_at IS NULL";
    PGresult *r = gw_exec_again(db, sql, 1, p);
    ibc_rc rc = IBC_EUNAUTH;
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        rc = IBC_EDB;
    } else if (PQntuples(r) == 1) {
        snprintf(out->id, sizeof out->id, "%s", PQgetvalue(r, 0, 0));
        snprintf(out->org, sizeof out->org, "%s", PQgetvalue(r, 0, 1));
        snprintf(out->role, sizeof out->role, "%s", PQgetvalue(r, 0, 2));
        rc = IBC_OK;
    }
    PQclear(r);
    ibc_db_pool_put(auth_pool, db);
    if (rc == IBC_OK) {
        pthread_mutex_lock(&cache_lock);
        snprintf(cache[slot].hash, sizeof cache[slot].hash, "%s", hash);
        cache[slot].who = *out;
        cache[slot].expires = now + KEY_TTL;
        pthread_mutex_unlock(&cache_lock);
    }
    return rc;
}

void gw_b64url(const unsigned char *in, size_t n, char *out)
{
    static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = in[i] << 16 | (i + 1 < n ? in[i + 1] << 8 : 0) | (i + 2 < n ? in[i + 2] : 0);
        out[o++] = a[v >> 18 & 63];
        out[o++] = a[v >> 12 & 63];
        if (i + 1 < n) out[o++] = a[v >> 6 & 63];
        if (i + 2 < n) out[o++] = a[v & 63];
    }
    out[o] = 0;
}

bool gw_org_valid(const char *org)
{
    size_t n = strlen(org);
    if (n == 0 || n > 64) return false;
    for (const char *c = org; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
              *c == '-' || *c == '_' || *c == '.'))
            return false;
    return true;
}

/* A key created before under the same Idempotency-Key: 409 naming it (its
 * secret was shown once and is not kept), 422 when the key was used for
 * another request, IBC_OK with nothing done when there is none. */
static ibc_rc keys_create_replayed(PGconn *db, const char *created_by, const char *idem,
                                   const char *request, char *err, size_t errlen)
{
    const char *p[] = {created_by, idem, request};
    PGresult *r = PQexecParams(db,
                               "SELECT action = 'keys.create' AND request_hash = md5($3), "
                               "reply::json->>'id', reply::json->>'prefix' FROM idempotency "
                               "WHERE principal = $1 AND key = $2",
                               3, NULL, p, NULL, NULL, 0);
    ibc_rc rc = PQresultStatus(r) == PGRES_TUPLES_OK ? IBC_OK : IBC_EDB;
    if (rc == IBC_OK && PQntuples(r) > 0) {
        if (strcmp(PQgetvalue(r, 0, 0), "t") != 0) {
            snprintf(err, errlen, "Idempotency-Key '%s' was already used for a different request",
                     idem);
            rc = IBC_EUNPROCESSABLE;
        } else {
            snprintf(err, errlen,
                     "Idempotency-Key '%s' already created key %s (%s...); its secret is shown "
                     "only once: revoke that key if the secret was lost, and create another",
                     idem, PQgetvalue(r, 0, 1), PQgetvalue(r, 0, 2));
            rc = IBC_ECONFLICT;
        }
    }
    PQclear(r);
    return rc;
}

/* Inserts the key and, with an Idempotency-Key, its reply without the secret,
 * in one statement; *out gets the stored fields. IBC_ECONFLICT when a
 * concurrent request with the same Idempotency-Key won. */
static ibc_rc keys_insert(PGconn *db, const char *const p[9], json_t **out)
{
    PGresult *r = PQexecParams(
        db,
        "WITH k AS (INSERT INTO api_keys(prefix, hash, org, role, name, created_by) "
        "VALUES ($1, $2, $3, $4, $5, NULLIF($6, '')::uuid) "
        "RETURNING json_build_object('id', id, 'prefix', prefix, 'org', org, 'role', role, "
        "'name', name, 'created_at', created_at)::text AS j), "
        "i AS (INSERT INTO idempotency(principal, key, action, request_hash, reply) "
        "SELECT $7::text, $8::text, 'keys.create', md5($9::text), j FROM k "
        "WHERE $8::text IS NOT NULL) "
        "SELECT j FROM k",
        9, NULL, p, NULL, NULL, 0);
    ibc_rc rc = IBC_EDB;
    if (PQresultStatus(r) == PGRES_TUPLES_OK) {
        *out = json_loads(PQgetvalue(r, 0, 0), 0, NULL);
        rc = IBC_OK;
    } else if (ibc_db_rc(r) == IBC_ECONFLICT && p[7]) {
        rc = IBC_ECONFLICT;
    } else {
        ibc_log(IBC_LOG_ERROR, NULL, "key insert failed: %s", PQresultErrorMessage(r));
    }
    PQclear(r);
    return rc;
}

ibc_rc gw_keys_create(PGconn *db, const json_t *body, const char *created_by, const char *idem,
                      json_t **out, char *err, size_t errlen)
{
    const char *org = NULL, *role = NULL, *name = "";
    json_error_t jerr;
    if (!json_is_object(body)) {
        snprintf(err, errlen, "the body must be a JSON object with 'org' and 'role'");
        return IBC_EINVAL;
    }
    if (json_unpack_ex((json_t *)body, &jerr, JSON_STRICT, "{s:s, s:s, s?:s}", "org", &org,
                       "role", &role, "name", &name) != 0) {
        snprintf(err, errlen, "%s", jerr.text);
        return IBC_EINVAL;
    }
    if (!gw_org_valid(org)) {
        snprintf(err, errlen,
                 "'org' must be 1 to 64 letters, digits, '-', '_' or '.' (an organisation id)");
        return IBC_EINVAL;
    }
    static const char *roles[] = {"admin", "methodologist", "librarian", "portal", "integrator"};
    bool known = false;
    for (size_t i = 0; i < IBC_LEN(roles); i++) known |= strcmp(role, roles[i]) == 0;
    if (!known) {
        snprintf(err, errlen,
                 "'role' must be one of admin, methodologist, librarian, portal, integrator");
        return IBC_EINVAL;
    }
    if (strlen(name) > 200) {
        snprintf(err, errlen, "'name' must be at most 200 characters");
        return IBC_EINVAL;
    }
    if (idem && (!*idem || strlen(idem) > 256 || !ibc_utf8_valid(idem, strlen(idem)))) {
        snprintf(err, errlen, "header Idempotency-Key must be 1 to 256 characters of UTF-8");
        return IBC_EINVAL;
    }
    ibc_rc rc = IBC_EINTERNAL;
    char *request = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
    if (!request) goto done;
    if (idem && (rc = keys_create_replayed(db, created_by, idem, request, err, errlen)) != IBC_OK)
        goto done;
    rc = IBC_EINTERNAL;
    unsigned char rnd[32];
    if (!ibc_random_bytes(rnd, sizeof rnd)) goto done;
    char secret[64] = "ibc_";
    gw_b64url(rnd, sizeof rnd, secret + 4);
    char hash[65];
    gw_sha256_hex(secret, hash);
    char prefix[13];
    snprintf(prefix, sizeof prefix, "%.12s", secret);
    const char *p[] = {prefix, hash, org, role, name, created_by, created_by, idem, request};
    rc = keys_insert(db, p, out);
    if (rc == IBC_OK) json_object_set_new(*out, "key", json_string(secret));
    /* the same Idempotency-Key won a moment ago: answer as a retry */
    else if (rc == IBC_ECONFLICT)
        rc = keys_create_replayed(db, created_by, idem, request, err, errlen);
done:
    free(request);
    return rc;
}

ibc_rc gw_page_param(const json_t *params, const char *name, long min, long max, long dflt,
                     long *out, char *err, size_t errlen)
{
    const char *v = json_string_value(json_object_get(params, name));
    *out = dflt;
    if (!v) return IBC_OK;
    char *end = NULL;
    long n = strtol(v, &end, 10);
    if (!*v || *end || n < min || n > max) {
        snprintf(err, errlen, "%s must be an integer from %ld to %ld", name, min, max);
        return IBC_EINVAL;
    }
    *out = n;
    return IBC_OK;
}

ibc_rc gw_json_row(PGconn *db, const char *sql, int n, const char *const *p, json_t **out)
{
    PGresult *r = PQexecParams(db, sql, n, NULL, p, NULL, NULL, 0);
    ibc_rc rc = IBC_EDB;
    if (PQresultStatus(r) == PGRES_TUPLES_OK)
        rc = PQntuples(r) == 1 && (*out = json_loads(PQgetvalue(r, 0, 0), 0, NULL)) ? IBC_OK
                                                                                    : IBC_ENOTFOUND;
    else if (ibc_db_rc(r) == IBC_ECONFLICT)
        rc = IBC_ECONFLICT;
    else
        ibc_log(IBC_LOG_ERROR, NULL, "gateway store: %s", PQresultErrorMessage(r));
    PQclear(r);
    return rc;
}

ibc_rc gw_page(const json_t *params, char limit[24], char offset[24], char *err, size_t errlen)
{
    long l, o;
    if (gw_page_param(params, "limit", 1, 500, 50, &l, err, errlen) != IBC_OK ||
        gw_page_param(params, "offset", 0, 100000000, 0, &o, err, errlen) != IBC_OK)
        return IBC_EINVAL;
    snprintf(limit, 24, "%ld", l);
    snprintf(offset, 24, "%ld", o);
    return IBC_OK;
}

ibc_rc gw_keys_list(PGconn *db, const json_t *params, json_t **out, char *err, size_t errlen)
{
    char l[24], o[24];
    if (gw_page(params, l, o, err, errlen) != IBC_OK) return IBC_EINVAL;
    const char *p[] = {l, o};
    PGresult *r = PQexecParams(
        db,
        "SELECT json_build_object('items', coalesce((SELECT json_agg(json_build_object('id', id, "
        "'prefix', prefix, 'org', org, 'role', role, 'name', name, 'created_at', created_at, "
        "'revoked_at', revoked_at) ORDER BY created_at, id) FROM (SELECT * FROM api_keys "
        "ORDER BY created_at, id LIMIT $1::int OFFSET $2::int) k), '[]'), 'total', "
        "(SELECT count(*) FROM api_keys), 'limit', $1::int, 'offset', $2::int)::text",
        2, NULL, p, NULL, NULL, 0);
    ibc_rc rc = IBC_EDB;
    if (PQresultStatus(r) == PGRES_TUPLES_OK) {
        *out = json_loads(PQgetvalue(r, 0, 0), 0, NULL);
        rc = *out ? IBC_OK : IBC_EDB;
    }
    PQclear(r);
    return rc;
}

ibc_rc gw_keys_revoke(PGconn *db, const char *id, char *err, size_t errlen)
{
    const char *p[] = {id};
    PGresult *r = PQexecParams(db,
                               "UPDATE api_keys SET revoked_at = now() WHERE id::text = $1 "
                               "AND revoked_at IS NULL RETURNING hash",
                               1, NULL, p, NULL, NULL, 0);
    ibc_rc rc = IBC_EDB;
    if (PQresultStatus(r) == PGRES_TUPLES_OK) {
        if (PQntuples(r) == 0) {
            snprintf(err, errlen, "no active key has id '%.64s'", id);
            rc = IBC_ENOTFOUND;
        } else {
            const char *hash = PQgetvalue(r, 0, 0);
            unsigned slot = slot_of(hash);
            pthread_mutex_lock(&cache_lock);
            if (strcmp(cache[slot].hash, hash) == 0) cache[slot].hash[0] = 0;
            pthread_mutex_unlock(&cache_lock);
            rc = IBC_OK;
        }
    }
    PQclear(r);
    return rc;
}
