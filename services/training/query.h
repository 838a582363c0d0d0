/* Path and query parameters of a training request, checked one by one: each
 * helper names the parameter and what was wrong with it. Pure code. */
#ifndef TRAINING_QUERY_H
#define TRAINING_QUERY_H

#include <ibc/ibc.h>

/* IBC_OK when every parameter of req is listed in allowed (NULL-terminated);
 * else IBC_EINVAL naming the first unknown one and the allowed ones. */
ibc_rc q_only(ibc_ctx *ctx, const json_t *req, const char *const *allowed);
/* The path parameter `name` as a UUID in *id (borrowed); what names the entity
 * in the message ("staff member"). IBC_EINVAL when missing or malformed. */
ibc_rc q_id(ibc_ctx *ctx, const json_t *req, const char *name, const char *what, const char **id);
/* An optional UUID query parameter: *out is NULL when absent. */
ibc_rc q_uuid(ibc_ctx *ctx, const json_t *req, const char *name, const char **out);
/* An optional integer query parameter in min..max: *out is dflt when absent. */
ibc_rc q_int(ibc_ctx *ctx, const json_t *req, const char *name, long min, long max, long dflt,
             long *out);
/* An optional YYYY-MM-DD query parameter: *out is NULL when absent. */
ibc_rc q_date(ibc_ctx *ctx, const json_t *req, const char *name, const char **out);
/* An optional query parameter that must be one of choices (NULL-terminated). */
ibc_rc q_enum(ibc_ctx *ctx, const json_t *req, const char *name, const char *const *choices,
              const char **out);
/* An optional organisation id ([A-Za-z0-9._-]{1,64}) query parameter. */
ibc_rc q_org(ibc_ctx *ctx, const json_t *req, const char *name, const char **out);
/* An optional free-text query parameter of 1..max characters. */
ibc_rc q_text(ibc_ctx *ctx, const json_t *req, const char *name, long max, const char **out);
/* limit (1..200, default 50) and offset (0.., default 0) of a list. */
ibc_rc q_paging(ibc_ctx *ctx, const json_t *req, long *limit, long *offset);
/* Checks that `from` is not after `to` when both are given. */
ibc_rc q_range(ibc_ctx *ctx, const char *from, const char *to);

/* The version named by If-Match ("3", "\"3\"" or W/"3") in *version:
 * IBC_EPRECOND_REQ when the header is missing, IBC_EINVAL when malformed. */
ibc_rc q_if_match(ibc_ctx *ctx, long *version);
/* Sets the reply's ETag to the "version" member of obj. */
void reply_etag(ibc_ctx *ctx, const json_t *obj);

/* True when s is an organisation id. */
bool org_valid(const char *s);

#endif
