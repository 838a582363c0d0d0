/* Table-driven validation of JSON request bodies: each field has a kind and
 * limits; the first problem is reported naming the field, in a sentence the
 * caller can act on. Unknown fields are rejected. */
#ifndef IBC_JSON_H
#define IBC_JSON_H

#include "context.h"

typedef enum {
    IBC_F_STR, /* string of min..max characters (code points) */
    IBC_F_INT, /* integer in min..max */
    IBC_F_NUM, /* number (integer or real) in min..max; amounts */
    IBC_F_BOOL,
    IBC_F_ENUM,   /* string, one of choices */
    IBC_F_STRARR, /* array of min..max strings, each 1..item_max characters */
    IBC_F_DATE,   /* "YYYY-MM-DD", a real calendar date */
    IBC_F_UUID,   /* canonical 8-4-4-4-12 hex */
    IBC_F_OBJ,    /* any object; the caller validates it */
    IBC_F_ANY,    /* any JSON; the caller validates it */
} ibc_field_kind;

typedef struct {
    const char *name;
    ibc_field_kind kind;
    bool required;
    long min, max;
    const char *const *choices; /* IBC_F_ENUM: NULL-terminated */
    long item_max;              /* IBC_F_STRARR: longest item */
} ibc_field;

/* Validates obj (must be an object) against fields. Copies every present,
 * non-null field into out (borrowed, must be an object) under its name.
 * `where` prefixes field names in messages (e.g. "textbook."); may be "".
 * Keys listed in `ignore` (NULL-terminated, may be NULL) are skipped silently.
 * Returns IBC_OK or IBC_EINVAL with a sentence in ctx. */
ibc_rc ibc_validate(ibc_ctx *ctx, const json_t *obj, const ibc_field *fields, size_t n,
                    const char *where, const char *const *ignore, json_t *out);

/* The names of the members whose values differ between the objects before
 * and after (a member on one side only counts), in after's order then
 * before's, skipping the names in `ignore` (NULL-terminated, may be NULL).
 * What an event says changed, without the values. Returns a new array. */
json_t *ibc_json_changed(const json_t *before, const json_t *after, const char *const *ignore);

/* A new object with obj's members named in `names` (NULL-terminated), null
 * for a missing one: an event's data taken from a stored row. */
json_t *ibc_json_pick(const json_t *obj, const char *const *names);

/* Removes the whitespace between the tokens of the JSON text s[0..len) in
 * place (PostgreSQL prints `{"a" : 1, "b" : 2}`); strings are kept as they
 * are. Returns the new length and writes a NUL there. */
size_t ibc_json_compact(char *s, size_t len);

/* Number of UTF-8 code points in s. */
size_t ibc_utf8_length(const char *s);
/* True when s is a real date written YYYY-MM-DD. */
bool ibc_date_valid(const char *s);
/* True when s is a UUID in canonical text form. */
bool ibc_uuid_valid(const char *s);

#endif
