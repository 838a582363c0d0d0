/* Catalog items through the gateway: CRUD with ETag, the school rules of
 * librarians, unique barcode and inventory number, write-off, lookup, paged
 * lists, availability, a record with items that cannot be deleted, and the
 * on-loan flag fed by circulation's loan events. */
#include "harness.h"

#include <nats/nats.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Creates a book record; returns its id (caller frees). */
static char *new_record(const char *title)
{
    char body[512];
    snprintf(body, sizeof body, "{\"type\":\"book\",\"title\":\"%s\",\"year\":2019}", title);
    h_resp *r = h_http("POST", "/api/v1/catalog/records", h_admin(), body, NULL);
    assert_int_equal(r->status, 201);
    char *id = strdup(h_str(r, "id"));
    h_free(r);
    return id;
}

/* POSTs an item; extra is more JSON members ("" or ",\"x\":1"). */
static h_resp *post_item(const char *key, const char *record, const char *barcode,
                         const char *extra)
{
    char body[1024];
    snprintf(body, sizeof body, "{\"record_id\":\"%s\",\"barcode\":\"%s\"%s}", record, barcode,
             extra);
    return h_http("POST", "/api/v1/catalog/items", key, body, NULL);
}

/* Creates an item as admin for school; returns its id (caller frees). */
static char *new_item(const char *record, const char *school, const char *status)
{
    char *bc = h_uniq("BC");
    char extra[256];
    snprintf(extra, sizeof extra, ",\"school\":\"%s\",\"status\":\"%s\"", school, status);
    h_resp *r = post_item(h_admin(), record, bc, extra);
    assert_int_equal(r->status, 201);
    char *id = strdup(h_str(r, "id"));
    h_free(r);
    free(bc);
    return id;
}

static h_resp *put_item(const char *key, const char *id, const char *etag, const char *body)
{
    char path[128], hdr[64];
    snprintf(path, sizeof path, "/api/v1/catalog/items/%s", id);
    snprintf(hdr, sizeof hdr, "If-Match: %s", etag);
    const char *headers[] = {hdr, NULL};
    return h_http("PUT", path, key, body, etag ? headers : NULL);
}

static void item_crud_with_etag_and_events(void **state)
{
    (void)state;
    h_events *ev = h_events_open("ibc.evt.catalog.>");
    assert_non_null(ev);
    char *rec = new_record("Экземпляры: проверка CRUD");
    char *school = h_uniq("school-crud-");
    char *bc = h_uniq("CRUD");
    char extra[256];
    snprintf(extra, sizeof extra,
             ",\"school\":\"%s\",\"inventory_number\":\"И-1\",\"location\":\"Абонемент\","
             "\"price\":350.5,\"acquired_on\":\"2024-09-01\",\"source\":\"purchase\"",
             school);
    h_resp *r = post_item(h_admin(), rec, bc, extra);
    assert_int_equal(r->status, 201);
    assert_string_equal(h_header(r, "ETag"), "\"1\"");
    assert_non_null(strstr(h_header(r, "Location"), "/api/v1/catalog/items/"));
    char *id = strdup(h_str(r, "id"));
    assert_string_equal(h_str(r, "school"), school);
    assert_string_equal(h_str(r, "status"), "available");
    assert_false(json_is_true(json_object_get(r->json, "on_loan")));
    assert_true(json_real_value(json_object_get(r->json, "price")) == 350.5);
    h_free(r);

    r = h_get(h_admin(), "/api/v1/catalog/items/%s", id);
    assert_int_equal(r->status, 200);
    assert_string_equal(h_str(r, "barcode"), bc);
    assert_string_equal(h_str(r, "inventory_number"), "И-1");
    assert_string_equal(h_str(r, "record_id"), rec);
    h_free(r);

    /* lookup by barcode: the RPC other services use, also as a route */
    r = h_get(h_admin(), "/api/v1/catalog/items/lookup?barcode=%s", bc);
    assert_int_equal(r->status, 200);
    assert_string_equal(h_str(r, "id"), id);
    h_free(r);
    r = h_get(h_admin(), "/api/v1/catalog/items/lookup?barcode=NO-SUCH-%s", bc);
    assert_int_equal(r->status, 404);
    h_free(r);

    char body[512];
    snprintf(body, sizeof body,
             "{\"record_id\":\"%s\",\"barcode\":\"%s\",\"inventory_number\":\"И-1\","
             "\"location\":\"Читальный зал\",\"status\":\"in_repair\"}",
             rec, bc);
    r = put_item(h_admin(), id, NULL, body);
    assert_int_equal(r->status, 428);
    h_free(r);
    r = put_item(h_admin(), id, "\"9\"", body);
    assert_int_equal(r->status, 412);
    h_free(r);
    r = put_item(h_admin(), id, "\"1\"", body);
    assert_int_equal(r->status, 200);
    assert_string_equal(h_str(r, "status"), "in_repair");
    assert_string_equal(h_str(r, "location"), "Читальный зал");
    assert_string_equal(h_str(r, "school"), school); /* kept when not sent */
    assert_string_equal(h_header(r, "ETag"), "\"2\"");
    h_free(r);

    json_t *e = h_events_find(ev, "ibc.evt.catalog.item.created", id, 10000);
    assert_non_null(e);
    json_t *d = json_object_get(e, "data");
    assert_string_equal(json_string_value(json_object_get(d, "barcode")), bc);
    assert_string_equal(json_string_value(json_object_get(d, "school")), school);
    assert_string_equal(json_string_value(json_object_get(d, "record_id")), rec);
    assert_null(json_object_get(d, "price"));
    json_decref(e);
    e = h_events_find(ev, "ibc.evt.catalog.item.updated", id, 10000);
    assert_non_null(e);
    assert_string_equal(json_string_value(json_object_get(json_object_get(e, "data"), "status")),
                        "in_repair");
    json_decref(e);
    assert_int_equal(h_events_count(ev, "ibc.evt.catalog.item.created", id, 300), 1);
    assert_int_equal(h_events_count(ev, "ibc.evt.catalog.item.updated", id, 0), 1);
    h_events_close(ev);
    free(id);
    free(bc);
    free(school);
    free(rec);
}

static void librarian_manages_only_own_school(void **state)
{
    (void)state;
    char *s1 = h_uniq("school-a-"), *s2 = h_uniq("school-b-");
    char *lib1 = h_new_key(s1, "librarian"), *lib2 = h_new_key(s2, "librarian");
    char *portal = h_new_key(s1, "portal");
    assert_non_null(lib1);
    assert_non_null(lib2);
    char *rec = new_record("Экземпляры: права библиотекаря");

    /* the school defaults to the key's organisation */
    char *bc = h_uniq("LIB");
    h_resp *r = post_item(lib1, rec, bc, "");
    assert_int_equal(r->status, 201);
    assert_string_equal(h_str(r, "school"), s1);
    char *id = strdup(h_str(r, "id"));
    h_free(r);

    /* another school's copy: 403 */
    char extra[128];
    snprintf(extra, sizeof extra, ",\"school\":\"%s\"", s2);
    char *bc2 = h_uniq("LIB");
    r = post_item(lib1, rec, bc2, extra);
    assert_int_equal(r->status, 403);
    assert_non_null(strstr(r->body, "own school"));
    h_free(r);

    char body[512];
    snprintf(body, sizeof body, "{\"record_id\":\"%s\",\"barcode\":\"%s\",\"location\":\"x\"}", rec,
             bc);
    r = put_item(lib2, id, "\"1\"", body);
    assert_int_equal(r->status, 403);
    h_free(r);
    char path[128];
    snprintf(path, sizeof path, "/api/v1/catalog/items/%s/write-off", id);
    r = h_http("POST", path, lib2, "{\"act\":\"7\",\"reason\":\"ветхость\"}", NULL);
    assert_int_equal(r->status, 403);
    h_free(r);
    /* moving one's own copy to another school: 403 */
    snprintf(body, sizeof body, "{\"record_id\":\"%s\",\"barcode\":\"%s\",\"school\":\"%s\"}", rec,
             bc, s2);
    r = put_item(lib1, id, "\"1\"", body);
    assert_int_equal(r->status, 403);
    h_free(r);
    /* the owner may edit */
    snprintf(body, sizeof body, "{\"record_id\":\"%s\",\"barcode\":\"%s\",\"location\":\"Шкаф 3\"}",
             rec, bc);
    r = put_item(lib1, id, "\"1\"", body);
    assert_int_equal(r->status, 200);
    h_free(r);
    /* portal reads, never writes; a librarian never merges nor deletes records */
    r = h_get(portal, "/api/v1/catalog/items/%s", id);
    assert_int_equal(r->status, 200);
    h_free(r);
    r = post_item(portal, rec, bc2, "");
    assert_int_equal(r->status, 403);
    h_free(r);
    snprintf(path, sizeof path, "/api/v1/catalog/records/%s/merge", rec);
    r = h_http("POST", path, lib1, "{\"from\":\"00000000-0000-0000-0000-000000000000\"}", NULL);
    assert_int_equal(r->status, 403);
    h_free(r);
    /* a methodologist manages any school */
    char *meth = h_new_key("resource-centre", "methodologist");
    r = post_item(meth, rec, bc2, extra);
    assert_int_equal(r->status, 201);
    assert_string_equal(h_str(r, "school"), s2);
    h_free(r);
    free(meth);
    free(bc);
    free(bc2);
    free(id);
    free(rec);
    free(portal);
    free(lib1);
    free(lib2);
    free(s1);
    free(s2);
}

static void duplicate_barcode_and_inventory_are_409(void **state)
{
    (void)state;
    char *rec = new_record("Экземпляры: уникальность");
    char *s1 = h_uniq("school-u-"), *s2 = h_uniq("school-v-");
    char *bc = h_uniq("DUP"), *bc2 = h_uniq("DUP");
    char extra[256];
    snprintf(extra, sizeof extra, ",\"school\":\"%s\",\"inventory_number\":\"77\"", s1);
    h_resp *r = post_item(h_admin(), rec, bc, extra);
    assert_int_equal(r->status, 201);
    char *first = strdup(h_str(r, "id"));
    h_free(r);
    /* the barcode is unique in the whole network, whatever the school */
    snprintf(extra, sizeof extra, ",\"school\":\"%s\"", s2);
    r = post_item(h_admin(), rec, bc, extra);
    assert_int_equal(r->status, 409);
    assert_non_null(strstr(r->body, bc));
    assert_string_equal(h_str(r, "existing_id"), first);
    h_free(r);
    /* the inventory number only in its school */
    snprintf(extra, sizeof extra, ",\"school\":\"%s\",\"inventory_number\":\"77\"", s1);
    r = post_item(h_admin(), rec, bc2, extra);
    assert_int_equal(r->status, 409);
    assert_non_null(strstr(r->body, "inventory number '77'"));
    h_free(r);
    snprintf(extra, sizeof extra, ",\"school\":\"%s\",\"inventory_number\":\"77\"", s2);
    r = post_item(h_admin(), rec, bc2, extra);
    assert_int_equal(r->status, 201);
    char *second = strdup(h_str(r, "id"));
    h_free(r);
    /* changing a barcode to a taken one */
    char body[512];
    snprintf(body, sizeof body, "{\"record_id\":\"%s\",\"barcode\":\"%s\"}", rec, bc);
    r = put_item(h_admin(), second, "\"1\"", body);
    assert_int_equal(r->status, 409);
    assert_non_null(strstr(r->body, bc));
    h_free(r);
    /* nothing half-written: the failed create left no item */
    r = h_get(h_admin(), "/api/v1/catalog/items?record_id=%s&limit=100", rec);
    assert_int_equal(r->status, 200);
    assert_int_equal(json_array_size(json_object_get(r->json, "items")), 2);
    h_free(r);
    free(first);
    free(second);
    free(bc);
    free(bc2);
    free(s1);
    free(s2);
    free(rec);
}

static void write_off_keeps_the_item_and_freezes_it(void **state)
{
    (void)state;
    h_events *ev = h_events_open("ibc.evt.catalog.>");
    char *rec = new_record("Экземпляры: списание");
    char *school = h_uniq("school-w-");
    char *id = new_item(rec, school, "available");
    char path[128];
    snprintf(path, sizeof path, "/api/v1/catalog/items/%s/write-off", id);
    h_resp *r = h_http("POST", path, h_admin(), "{\"act\":\"\"}", NULL);
    assert_int_equal(r->status, 400);
    h_free(r);
    r = h_http("POST", path, h_admin(), "{\"act\":\"АКТ-12\"}", NULL);
    assert_int_equal(r->status, 400);
    assert_non_null(strstr(r->body, "'reason' is required"));
    h_free(r);
    r = h_http("POST", path, h_admin(), "{\"act\":\"АКТ-12\",\"reason\":\"ветхость\"}", NULL);
    assert_int_equal(r->status, 200);
    assert_string_equal(h_str(r, "status"), "written_off");
    json_t *wo = json_object_get(r->json, "write_off");
    assert_string_equal(json_string_value(json_object_get(wo, "act")), "АКТ-12");
    assert_string_equal(json_string_value(json_object_get(wo, "reason")), "ветхость");
    char *barcode = strdup(h_str(r, "barcode"));
    h_free(r);
    /* it stays, frozen */
    r = h_get(h_admin(), "/api/v1/catalog/items/%s", id);
    assert_int_equal(r->status, 200);
    assert_string_equal(h_str(r, "status"), "written_off");
    h_free(r);
    r = h_http("POST", path, h_admin(), "{\"act\":\"АКТ-13\",\"reason\":\"утеря\"}", NULL);
    assert_int_equal(r->status, 409);
    assert_non_null(strstr(r->body, "already written off"));
    h_free(r);
    char body[512];
    snprintf(body, sizeof body,
             "{\"record_id\":\"%s\",\"barcode\":\"%s\",\"status\":\"available\"}", rec, barcode);
    r = put_item(h_admin(), id, "\"2\"", body);
    assert_int_equal(r->status, 409);
    assert_non_null(strstr(r->body, "cannot be changed"));
    h_free(r);
    /* written_off is not a status one sets by PUT */
    char *other = new_item(rec, school, "available");
    char *bc = h_uniq("WO");
    snprintf(body, sizeof body,
             "{\"record_id\":\"%s\",\"barcode\":\"%s\",\"status\":\"written_off\"}", rec, bc);
    r = put_item(h_admin(), other, "\"1\"", body);
    assert_int_equal(r->status, 400);
    assert_non_null(strstr(r->body, "write-off"));
    h_free(r);

    json_t *e = h_events_find(ev, "ibc.evt.catalog.item.written_off", id, 10000);
    assert_non_null(e);
    json_t *d = json_object_get(e, "data");
    assert_string_equal(json_string_value(json_object_get(d, "act")), "АКТ-12");
    assert_string_equal(json_string_value(json_object_get(d, "reason")), "ветхость");
    assert_string_equal(json_string_value(json_object_get(d, "school")), school);
    assert_string_equal(json_string_value(json_object_get(d, "record_id")), rec);
    json_decref(e);
    h_events_close(ev);
    free(other);
    free(bc);
    free(barcode);
    free(id);
    free(school);
    free(rec);
}

static void record_with_items_is_not_deleted(void **state)
{
    (void)state;
    char *rec = new_record("Экземпляры: удаление записи");
    char *id = new_item(rec, "school-del", "available");
    char path[128];
    snprintf(path, sizeof path, "/api/v1/catalog/records/%s", rec);
    h_resp *r = h_http("DELETE", path, h_admin(), NULL, NULL);
    assert_int_equal(r->status, 409);
    assert_non_null(strstr(r->body, "1 items"));
    h_free(r);
    r = h_get(h_admin(), "%s", path);
    assert_int_equal(r->status, 200);
    h_free(r);
    /* a record without items goes */
    char *empty = new_record("Экземпляры: пустая запись");
    snprintf(path, sizeof path, "/api/v1/catalog/records/%s", empty);
    r = h_http("DELETE", path, h_admin(), NULL, NULL);
    assert_int_equal(r->status, 204);
    h_free(r);
    free(empty);
    free(id);
    free(rec);
}

static void bad_item_input_is_a_clear_4xx(void **state)
{
    (void)state;
    char *rec = new_record("Экземпляры: плохой ввод");
    char *bc = h_uniq("BAD");
    static const struct {
        const char *extra;
        long status;
        const char *needle;
    } cases[] = {
        {",\"price\":-1", 400, "'price'"},
        {",\"acquired_on\":\"2024-02-30\"", 400, "'acquired_on'"},
        {",\"acquired_on\":\"2100-01-01\"", 400, "in the future"},
        {",\"source\":\"theft\"", 400, "'source' must be one of"},
        {",\"status\":\"on_fire\"", 400, "'status' must be one of"},
        {",\"colour\":\"red\"", 400, "unknown field 'colour'"},
        {",\"school\":\"bad school!\"", 400, "'school'"},
        {",\"inventory_number\":\"\"", 400, "'inventory_number' must not be empty"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        h_resp *r = post_item(h_admin(), rec, bc, cases[i].extra);
        if (r->status != cases[i].status || !strstr(r->body, cases[i].needle))
            fprintf(stderr, "case %zu: %ld %s\n", i, r->status, r->body);
        assert_int_equal(r->status, cases[i].status);
        assert_non_null(strstr(r->body, cases[i].needle));
        assert_string_equal(h_header(r, "Content-Type"), "application/problem+json");
        h_free(r);
    }
    h_resp *r = post_item(h_admin(), rec, "has space", "");
    assert_int_equal(r->status, 400);
    assert_non_null(strstr(r->body, "'barcode'"));
    h_free(r);
    r = post_item(h_admin(), "00000000-0000-0000-0000-000000000000", bc, "");
    assert_int_equal(r->status, 422);
    assert_non_null(strstr(r->body, "'record_id' names no record"));
    h_free(r);
    r = post_item(h_admin(), "not-a-uuid", bc, "");
    assert_int_equal(r->status, 400);
    h_free(r);
    r = h_get(h_admin(), "/api/v1/catalog/items/not-a-uuid");
    assert_int_equal(r->status, 400);
    h_free(r);
    r = h_get(h_admin(), "/api/v1/catalog/items/00000000-0000-0000-0000-000000000000");
    assert_int_equal(r->status, 404);
    h_free(r);
    r = h_get(h_admin(), "/api/v1/catalog/items?limit=0");
    assert_int_equal(r->status, 400);
    h_free(r);
    r = h_get(h_admin(), "/api/v1/catalog/items?status=borrowed");
    assert_int_equal(r->status, 400);
    h_free(r);
    r = h_get(h_admin(), "/api/v1/catalog/items?colour=red");
    assert_int_equal(r->status, 400);
    assert_non_null(strstr(r->body, "unknown query parameter 'colour'"));
    h_free(r);
    r = h_get(h_admin(), "/api/v1/catalog/items?cursor=abc");
    assert_int_equal(r->status, 400);
    h_free(r);
    r = h_get(h_admin(), "/api/v1/catalog/items/lookup");
    assert_int_equal(r->status, 400);
    h_free(r);
    free(bc);
    free(rec);
}

static void item_list_pages_visit_each_item_once(void **state)
{
    (void)state;
    char *rec = new_record("Экземпляры: постраничный список");
    char *school = h_uniq("school-p-");
    char *ids[5];
    for (int i = 0; i < 5; i++)
        ids[i] = new_item(rec, school, i == 4 ? "lost" : "available");
    int seen[5] = {0}, pages = 0, total = 0;
    char cursor[64] = "";
    do {
        h_resp *r = cursor[0]
                        ? h_get(h_admin(),
                                "/api/v1/catalog/items?record_id=%s&school=%s&limit=2&"
                                "cursor=%s",
                                rec, school, cursor)
                        : h_get(h_admin(), "/api/v1/catalog/items?record_id=%s&school=%s&limit=2",
                                rec, school);
        assert_int_equal(r->status, 200);
        json_t *items = json_object_get(r->json, "items");
        assert_true(json_array_size(items) <= 2);
        size_t i;
        json_t *it;
        json_array_foreach(items, i, it)
        {
            total++;
            for (int k = 0; k < 5; k++)
                if (strcmp(json_string_value(json_object_get(it, "id")), ids[k]) == 0) seen[k]++;
        }
        const char *next = h_str(r, "next_cursor");
        snprintf(cursor, sizeof cursor, "%s", next ? next : "");
        h_free(r);
        pages++;
    } while (cursor[0] && pages < 10);
    assert_int_equal(pages, 3);
    assert_int_equal(total, 5);
    for (int k = 0; k < 5; k++)
        assert_int_equal(seen[k], 1);
    h_resp *r = h_get(h_admin(), "/api/v1/catalog/items?school=%s&status=lost", school);
    assert_int_equal(json_array_size(json_object_get(r->json, "items")), 1);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(r->json, "items"), 0), "id")),
                        ids[4]);
    h_free(r);
    for (int k = 0; k < 5; k++)
        free(ids[k]);
    free(school);
    free(rec);
}

static void availability_counts_per_school(void **state)
{
    (void)state;
    char *rec = new_record("Экземпляры: доступность");
    char *s1 = h_uniq("school-x-"), *s2 = h_uniq("school-y-");
    char *ids[6];
    ids[0] = new_item(rec, s1, "available");
    ids[1] = new_item(rec, s1, "available");
    ids[2] = new_item(rec, s1, "in_repair");
    ids[3] = new_item(rec, s1, "lost");
    ids[4] = new_item(rec, s2, "lost");
    ids[5] = new_item(rec, s1, "available");
    char path[128];
    snprintf(path, sizeof path, "/api/v1/catalog/items/%s/write-off", ids[5]);
    h_resp *r = h_http("POST", path, h_admin(), "{\"act\":\"1\",\"reason\":\"ветхость\"}", NULL);
    assert_int_equal(r->status, 200);
    h_free(r);
    char *portal = h_new_key("school-portal", "portal");
    r = h_get(portal, "/api/v1/catalog/records/%s/availability", rec);
    assert_int_equal(r->status, 200);
    /* held: available + in repair (+ on loan); lost and written off are not held */
    assert_int_equal(json_integer_value(json_object_get(r->json, "held")), 3);
    assert_int_equal(json_integer_value(json_object_get(r->json, "available")), 2);
    json_t *schools = json_object_get(r->json, "schools");
    assert_int_equal(json_array_size(schools), 1);
    json_t *s = json_array_get(schools, 0);
    assert_string_equal(json_string_value(json_object_get(s, "school")), s1);
    assert_int_equal(json_integer_value(json_object_get(s, "held")), 3);
    assert_int_equal(json_integer_value(json_object_get(s, "available")), 2);
    h_free(r);
    r = h_get(portal, "/api/v1/catalog/records/%s/availability?school=%s", rec, s2);
    assert_int_equal(r->status, 200);
    assert_int_equal(json_integer_value(json_object_get(r->json, "held")), 0);
    h_free(r);
    r = h_get(portal, "/api/v1/catalog/records/00000000-0000-0000-0000-000000000000/availability");
    assert_int_equal(r->status, 404);
    h_free(r);
    for (int k = 0; k < 6; k++)
        free(ids[k]);
    free(portal);
    free(s1);
    free(s2);
    free(rec);
}

/* Publishes a CloudEvent of circulation into the stream, as circulation's
 * outbox relay would; `time` (RFC 3339) may be NULL: CloudEvents makes it
 * optional. */
static void publish_loan_event(const char *verb, const char *item_id, const char *time)
{
    jsCtx *js = NULL;
    natsConnection *nc = h_nats_connect("circulation"); /* its events: its user */
    assert_non_null(nc);
    assert_int_equal(natsConnection_JetStream(&js, nc, NULL), NATS_OK);
    char *eid = h_uniq("");
    char subject[128], body[1024];
    snprintf(subject, sizeof subject, "ibc.evt.circulation.loan.%s", verb);
    /* a UUID unique to this call: the inbox remembers event ids */
    unsigned long long n = strtoull(eid, NULL, 10);
    char uuid[40];
    snprintf(uuid, sizeof uuid, "00000000-0000-4000-8%03llx-%012llx", n % 0xfff, n);
    char time_member[96] = "";
    if (time) snprintf(time_member, sizeof time_member, "\"time\":\"%s\",", time);
    snprintf(body, sizeof body,
             "{\"specversion\":\"1.0\",\"id\":\"%s\",\"source\":\"ibcnet/circulation\",%s"
             "\"type\":\"ibcnet.circulation.loan.%s\",\"subject\":\"%s\","
             "\"datacontenttype\":\"application/json\",\"data\":{\"id\":\"%s\",\"item_id\":\"%s\","
             "\"school\":\"school-loan\",\"reader_id\":\"%s\",\"due_date\":\"2030-01-01\"}}",
             uuid, time_member, verb, uuid, uuid, item_id, uuid);
    natsMsg *m = NULL;
    natsMsg_Create(&m, subject, NULL, body, (int)strlen(body));
    natsMsgHeader_Set(m, "Nats-Msg-Id", uuid);
    jsPubAck *ack = NULL;
    assert_int_equal(js_PublishMsg(&ack, js, m, NULL, NULL), NATS_OK);
    jsPubAck_Destroy(ack);
    natsMsg_Destroy(m);
    jsCtx_Destroy(js);
    natsConnection_Destroy(nc);
    free(eid);
}

/* Polls the availability of rec until `available` is want (10 s at most). */
static long wait_available(const char *rec, long want)
{
    char path[128];
    snprintf(path, sizeof path, "/api/v1/catalog/records/%s/availability", rec);
    return h_poll_int(h_admin(), path, "available", want, 10000);
}

static void loan_events_set_and_clear_on_loan(void **state)
{
    (void)state;
    char *rec = new_record("Экземпляры: выдача по событиям");
    char *id = new_item(rec, "school-loan", "available");
    publish_loan_event("created", id, NULL);
    assert_int_equal(wait_available(rec, 0), 0);
    h_resp *r = h_get(h_admin(), "/api/v1/catalog/items/%s", id);
    assert_true(json_is_true(json_object_get(r->json, "on_loan")));
    h_free(r);
    /* an item on loan is not written off */
    char path[128];
    snprintf(path, sizeof path, "/api/v1/catalog/items/%s/write-off", id);
    r = h_http("POST", path, h_admin(), "{\"act\":\"1\",\"reason\":\"утеря\"}", NULL);
    assert_int_equal(r->status, 409);
    assert_non_null(strstr(r->body, "on loan"));
    h_free(r);
    publish_loan_event("returned", id, NULL);
    assert_int_equal(wait_available(rec, 1), 1);
    free(id);
    free(rec);
}

/* Polls the item's on_loan flag until it is want (10 s at most). */
static bool wait_on_loan(const char *id, bool want)
{
    char path[128];
    snprintf(path, sizeof path, "/api/v1/catalog/items/%s", id);
    return h_poll_int(h_admin(), path, "on_loan", want, 10000) == 1;
}

/* A copy lent and returned in quick succession: the return can reach the
 * catalog first (a replay, a second relay). The later event wins by its time,
 * in whichever order the two arrive; an older event changes nothing. */
static void loan_events_apply_by_time_not_arrival(void **state)
{
    (void)state;
    char *rec = new_record("Экземпляры: события выдачи не по порядку");
    char *id = new_item(rec, "school-loan", "available");
    char *marker = new_item(rec, "school-loan", "available");
    publish_loan_event("returned", id, "2031-03-01T10:00:05.000002Z");
    publish_loan_event("created", id, "2031-03-01T10:00:05.000001Z");
    /* events of one consumer are applied in order: once the marker's is, so
     * are the two before it */
    publish_loan_event("created", marker, "2031-03-01T10:00:06Z");
    assert_true(wait_on_loan(marker, true));
    assert_false(wait_on_loan(id, false));
    assert_int_equal(wait_available(rec, 1), 1);

    /* a newer loan counts; a stale return (older than it) is ignored */
    publish_loan_event("created", id, "2031-03-01T10:00:07Z");
    publish_loan_event("returned", id, "2031-03-01T10:00:06.5Z");
    publish_loan_event("returned", marker, "2031-03-01T10:00:08Z");
    assert_false(wait_on_loan(marker, false));
    assert_true(wait_on_loan(id, true));
    assert_int_equal(wait_available(rec, 1), 1);
    free(marker);
    free(id);
    free(rec);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(item_crud_with_etag_and_events),
        cmocka_unit_test(librarian_manages_only_own_school),
        cmocka_unit_test(duplicate_barcode_and_inventory_are_409),
        cmocka_unit_test(write_off_keeps_the_item_and_freezes_it),
        cmocka_unit_test(record_with_items_is_not_deleted),
        cmocka_unit_test(bad_item_input_is_a_clear_4xx),
        cmocka_unit_test(item_list_pages_visit_each_item_once),
        cmocka_unit_test(availability_counts_per_school),
        cmocka_unit_test(loan_events_set_and_clear_on_loan),
        cmocka_unit_test(loan_events_apply_by_time_not_arrival),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
