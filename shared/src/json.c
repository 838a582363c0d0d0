/* Table-driven validation of request bodies (see ibc/json.h). Pure code. */
#include "ibc/json.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* The first `bytes` bytes of s at most, cut before a character rather than
 * inside one (the sentences quote the client's text, and a broken character
 * would reach them as U+FFFD). Writes into buf (bytes + 1); returns buf. */
static const char *clip(const char *s, char *buf, size_t bytes)
{
    size_t n = strnlen(s, bytes);
    if (s[n])
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    memcpy(buf, s, n);
    buf[n] = 0;
    return buf;
}

size_t ibc_json_compact(char *s, size_t len)
{
    size_t o = 0;
    bool in_string = false, escaped = false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (in_string) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                in_string = false;
        } else if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
            continue;
        } else if (c == '"') {
            in_string = true;
        }
        s[o++] = c;
    }
    s[o] = 0;
    return o;
}

size_t ibc_utf8_length(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80) n++;
    return n;
}

bool ibc_date_valid(const char *s)
{
    int y, m, d;
    char tail;
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-') return false;
    /* sscanf's %d would also take a sign or a space: "2024-+1-05" */
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)s[i])) return false;
    if (sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3) return false;
    if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1) return false;
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int dm = days[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
    return d <= dm;
}

bool ibc_uuid_valid(const char *s)
{
    if (strlen(s) != 36) return false;
    for (int i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-') return false;
        } else if (!isxdigit((unsigned char)s[i])) {
            return false;
        }
    }
    return true;
}

static const char *kind_name(const ibc_field *f)
{
    switch (f->kind) {
    case IBC_F_STR:
        return "a string";
    case IBC_F_INT:
        return "an integer";
    case IBC_F_NUM:
        return "a number";
    case IBC_F_BOOL:
        return "true or false";
    case IBC_F_ENUM:
        return "a string";
    case IBC_F_STRARR:
        return "an array of strings";
    case IBC_F_DATE:
        return "a date string YYYY-MM-DD";
    case IBC_F_UUID:
        return "a UUID string";
    case IBC_F_OBJ:
        return "an object";
    default:
        return "a value";
    }
}

static ibc_rc check_string(ibc_ctx *ctx, const char *where, const char *name, const char *s,
                           long min, long max)
{
    size_t len = ibc_utf8_length(s);
    if (max > 0 && (long)len > max)
        return ibc_fail(ctx, IBC_EINVAL, "'%s%s' is %zu characters long; at most %ld are allowed",
                        where, name, len, max);
    if (len == 0 && min > 0)
        return ibc_fail(ctx, IBC_EINVAL, "'%s%s' must not be empty", where, name);
    if ((long)len < min)
        return ibc_fail(ctx, IBC_EINVAL, "'%s%s' must be at least %ld characters long", where, name,
                        min);
    bool blank = min > 0;
    for (const char *c = s; blank && *c; c++)
        blank = isspace((unsigned char)*c);
    if (blank) return ibc_fail(ctx, IBC_EINVAL, "'%s%s' must not be blank", where, name);
    return IBC_OK;
}

/* Checks that the string s is one of f's choices. */
static ibc_rc check_enum(ibc_ctx *ctx, const ibc_field *f, const char *w, const char *s)
{
    for (const char *const *c = f->choices; *c; c++)
        if (strcmp(*c, s) == 0) return IBC_OK;
    char list[512] = "";
    for (const char *const *c = f->choices; *c; c++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s",
                 c == f->choices ? "" : ", ", *c);
    char q[61];
    return ibc_fail(ctx, IBC_EINVAL, "'%s%s' must be one of %s, not '%s'", w, f->name, list,
                    clip(s, q, 60));
}

/* Checks the item count and every item of the array v of strings. */
static ibc_rc check_strarr(ibc_ctx *ctx, const ibc_field *f, const char *w, json_t *v)
{
    const char *n = f->name;
    size_t count = json_array_size(v);
    if (!f->max && (long)count < f->min)
        return ibc_fail(ctx, IBC_EINVAL, "'%s%s' must have at least %ld items, not %zu", w, n,
                        f->min, count);
    if ((long)count < f->min || (f->max && (long)count > f->max))
        return ibc_fail(ctx, IBC_EINVAL, "'%s%s' must have %ld to %ld items, not %zu", w, n, f->min,
                        f->max, count);
    size_t i;
    json_t *item;
    json_array_foreach(v, i, item)
    {
        if (!json_is_string(item))
            return ibc_fail(ctx, IBC_EINVAL, "'%s%s[%zu]' must be a string", w, n, i);
        char name[96];
        snprintf(name, sizeof name, "%s[%zu]", n, i);
        ibc_rc rc = check_string(ctx, w, name, json_string_value(item), 1,
                                 f->item_max ? f->item_max : 1000);
        if (rc != IBC_OK) return rc;
    }
    return IBC_OK;
}

/* Checks one present, non-null value. */
static ibc_rc check(ibc_ctx *ctx, const ibc_field *f, const char *w, json_t *v)
{
    const char *n = f->name;
    switch (f->kind) {
    case IBC_F_STR:
        if (!json_is_string(v)) break;
        return check_string(ctx, w, n, json_string_value(v), f->min ? f->min : 1, f->max);
    case IBC_F_INT:
        if (!json_is_integer(v)) break;
        if (json_integer_value(v) < f->min || json_integer_value(v) > f->max)
            return ibc_fail(ctx, IBC_EINVAL, "'%s%s' must be from %ld to %ld, not %lld", w, n,
                            f->min, f->max, (long long)json_integer_value(v));
        return IBC_OK;
    case IBC_F_NUM:
        if (!json_is_number(v)) break;
        if (json_number_value(v) < f->min || json_number_value(v) > f->max)
            return ibc_fail(ctx, IBC_EINVAL, "'%s%s' must be from %ld to %ld", w, n, f->min,
                            f->max);
        return IBC_OK;
    case IBC_F_BOOL:
        if (!json_is_boolean(v)) break;
        return IBC_OK;
    case IBC_F_ENUM:
        if (!json_is_string(v)) break;
        return check_enum(ctx, f, w, json_string_value(v));
    case IBC_F_STRARR:
        if (!json_is_array(v)) break;
        return check_strarr(ctx, f, w, v);
    case IBC_F_DATE:
        if (!json_is_string(v)) break;
        if (!ibc_date_valid(json_string_value(v))) {
            char q[41];
            return ibc_fail(ctx, IBC_EINVAL, "'%s%s' must be a real date as YYYY-MM-DD, not '%s'",
                            w, n, clip(json_string_value(v), q, 40));
        }
        return IBC_OK;
    case IBC_F_UUID:
        if (!json_is_string(v)) break;
        if (!ibc_uuid_valid(json_string_value(v))) {
            char q[61];
            return ibc_fail(ctx, IBC_EINVAL, "'%s%s' must be a UUID, not '%s'", w, n,
                            clip(json_string_value(v), q, 60));
        }
        return IBC_OK;
    case IBC_F_OBJ:
        if (!json_is_object(v)) break;
        return IBC_OK;
    case IBC_F_ANY:
        return IBC_OK;
    }
    return ibc_fail(ctx, IBC_EINVAL, "'%s%s' must be %s", w, n, kind_name(f));
}

ibc_rc ibc_validate(ibc_ctx *ctx, const json_t *obj, const ibc_field *fields, size_t n,
                    const char *where, const char *const *ignore, json_t *out)
{
    if (!where) where = "";
    if (!json_is_object(obj)) {
        if (!*where) return ibc_fail(ctx, IBC_EINVAL, "the body must be a JSON object");
        /* where is "textbook.": name the member without its trailing dot */
        int wlen = (int)strlen(where);
        if (where[wlen - 1] == '.') wlen--;
        return ibc_fail(ctx, IBC_EINVAL, "'%.*s' must be a JSON object", wlen, where);
    }
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)obj, key, v)
    {
        bool known = false;
        for (size_t i = 0; i < n && !known; i++)
            known = strcmp(fields[i].name, key) == 0;
        for (const char *const *ig = ignore; ig && *ig && !known; ig++)
            known = strcmp(*ig, key) == 0;
        char q[61];
        if (!known)
            return ibc_fail(ctx, IBC_EINVAL, "unknown field '%s%s'", where, clip(key, q, 60));
    }
    for (size_t i = 0; i < n; i++) {
        json_t *val = json_object_get(obj, fields[i].name);
        if (!val || json_is_null(val)) {
            if (fields[i].required)
                return ibc_fail(ctx, IBC_EINVAL, "'%s%s' is required", where, fields[i].name);
            continue;
        }
        ibc_rc rc = check(ctx, &fields[i], where, val);
        if (rc != IBC_OK) return rc;
        json_object_set(out, fields[i].name, val);
    }
    return IBC_OK;
}

static bool listed(const char *const *names, const char *key)
{
    for (const char *const *n = names; n && *n; n++)
        if (strcmp(*n, key) == 0) return true;
    return false;
}

json_t *ibc_json_changed(const json_t *before, const json_t *after, const char *const *ignore)
{
    json_t *out = json_array();
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)after, key, v)
    {
        if (!listed(ignore, key) && !json_equal(v, json_object_get(before, key)))
            json_array_append_new(out, json_string(key));
    }
    json_object_foreach((json_t *)before, key, v)
    {
        if (!listed(ignore, key) && !json_object_get(after, key))
            json_array_append_new(out, json_string(key));
    }
    return out;
}

json_t *ibc_json_pick(const json_t *obj, const char *const *names)
{
    json_t *out = json_object();
    for (const char *const *n = names; n && *n; n++) {
        json_t *v = json_object_get(obj, *n);
        json_object_set(out, *n, v ? v : json_null());
    }
    return out;
}
