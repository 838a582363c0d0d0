/* Request bodies of staff and courses, checked and flattened into the columns
 * of their tables (every optional column present, null when not given, so an
 * update replaces). Pure code: IBC_EINVAL with a sentence naming the field. */
#ifndef TRAINING_BODY_H
#define TRAINING_BODY_H

#include <ibc/ibc.h>

/* A staff member: full_name, position, school (default_school when absent),
 * hired_on, left_on (not before hired_on). *flat is a new object or NULL. */
ibc_rc staff_normalize(ibc_ctx *ctx, const json_t *body, const char *default_school, json_t **flat);
/* A course: title, provider, kind, format, hours, starts_on, ends_on (not
 * before starts_on), capacity, location, description, materials (array of
 * {title, url} with http(s) URLs). *flat is a new object or NULL. */
ibc_rc course_normalize(ibc_ctx *ctx, const json_t *body, json_t **flat);

#endif
