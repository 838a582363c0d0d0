/* API keys: stored hashed (SHA-256 of a 256-bit random secret), each with an
 * organisation and a role; looked up through a short-lived cache. */
#ifndef GW_AUTH_H
#define GW_AUTH_H

#include <ibc/ibc.h>

typedef struct {
    char id[40];
    char org[72];
    char role[24];
} gw_principal;

/* Sets up the cache; pool is borrowed for the process lifetime. */
void gw_auth_init(ibc_db_pool *pool);
/* Resolves a bearer secret. IBC_EUNAUTH for an unknown or revoked key,
 * IBC_EDB when the database cannot be asked. */
ibc_rc gw_auth_lookup(const char *secret, gw_principal *out);
/* Creates a key; *out is a new object with the secret shown once.
 * IBC_EINVAL with a sentence in err for a bad org or role. With an
 * Idempotency-Key (idem, may be NULL) a retry creates nothing: 409 naming the
 * key created the first time (its secret is not kept), 422 when the key was
 * used for another body. */
ibc_rc gw_keys_create(PGconn *db, const json_t *body, const char *created_by, const char *idem,
                      json_t **out, char *err, size_t errlen);
/* Lists keys without secrets; *out is a new array. */
ibc_rc gw_keys_list(PGconn *db, const json_t *params, json_t **out, char *err, size_t errlen);
/* Revokes a key and drops it from this gateway's cache. */
ibc_rc gw_keys_revoke(PGconn *db, const char *id, char *err, size_t errlen);

/* Helpers the people's accounts (session.c, accounts.c) share with keys. */
/* Writes the lowercase hex SHA-256 of s into hex[65]. */
void gw_sha256_hex(const char *s, char hex[65]);
/* base64url without padding of n bytes into out (4n/3+2 bytes). */
void gw_b64url(const unsigned char *in, size_t n, char *out);
/* An organisation id: 1 to 64 of [A-Za-z0-9._-]. */
bool gw_org_valid(const char *org);
/* A page parameter of the query: absent is dflt; an integer in [min, max]
 * else IBC_EINVAL with the sentence in err. */
ibc_rc gw_page_param(const json_t *params, const char *name, long min, long max, long dflt,
                     long *out, char *err, size_t errlen);
/* limit (1..500, 50) and offset of a list's query as text for SQL. */
ibc_rc gw_page(const json_t *params, char limit[24], char offset[24], char *err, size_t errlen);
/* PQexecParams, once more after a reset when the connection was found broken
 * (the server restarted since it was last used). Caller PQclear()s. */
PGresult *gw_exec_again(PGconn *db, const char *sql, int n, const char *const *p);
/* Runs sql whose one row is JSON text into *out (new reference): IBC_OK,
 * IBC_ENOTFOUND for no row, IBC_ECONFLICT for a unique violation, IBC_EDB. */
ibc_rc gw_json_row(PGconn *db, const char *sql, int n, const char *const *p, json_t **out);

#endif
