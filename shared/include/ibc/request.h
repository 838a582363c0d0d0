/* Request helpers every service uses: path and query parameters (ids,
 * organisation ids, integers, pagination with a hard maximum, dates, choices),
 * If-Match and ETag, the Idempotency-Key, and the outcome of a call ("created
 * at PATH", "accepted at PATH", "nothing to say") that the runtime turns into
 * an HTTP status and a Location header, so that no handler knows HTTP.
 * Each checker names the parameter and what was wrong with it, in a sentence
 * the caller can act on, and fails with IBC_EINVAL unless said otherwise. */
#ifndef IBC_REQUEST_H
#define IBC_REQUEST_H

#include "context.h"

/* ------------------------------------------------------------ parameters */
/* Request parameters: params (path + query) and body of the envelope. Borrowed. */
const json_t *ibc_params(const json_t *req);
const json_t *ibc_body(const json_t *req);
/* A path or query parameter as a string, or NULL. Borrowed. */
const char *ibc_param(const json_t *req, const char *name);

/* IBC_OK when every parameter of req is listed in allowed (NULL-terminated);
 * else names the first unknown one and the known ones (path parameter "id"
 * is not listed to the caller). */
ibc_rc ibc_req_only(ibc_ctx *ctx, const json_t *req, const char *const *allowed);
/* The required parameter `name` as a UUID in *id (borrowed); `what` names the
 * entity in the message ("the staff member id must be a UUID"). */
ibc_rc ibc_req_id(ibc_ctx *ctx, const json_t *req, const char *name, const char *what,
                  const char **id);
/* An optional UUID parameter: *out is NULL when absent. */
ibc_rc ibc_req_uuid(ibc_ctx *ctx, const json_t *req, const char *name, const char **out);
/* An optional integer parameter in min..max: *out is dflt when absent. */
ibc_rc ibc_req_int(ibc_ctx *ctx, const json_t *req, const char *name, long min, long max, long dflt,
                   long *out);
/* An optional boolean parameter (true/false/1/0): *out is dflt when absent. */
ibc_rc ibc_req_bool(ibc_ctx *ctx, const json_t *req, const char *name, bool dflt, bool *out);
/* An optional YYYY-MM-DD parameter (a real date): *out is NULL when absent. */
ibc_rc ibc_req_date(ibc_ctx *ctx, const json_t *req, const char *name, const char **out);
/* An optional parameter that must be one of choices (NULL-terminated). */
ibc_rc ibc_req_enum(ibc_ctx *ctx, const json_t *req, const char *name, const char *const *choices,
                    const char **out);
/* An optional free-text parameter of 1..max characters (code points). */
ibc_rc ibc_req_text(ibc_ctx *ctx, const json_t *req, const char *name, long max, const char **out);
/* An optional organisation id parameter (see ibc_org_valid). */
ibc_rc ibc_req_org(ibc_ctx *ctx, const json_t *req, const char *name, const char **out);
/* True for an organisation (school) id: 1 to 64 of A-Z a-z 0-9 . _ - */
bool ibc_org_valid(const char *s);
/* IBC_EINVAL when `from` is after `to` (both YYYY-MM-DD, either may be NULL). */
ibc_rc ibc_req_range(ibc_ctx *ctx, const char *from, const char *to);

/* A page of a list: limit (1..max, dflt when absent) and offset (0..10^9,
 * 0 when absent), as numbers and as text for SQL parameters. */
#define IBC_OFFSET_MAX 1000000000L
typedef struct {
    long limit, offset;
    char limit_text[24], offset_text[24];
} ibc_page;
ibc_rc ibc_req_page(ibc_ctx *ctx, const json_t *req, long dflt, long max, ibc_page *page);

/* ------------------------------------------------------ versions (ETags) */
/* The version named by If-Match ("3", "\"3\"" or W/"3") in *version.
 * Missing header: IBC_EPRECOND_REQ when required, else IBC_OK with *version
 * -1. A value that is not such an ETag: IBC_EINVAL. */
ibc_rc ibc_if_match(ibc_ctx *ctx, bool required, long *version);
/* Parses an ETag as If-Match sends it into a version; -1 when it is not one. */
long ibc_etag_version(const char *s);
/* Sets the reply's ETag to "<version>". */
void ibc_set_etag(ibc_ctx *ctx, long long version);
/* Sets the reply's ETag to obj's integer member `member` ("version"). */
void ibc_set_etag_of(ibc_ctx *ctx, const json_t *obj, const char *member);

/* The caller's Idempotency-Key, or NULL. Borrowed. */
const char *ibc_idempotency_key(const ibc_ctx *ctx);

/* --------------------------------------------------------------- outcome */
/* The call created something that lives at the API path printf(fmt, ...)
 * (e.g. "/api/v1/catalog/records/%s"): the reply says so (201, Location). */
void ibc_created(ibc_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The call started work that can be followed at the path (202, Location). */
void ibc_accepted(ibc_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The call succeeded and has nothing to answer (204); the handler returns
 * *reply NULL. */
void ibc_no_content(ibc_ctx *ctx);

#endif
