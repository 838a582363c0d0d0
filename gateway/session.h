/* People at the web workstation: staff accounts with passwords (argon2id,
 * libsodium) and the sessions they sign in to. A session resolves to the same
 * principal (id, org, role) as an API key, so that every route's role rule
 * and every service's school rule apply unchanged; a write through a session
 * must also carry its CSRF token. */
#ifndef GW_SESSION_H
#define GW_SESSION_H

#include "auth.h"

#define GW_SESSION_COOKIE "ibc_session"
#define GW_CSRF_HEADER "X-CSRF-Token"
#define GW_LOCKOUT_FAILURES 10 /* wrong passwords in a row from one address that lock
                                 * the account for that address */
#define GW_LOCKOUT_FAILURES_ANY 100 /* ... from any addresses, that lock it for all */
#define GW_SIGNIN_RATE 0.5          /* sign-in attempts per second per address */
#define GW_SIGNIN_BURST 30
#define GW_LOCKOUT_MINUTES 15
#define GW_SESSION_IDLE_MINUTES 120
#define GW_SESSION_HOURS 12
#define GW_STR_(x) #x
#define GW_STR(x) GW_STR_(x) /* a number above as text, for SQL */

/* An account's public fields as JSON, for a SELECT list over `a`. */
#define GW_ACCOUNT_JSON                                                                            \
    "json_build_object('id', a.id, 'login', a.login, 'name', a.name, 'org', a.org, 'role', "       \
    "a.role, 'disabled', a.disabled_at IS NOT NULL, 'locked_until', "                              \
    "CASE WHEN a.locked_until > now() THEN a.locked_until END, 'created_at', a.created_at)"

struct _u_request;
struct _u_response;

/* Initialises libsodium; false when it cannot (the gateway does not start). */
bool gw_session_init(ibc_db_pool *pool);

/* The session token of the request's Cookie header, copied into tok; false
 * when there is none. */
bool gw_session_cookie(const struct _u_request *req, char *tok, size_t toklen);
/* Resolves a session token to its account; csrf gets the session's CSRF token.
 * Touches the session (idle timeout). IBC_EUNAUTH for an unknown, expired or
 * disabled one, IBC_EDB when the database cannot be asked. */
ibc_rc gw_session_lookup(const char *token, gw_principal *who, char csrf[64]);
/* true when the request's X-CSRF-Token equals csrf (constant time). */
bool gw_csrf_ok(const struct _u_request *req, const char *csrf);

/* An argon2id hash of password (crypto_pwhash_str) into out[128]. IBC_EINVAL
 * with a sentence for a password that is too short or too long, IBC_EBUSY when
 * too many hashes are being computed. */
ibc_rc gw_password_hash(const char *password, char out[128], char *err, size_t errlen);

/* The people routes (subjects local:session.* and local:accounts.*): reads
 * what it needs of req (cookie), sets Set-Cookie on resp, leaves the JSON
 * answer in *out (new reference, may stay NULL) and its status in *status. */
ibc_rc gw_people_call(PGconn *db, const char *action, const struct _u_request *req,
                      const json_t *params, const json_t *body, const gw_principal *who,
                      json_t **out, int *status, struct _u_response *resp, char *err,
                      size_t errlen);

/* Accounts, for the admin (accounts.c). *out is a new reference. */
ibc_rc gw_accounts_create(PGconn *db, const json_t *body, json_t **out, char *err, size_t errlen);
ibc_rc gw_accounts_list(PGconn *db, const json_t *params, json_t **out, char *err, size_t errlen);
ibc_rc gw_accounts_update(PGconn *db, const char *id, const json_t *body, json_t **out, char *err,
                          size_t errlen);

#endif
