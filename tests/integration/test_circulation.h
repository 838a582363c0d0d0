/* Fixtures shared by the circulation integration tests: schools, readers,
 * records and items made through the gateway, as a client would. Every
 * helper asserts that the call it makes succeeded. */
#ifndef TEST_CIRCULATION_H
#define TEST_CIRCULATION_H

#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A fresh school id, so that reruns on the same database start empty. */
static inline char *c_school(void)
{
    return h_uniq("sch-");
}

/* A string member of a JSON object, or NULL. */
static inline const char *c_str(const json_t *o, const char *name)
{
    return json_string_value(json_object_get(o, name));
}

/* Creates a catalog record of `type`; returns its id (caller frees). */
static inline char *c_record(const char *key, const char *type, const char *title)
{
    h_resp *r =
        h_post(key, "/api/v1/catalog/records", "{\"type\":\"%s\",\"title\":\"%s\"}", type, title);
    if (r->status != 201) fprintf(stderr, "record: %ld %s\n", r->status, r->body);
    assert_int_equal(r->status, 201);
    char *id = strdup(h_str(r, "id"));
    h_free(r);
    return id;
}

/* Creates an item of the record at the key's school (or `school` for a
 * network key); returns its barcode (caller frees). */
static inline char *c_item(const char *key, const char *record, const char *school)
{
    char *barcode = h_uniq("BC");
    char school_part[96] = "";
    if (school) snprintf(school_part, sizeof school_part, ",\"school\":\"%s\"", school);
    h_resp *r = h_post(key, "/api/v1/catalog/items", "{\"record_id\":\"%s\",\"barcode\":\"%s\"%s}",
                       record, barcode, school_part);
    if (r->status != 201) fprintf(stderr, "item: %ld %s\n", r->status, r->body);
    assert_int_equal(r->status, 201);
    h_free(r);
    return barcode;
}

/* Creates a reader of the key's school; returns its id (caller frees). */
static inline char *c_reader(const char *key, const char *cls, const char *category,
                             const char *name)
{
    char *card = h_uniq("CARD");
    char cls_part[96] = "";
    if (cls) snprintf(cls_part, sizeof cls_part, ",\"class\":\"%s\"", cls);
    h_resp *r = h_post(key, "/api/v1/circulation/readers",
                       "{\"card_barcode\":\"%s\",\"name\":\"%s\",\"category\":\"%s\"%s}", card,
                       name ? name : "Читатель Тестовый", category, cls_part);
    if (r->status != 201) fprintf(stderr, "reader: %ld %s\n", r->status, r->body);
    assert_int_equal(r->status, 201);
    char *id = strdup(h_str(r, "id"));
    h_free(r);
    free(card);
    return id;
}

/* Sets the rules of a category at the key's school. */
static inline void c_policy(const char *key, const char *category, int max_items, int loan_days,
                            int renewals, int textbooks_to_year_end)
{
    char path[96], body[256];
    snprintf(path, sizeof path, "/api/v1/circulation/policies/%s", category);
    snprintf(body, sizeof body,
             "{\"max_items\":%d,\"loan_days\":%d,\"renewals\":%d,\"textbooks_to_year_end\":%s}",
             max_items, loan_days, renewals, textbooks_to_year_end ? "true" : "false");
    h_resp *r = h_http("PUT", path, key, body, NULL);
    if (r->status != 200) fprintf(stderr, "policy: %ld %s\n", r->status, r->body);
    assert_int_equal(r->status, 200);
    h_free(r);
}

/* POST /checkouts, with an Idempotency-Key when idem is not NULL. */
static inline h_resp *c_checkout(const char *key, const char *barcode, const char *reader,
                                 const char *idem)
{
    char body[256], header[160];
    snprintf(body, sizeof body, "{\"item_barcode\":\"%s\",\"reader_id\":\"%s\"}", barcode, reader);
    snprintf(header, sizeof header, "Idempotency-Key: %s", idem ? idem : "");
    const char *headers[] = {header, NULL};
    return h_http("POST", "/api/v1/circulation/checkouts", key, body, idem ? headers : NULL);
}

static inline h_resp *c_checkin(const char *key, const char *barcode)
{
    return h_post(key, "/api/v1/circulation/checkins", "{\"item_barcode\":\"%s\"}", barcode);
}

/* Number of loans the query lists (GET /loans?...&limit=500). */
static inline int c_count_loans(const char *key, const char *query)
{
    h_resp *r = h_get(key, "/api/v1/circulation/loans?limit=500%s%s", *query ? "&" : "", query);
    if (r->status != 200) fprintf(stderr, "loans: %ld %s\n", r->status, r->body);
    assert_int_equal(r->status, 200);
    int n = (int)json_array_size(json_object_get(r->json, "loans"));
    h_free(r);
    return n;
}

/* The date `days` after the YYYY-MM-DD that starts `iso`, into out[11]. */
static inline void c_date_plus(const char *iso, int days, char out[11])
{
    struct tm tm = {0};
    assert_int_equal(sscanf(iso, "%4d-%2d-%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday), 3);
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    tm.tm_hour = 12;
    time_t t = timegm(&tm) + (time_t)days * 86400;
    strftime(out, 11, "%Y-%m-%d", gmtime(&t));
}

/* An RFC 3339 UTC time `seconds` from now into out[32]. */
static inline void c_time_in(int seconds, char out[32])
{
    time_t t = time(NULL) + seconds;
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
}

#endif
