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

#endif
