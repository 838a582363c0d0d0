/* Validation of a record body (see record.h). */
#include "record.h"
#include "isbn.h"

#include <ibc/json.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const types[] = {"book",       "textbook",   "e-resource",
                                    "multimedia", "periodical", "methodical", NULL};
static const char *const ratings[] = {"0+", "6+", "12+", "16+", "18+", NULL};
static const char *const access[] = {"open", "network", "school", "licensed", NULL};

/* read-only members a client may send back unchanged from a GET */
static const char *const readonly[] = {"id",         "version",    "created_at",
                                       "updated_at", "created_by_org", NULL};

/* Validates the textbook member tb and moves its members into out. */
static ibc_rc flatten_textbook(ibc_ctx *ctx, json_t *tb, json_t *out)
{
    const ibc_field tb_fields[] = {
        {"subject", IBC_F_STR, false, 1, 200},
        {"grade_from", IBC_F_INT, false, 1, 11},
        {"grade_to", IBC_F_INT, false, 1, 11},
        {"fpu_number", IBC_F_STR, false, 1, 64},
    };
    json_t *t = json_object();
    ibc_rc rc = ibc_validate(ctx, tb, tb_fields, IBC_LEN(tb_fields), "textbook.", NULL, t);
    json_int_t from = json_integer_value(json_object_get(t, "grade_from"));
    json_int_t to = json_integer_value(json_object_get(t, "grade_to"));
    if (rc == IBC_OK && json_object_get(t, "grade_from") && json_object_get(t, "grade_to") &&
        from > to)
        rc = ibc_fail(ctx, IBC_EINVAL,
                      "'textbook.grade_from' (%lld) is after 'textbook.grade_to' (%lld)",
                      (long long)from, (long long)to);
    if (rc == IBC_OK) {
        json_object_set(out, "textbook_subject", json_object_get(t, "subject"));
        json_object_set(out, "grade_from", json_object_get(t, "grade_from"));
        json_object_set(out, "grade_to", json_object_get(t, "grade_to"));
        json_object_set(out, "fpu_number", json_object_get(t, "fpu_number"));
        json_object_del(out, "textbook");
    }
    json_decref(t);
    return rc;
}

/* Validates the eresource member er and moves its members into out. */
static ibc_rc flatten_eresource(ibc_ctx *ctx, json_t *er, json_t *out)
{
    const ibc_field er_fields[] = {
        {"url", IBC_F_STR, true, 8, 2000},
        {"access", IBC_F_ENUM, false, 0, 0, access},
    };
    json_t *e = json_object();
    ibc_rc rc = ibc_validate(ctx, er, er_fields, IBC_LEN(er_fields), "eresource.", NULL, e);
    const char *url = json_string_value(json_object_get(e, "url"));
    if (rc == IBC_OK && strncmp(url, "http://", 7) && strncmp(url, "https://", 8))
        rc = ibc_fail(ctx, IBC_EINVAL, "'eresource.url' must start with http:// or https://");
    const char *host = rc == IBC_OK ? strstr(url, "//") + 2 : NULL;
    if (host && (!*host || *host == '/' || *host == '?' || *host == '#'))
        rc = ibc_fail(ctx, IBC_EINVAL, "'eresource.url' '%.60s' names no host after the scheme",
                      url);
    if (rc == IBC_OK) {
        json_object_set(out, "url", json_object_get(e, "url"));
        json_object_set(out, "access", json_object_get(e, "access"));
        json_object_del(out, "eresource");
    }
    json_decref(e);
    return rc;
}

/* Replaces out's isbn, if any, by its normal form. */
static ibc_rc normalize_isbn(ibc_ctx *ctx, json_t *out)
{
    const char *isbn = json_string_value(json_object_get(out, "isbn"));
    if (isbn) {
        char norm[14];
        if (!isbn_normalize(isbn, norm)) {
            return ibc_fail(
                ctx, IBC_EINVAL,
                "'isbn' '%.32s' is not a valid ISBN-10 or ISBN-13 (check digit, length)", isbn);
        }
        json_object_set_new(out, "isbn", json_string(norm));
    }
    return IBC_OK;
}

/* null members: a JSON null for every column not given, so that an update replaces */
/* clang-format off */
static const char *const columns[] = {
    "subtitle",   "authors",  "publisher",  "place",  "year",     "isbn",
    "issn",       "language", "bbk",        "udk",    "subjects", "annotation",
    "age_rating", "edition",  "pages",      "series", "textbook_subject",
    "grade_from", "grade_to", "fpu_number", "url",    "access"};
/* clang-format on */

/* A JSON null (an empty array) for every column not given. */
static void fill_missing(json_t *out)
{
    for (size_t i = 0; i < IBC_LEN(columns); i++)
        if (!json_object_get(out, columns[i])) {
            bool array = strcmp(columns[i], "authors") == 0 || strcmp(columns[i], "subjects") == 0;
            json_object_set_new(out, columns[i], array ? json_array() : json_null());
        }
}

ibc_rc record_normalize(ibc_ctx *ctx, const json_t *body, json_t **flat)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    long max_year = tm.tm_year + 1900 + 1;
    const ibc_field fields[] = {
        {"type", IBC_F_ENUM, true, 0, 0, types},
        {"title", IBC_F_STR, true, 1, 2000},
        {"subtitle", IBC_F_STR, false, 1, 2000},
        {"authors", IBC_F_STRARR, false, 0, 100, NULL, 500},
        {"publisher", IBC_F_STR, false, 1, 500},
        {"place", IBC_F_STR, false, 1, 200},
        {"year", IBC_F_INT, false, 1000, max_year},
        {"isbn", IBC_F_STR, false, 1, 32},
        {"issn", IBC_F_STR, false, 1, 32},
        {"language", IBC_F_STR, false, 2, 8},
        {"bbk", IBC_F_STR, false, 1, 200},
        {"udk", IBC_F_STR, false, 1, 200},
        {"subjects", IBC_F_STRARR, false, 0, 200, NULL, 500},
        {"annotation", IBC_F_STR, false, 1, 20000},
        {"age_rating", IBC_F_ENUM, false, 0, 0, ratings},
        {"edition", IBC_F_STR, false, 1, 200},
        {"pages", IBC_F_INT, false, 1, 100000},
        {"series", IBC_F_STR, false, 1, 500},
        {"textbook", IBC_F_OBJ, false},
        {"eresource", IBC_F_OBJ, false},
    };
    json_t *out = json_object();
    ibc_rc rc = ibc_validate(ctx, body, fields, IBC_LEN(fields), "", readonly, out);
    if (rc != IBC_OK) goto done;

    json_t *tb = json_object_get(out, "textbook");
    if (tb && (rc = flatten_textbook(ctx, tb, out)) != IBC_OK) goto done;
    json_t *er = json_object_get(out, "eresource");
    if (er && (rc = flatten_eresource(ctx, er, out)) != IBC_OK) goto done;
    rc = normalize_isbn(ctx, out);
    if (rc != IBC_OK) goto done;
    fill_missing(out);
done:
    if (rc != IBC_OK) {
        json_decref(out);
        out = NULL;
    }
    *flat = out;
    return rc;
}
