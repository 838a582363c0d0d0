/* OAI-PMH argument checks (see oai_args.h). The order of the checks follows
 * the protocol's: an unknown verb is badVerb before anything else; then the
 * arguments the verb does not take, lacks or repeats are badArgument; then
 * the token (badResumptionToken) and the format (cannotDisseminateFormat). */
#include "oai_args.h"

#include <ibc/envelope.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static bool fail(oai_error *e, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static bool fail(oai_error *e, const char *code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->text, sizeof e->text, fmt, ap);
    va_end(ap);
    e->code = code;
    return false;
}

bool oai_prefix_known(const char *prefix)
{
    return strcmp(prefix, "oai_dc") == 0 || strcmp(prefix, "marc21") == 0;
}

static bool org_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
}

bool oai_set_in_hierarchy(const char *set)
{
    if (strcmp(set, "textbooks") == 0) return true;
    if (strncmp(set, "school:", 7) != 0) return false;
    size_t n = strlen(set + 7);
    if (n == 0 || n > 64) return false;
    for (const char *c = set + 7; *c; c++)
        if (!org_char(*c)) return false;
    return true;
}

/* The OAI-PMH schema's setSpec: levels of unreserved characters joined by ':'. */
static bool setspec_valid(const char *s)
{
    bool level_empty = true;
    for (; *s; s++) {
        if (*s == ':') {
            if (level_empty) return false;
            level_empty = true;
        } else if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
                   (*s >= '0' && *s <= '9') || strchr("-_.!~*'()", *s)) {
            level_empty = false;
        } else {
            return false;
        }
    }
    return !level_empty;
}

/* Digits at s[0..n) as a number; -1 when one is not a digit. */
static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

bool oai_parse_datestamp(const char *s, bool until, long long *out, bool *day)
{
    size_t n = strlen(s);
    if (n != 10 && n != 20) return false;
    if (s[4] != '-' || s[7] != '-') return false;
    int y = digits(s, 4), mo = digits(s + 5, 2), d = digits(s + 8, 2), h = 0, mi = 0, se = 0;
    if (n == 20) {
        if (s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != 'Z') return false;
        h = digits(s + 11, 2), mi = digits(s + 14, 2), se = digits(s + 17, 2);
    }
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h < 0 || h > 23 || mi < 0 ||
        mi > 59 || se < 0 || se > 59)
        return false;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (mo == 2 && d == 29 && !leap) return false;
    struct tm tm = {.tm_year = y - 1900,
                    .tm_mon = mo - 1,
                    .tm_mday = d,
                    .tm_hour = h,
                    .tm_min = mi,
                    .tm_sec = se};
    *out = (long long)timegm(&tm) + (n == 10 && until ? 86399 : 0);
    *day = n == 10;
    return true;
}

/* The arguments each verb takes, required ones first. */
typedef struct {
    const char *name;
    oai_verb verb;
    const char *args[5];
} verb_spec;

static const verb_spec verbs[] = {
    {"Identify", OAI_IDENTIFY, {NULL}},
    {"ListMetadataFormats", OAI_LIST_METADATA_FORMATS, {"identifier", NULL}},
    {"ListSets", OAI_LIST_SETS, {"resumptionToken", NULL}},
    {"GetRecord", OAI_GET_RECORD, {"identifier", "metadataPrefix", NULL}},
    {"ListIdentifiers",
     OAI_LIST_IDENTIFIERS,
     {"metadataPrefix", "from", "until", "set", "resumptionToken"}},
    {"ListRecords",
     OAI_LIST_RECORDS,
     {"metadataPrefix", "from", "until", "set", "resumptionToken"}},
};

static bool takes(const verb_spec *v, const char *arg)
{
    for (int i = 0; i < 5 && v->args[i]; i++)
        if (strcmp(v->args[i], arg) == 0) return true;
    return false;
}

/* Every argument is one the verb takes, and a string. */
static bool only_known(const json_t *params, const verb_spec *v, oai_error *e)
{
    const char *k;
    json_t *val;
    json_object_foreach((json_t *)params, k, val)
    {
        if (strcmp(k, "verb") == 0) continue;
        if (!takes(v, k))
            return fail(e, "badArgument", "%s does not take the argument '%.60s'", v->name, k);
        if (!json_is_string(val))
            return fail(e, "badArgument", "the argument '%.60s' must be given once", k);
    }
    return true;
}

static const char *arg(const json_t *params, const char *name)
{
    return json_string_value(json_object_get(params, name));
}

/* A list continued: the token alone, of the same verb. */
static bool list_from_token(const json_t *params, const oai_token_keys *keys, long long now,
                            long long ttl_s, oai_request *r, oai_error *e)
{
    const char *t = arg(params, "resumptionToken");
    if (json_object_size(params) != 2)
        return fail(e, "badArgument", "resumptionToken is an exclusive argument: send it alone");
    const char *why;
    if (!oai_token_decode(keys, t, strlen(t), now, ttl_s, &r->cur, &why))
        return fail(e, "badResumptionToken", "the resumption token is refused: %s", why);
    if (r->cur.verb != (r->verb == OAI_LIST_RECORDS ? 'R' : 'I'))
        return fail(e, "badResumptionToken", "the resumption token continues another verb than %s",
                    r->verb_name);
    r->has_token = true;
    r->prefix = r->cur.prefix;
    return true;
}

/* The checks of from and until: each a datestamp, of one granularity, in order. */
static bool list_dates(const json_t *params, oai_cursor *c, oai_error *e)
{
    const char *from = arg(params, "from"), *until = arg(params, "until");
    bool fday = false, uday = false;
    c->from = c->until = -1;
    if (from && !oai_parse_datestamp(from, false, &c->from, &fday))
        return fail(
            e, "badArgument",
            "'from' must be a UTC datestamp YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ, not '%.40s'", from);
    if (until && !oai_parse_datestamp(until, true, &c->until, &uday))
        return fail(e, "badArgument",
                    "'until' must be a UTC datestamp YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ, not "
                    "'%.40s'",
                    until);
    if (from && until && fday != uday)
        return fail(e, "badArgument", "'from' and 'until' must have the same granularity");
    if (from && until && c->from > c->until)
        return fail(e, "badArgument", "'from' (%s) is later than 'until' (%s)", from, until);
    c->day = from ? fday : uday;
    return true;
}

static bool list_first(const json_t *params, oai_request *r, oai_error *e)
{
    oai_cursor *c = &r->cur;
    const char *prefix = arg(params, "metadataPrefix"), *set = arg(params, "set");
    if (!prefix)
        return fail(e, "badArgument", "%s needs the argument metadataPrefix", r->verb_name);
    if (!list_dates(params, c, e)) return false;
    if (set && (strlen(set) >= OAI_SET_MAX || !setspec_valid(set)))
        return fail(e, "badArgument", "'set' is not a valid setSpec: '%.80s'", set);
    if (set && !oai_set_in_hierarchy(set))
        return fail(e, "noSetHierarchy",
                    "this repository has the sets 'textbooks' and 'school:<id>' only, not '%.80s'",
                    set);
    if (!oai_prefix_known(prefix))
        return fail(e, "cannotDisseminateFormat",
                    "the metadata formats are oai_dc and marc21, not '%.40s'", prefix);
    c->verb = r->verb == OAI_LIST_RECORDS ? 'R' : 'I';
    snprintf(c->prefix, sizeof c->prefix, "%s", prefix);
    snprintf(c->set, sizeof c->set, "%s", set ? set : "");
    r->prefix = prefix;
    return true;
}

static bool by_verb(const json_t *params, const oai_token_keys *keys, long long now,
                    long long ttl_s, oai_request *r, oai_error *e)
{
    switch (r->verb) {
    case OAI_IDENTIFY:
        return true;
    case OAI_LIST_METADATA_FORMATS:
        r->identifier = arg(params, "identifier");
        return true;
    case OAI_LIST_SETS:
        if (arg(params, "resumptionToken"))
            return fail(e, "badResumptionToken",
                        "ListSets answers in one response: no token of it "
                        "exists");
        return true;
    case OAI_GET_RECORD:
        r->identifier = arg(params, "identifier");
        r->prefix = arg(params, "metadataPrefix");
        if (!r->identifier || !r->prefix)
            return fail(e, "badArgument", "GetRecord needs identifier and metadataPrefix");
        if (!oai_prefix_known(r->prefix))
            return fail(e, "cannotDisseminateFormat",
                        "the metadata formats are oai_dc and marc21, not '%.40s'", r->prefix);
        return true;
    default:
        if (arg(params, "resumptionToken")) return list_from_token(params, keys, now, ttl_s, r, e);
        return list_first(params, r, e);
    }
}

bool oai_args_parse(const json_t *params, const oai_token_keys *keys, long long now,
                    long long ttl_s, oai_request *r, oai_error *e)
{
    memset(r, 0, sizeof *r);
    e->code = NULL;
    e->text[0] = 0;
    json_t *jv = json_object_get(params, "verb");
    const char *v = json_string_value(jv);
    if (!v) return fail(e, "badVerb", "the argument 'verb' is missing");
    const verb_spec *spec = NULL;
    for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
        if (strcmp(verbs[i].name, v) == 0) spec = &verbs[i];
    if (!spec) return fail(e, "badVerb", "'%.40s' is not a verb of OAI-PMH", v);
    r->verb = spec->verb;
    r->verb_name = spec->name;
    if (!only_known(params, spec, e)) return false;
    return by_verb(params, keys, now, ttl_s, r, e);
}

/* One name=value of a form, percent-decoded, into params. */
static void add_pair(json_t *params, const char *pair, size_t n)
{
    char *s = strndup(pair, n);
    if (!s) return;
    char *k = s, *v = strchr(s, '=');
    if (v) *v++ = 0;
    char *parts[2] = {k, v ? v : s + strlen(s)}; /* both decoded in place: writable */
    for (int p = 0; p < 2; p++) {                /* percent-decoding in place */
        char *r = parts[p], *w = parts[p];
        for (; *r; r++, w++) {
            unsigned hi, lo;
            if (*r == '+')
                *w = ' ';
            else if (*r == '%' && sscanf(r + 1, "%1x%1x", &hi, &lo) == 2)
                *w = (char)(hi << 4 | lo), r += 2;
            else
                *w = *r;
        }
        *w = 0;
    }
    if (*k && ibc_utf8_valid(k, strlen(k)) && ibc_utf8_valid(parts[1], strlen(parts[1]))) {
        json_t *old = json_object_get(params, k);
        if (old)
            json_object_set_new(params, k, json_pack("[O,s]", old, parts[1]));
        else
            json_object_set_new(params, k, json_string(parts[1]));
    }
    free(s);
}

void oai_args_add_form(json_t *params, const char *form, size_t n)
{
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && form[j] != '&')
            j++;
        if (j > i) add_pair(params, form + i, j - i);
        i = j + 1;
    }
}
