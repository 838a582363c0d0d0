/* Circulation through the gateway: readers and their personal data, loan
 * rules, checkout, checkin and renewal, holds, class sets, loans between
 * schools, idempotent retries, the walls between schools and bad input. */
#include "test_circulation.h"

#include <unistd.h>

/* An event's data member contains no reader name and no card number. */
static void assert_no_personal_data(const json_t *event, const char *name)
{
    const json_t *data = json_object_get(event, "data");
    assert_non_null(data);
    assert_null(json_object_get(data, "name"));
    assert_null(json_object_get(data, "card_barcode"));
    char *text = json_dumps(event, JSON_COMPACT);
    assert_null(strstr(text, name));
    free(text);
}

static void readers_have_cyrillic_classes_and_names_stay_in_their_school(void **state)
{
    (void)state;
    char *school = c_school(), *other = c_school();
    char *lib = h_new_key(school, "librarian"), *lib_other = h_new_key(other, "librarian");
    char *method = h_new_key("resource-centre", "methodologist");
    h_events *ev = h_events_open("ibc.evt.circulation.reader.>");

    char *a = c_reader(lib, "5а", "student", "Иванова Мария"); /* lower-case Cyrillic */
    char *b = c_reader(lib, "5A", "student", "Петров Пётр");   /* Latin A: the same class */
    char *c = c_reader(lib, "5Б", "student", "Сидоров Олег");
    char *t = c_reader(lib, NULL, "teacher", "Кузнецова Анна");

    h_resp *r = h_get(lib, "/api/v1/circulation/readers?class=5%%D0%%90"); /* ?class=5А */
    assert_int_equal(r->status, 200);
    json_t *list = json_object_get(r->json, "readers");
    assert_int_equal(json_array_size(list), 2);
    assert_string_equal(c_str(json_array_get(list, 0), "class"), "5А");
    assert_string_equal(c_str(json_array_get(list, 0), "name"), "Иванова Мария");
    assert_string_equal(c_str(json_array_get(list, 1), "name"), "Петров Пётр");
    h_free(r);

    /* another school's librarian sees neither the reader nor the list */
    r = h_get(lib_other, "/api/v1/circulation/readers/%s", a);
    assert_int_equal(r->status, 404);
    h_free(r);
    r = h_get(lib_other, "/api/v1/circulation/readers?school=%s", school);
    assert_int_equal(r->status, 403);
    h_free(r);
    r = h_get(lib_other, "/api/v1/circulation/readers?class=5%%D0%%90");
    assert_int_equal(json_array_size(json_object_get(r->json, "readers")), 0);
    h_free(r);
    /* the methodologist sees ids, not names; the admin sees names */
    r = h_get(method, "/api/v1/circulation/readers/%s", a);
    assert_int_equal(r->status, 200);
    assert_string_equal(h_str(r, "id"), a);
    assert_null(h_str(r, "name"));
    assert_null(h_str(r, "card_barcode"));
    h_free(r);
    r = h_get(method, "/api/v1/circulation/readers?school=%s&q=Иван", school);
    assert_int_equal(r->status, 403);
    h_free(r);
    r = h_get(h_admin(), "/api/v1/circulation/readers/%s", a);
    assert_string_equal(h_str(r, "name"), "Иванова Мария");
    h_free(r);

    /* update with If-Match: stale is 412, current is 200 with the next version */
    char path[128];
    snprintf(path, sizeof path, "/api/v1/circulation/readers/%s", c);
    const char *body = "{\"card_barcode\":\"X-%s\",\"name\":\"Сидоров Олег\",\"category\":"
                       "\"student\",\"class\":\"6Б\",\"status\":\"blocked\"}";
    char filled[256];
    snprintf(filled, sizeof filled, body, c);
    const char *stale[] = {"If-Match: \"9\"", NULL}, *fresh[] = {"If-Match: \"1\"", NULL};
    r = h_http("PUT", path, lib, filled, stale);
    assert_int_equal(r->status, 412);
    h_free(r);
    r = h_http("PUT", path, lib_other, filled, fresh);
    assert_int_equal(r->status, 404);
    h_free(r);
    r = h_http("PUT", path, lib, filled, fresh);
    assert_int_equal(r->status, 200);
    assert_string_equal(h_str(r, "class"), "6Б");
    assert_string_equal(h_str(r, "status"), "blocked");
    assert_int_equal(json_integer_value(json_object_get(r->json, "version")), 2);
    h_free(r);
    /* the same card barcode twice is a conflict */
    snprintf(filled, sizeof filled,
             "{\"card_barcode\":\"X-%s\",\"name\":\"Двойник\",\"category\":\"student\"}", c);
    r = h_http("POST", "/api/v1/circulation/readers", lib, filled, NULL);
    assert_int_equal(r->status, 409);
    assert_non_null(strstr(r->body, "card barcode"));
    h_free(r);

    /* events carry ids and never names */
    json_t *e = h_events_find(ev, "ibc.evt.circulation.reader.created", a, 10000);
    assert_non_null(e);
    assert_string_equal(c_str(json_object_get(e, "data"), "school"), school);
    assert_string_equal(c_str(json_object_get(e, "data"), "class"), "5А");
    assert_no_personal_data(e, "Иванова");
    json_decref(e);
    e = h_events_find(ev, "ibc.evt.circulation.reader.updated", c, 10000);
    assert_non_null(e);
    assert_no_personal_data(e, "Сидоров");
    json_decref(e);

    /* delete: the reader is gone for everyone */
    snprintf(path, sizeof path, "/api/v1/circulation/readers/%s", t);
    r = h_http("DELETE", path, lib_other, NULL, NULL);
    assert_int_equal(r->status, 404);
    h_free(r);
    r = h_http("DELETE", path, lib, NULL, NULL);
    assert_int_equal(r->status, 204);
    h_free(r);
    r = h_get(h_admin(), "%s", path);
    assert_int_equal(r->status, 404);
    h_free(r);
    h_events_close(ev);
    free(a), free(b), free(c), free(t), free(lib), free(lib_other), free(method), free(school),
        free(other);
}

static void checkout_renew_checkin_follow_the_rules(void **state)
{
    (void)state;
    char *school = c_school(), *other = c_school();
    char *lib = h_new_key(school, "librarian"), *lib_other = h_new_key(other, "librarian");
    h_events *ev = h_events_open("ibc.evt.circulation.loan.>");
    c_policy(lib, "student", 2, 10, 1, 1);
    char *rec = c_record(lib, "book", "Капитанская дочка");
    char *b1 = c_item(lib, rec, NULL), *b2 = c_item(lib, rec, NULL), *b3 = c_item(lib, rec, NULL);
    char *theirs = c_item(lib_other, rec, NULL);
    char *reader = c_reader(lib, "7В", "student", "Смирнов Илья");
    char *their_reader = c_reader(lib_other, "7В", "student", "Соколов Иван");

    h_resp *r = c_checkout(lib, b1, reader, NULL);
    assert_int_equal(r->status, 201);
    char *loan = strdup(h_str(r, "id"));
    char want[11], today[11];
    c_date_plus(h_str(r, "loaned_at"), 10, want);
    c_date_plus(h_str(r, "loaned_at"), 0, today);
    assert_string_equal(h_str(r, "due_date"), want);
    assert_string_equal(h_str(r, "barcode"), b1);
    assert_non_null(h_header(r, "Location"));
    h_free(r);

    /* the same copy again; a copy of another school; a reader of another school */
    r = c_checkout(lib, b1, reader, NULL);
    assert_int_equal(r->status, 409);
    assert_non_null(strstr(r->body, "already on loan"));
    /* a machine-readable reason with its facts: a desk need not parse detail */
    assert_string_equal(h_str(r, "reason"), "item_on_loan");
    assert_string_equal(h_str(r, "due_date"), want);
    h_free(r);
    r = c_checkout(lib, theirs, reader, NULL);
    assert_int_equal(r->status, 409);
    assert_non_null(strstr(r->body, other));
    assert_string_equal(h_str(r, "reason"), "item_of_another_school");
    assert_string_equal(h_str(r, "owner"), other);
    h_free(r);
    r = c_checkout(lib, b2, their_reader, NULL); /* another school's reader: unknown */
    assert_int_equal(r->status, 404);
    h_free(r);
    /* the limit of 2 */
    r = c_checkout(lib, b2, reader, NULL);
    assert_int_equal(r->status, 201);
    h_free(r);
    r = c_checkout(lib, b3, reader, NULL);
    assert_int_equal(r->status, 409);
    assert_non_null(strstr(r->body, "limit"));
    assert_string_equal(h_str(r, "reason"), "reader_at_limit");
    assert_int_equal(json_integer_value(json_object_get(r->json, "limit")), 2);
    assert_int_equal(json_integer_value(json_object_get(r->json, "on_loan")), 2);
    h_free(r);

    /* renew once (+10 days from the due date), not twice */
    char path[128];
    snprintf(path, sizeof path, "/api/v1/circulation/loans/%s/renew", loan);
    r = h_http("POST", path, lib_other, NULL, NULL); /* another school's loan: unknown */
    assert_int_equal(r->status, 404);
    h_free(r);
    r = h_http("POST", path, lib, NULL, NULL);
    assert_int_equal(r->status, 200);
    char want2[11];
    c_date_plus(want, 10, want2);
    assert_string_equal(h_str(r, "due_date"), want2);
    assert_int_equal(json_integer_value(json_object_get(r->json, "renewals")), 1);
    h_free(r);
    r = h_http("POST", path, lib, NULL, NULL);
    assert_int_equal(r->status, 409);
    assert_non_null(strstr(r->body, "allow 1"));
    assert_string_equal(h_str(r, "reason"), "renewal_limit");
    assert_int_equal(json_integer_value(json_object_get(r->json, "renewals")), 1);
    h_free(r);

    /* checkin: only the lending school (another learns of no loan); then no
     * longer on loan */
    r = c_checkin(lib_other, b1);
    assert_int_equal(r->status, 404);
    assert_non_null(strstr(r->body, "is on loan from"));
    h_free(r);
    r = c_checkin(lib, b1);
    assert_int_equal(r->status, 200);
    assert_string_equal(c_str(json_object_get(r->json, "loan"), "id"), loan);
    assert_non_null(c_str(json_object_get(r->json, "loan"), "returned_at"));
    assert_null(json_object_get(r->json, "hold"));
    h_free(r);
    r = c_checkin(lib, b1);
    assert_int_equal(r->status, 409);
    assert_non_null(strstr(r->body, "not on loan"));
    assert_string_equal(h_str(r, "reason"), "not_on_loan");
    h_free(r);
    r = c_checkout(lib, b3, reader, NULL); /* room again under the limit */
    assert_int_equal(r->status, 201);
    h_free(r);

    /* the loans list and the overdue lists */
    char q[96];
    snprintf(q, sizeof q, "reader_id=%s", reader);
    assert_int_equal(c_count_loans(lib, q), 2);
    snprintf(q, sizeof q, "reader_id=%s&state=all", reader);
    assert_int_equal(c_count_loans(lib, q), 3);
    snprintf(q, sizeof q, "reader_id=%s&overdue=true", reader);
    assert_int_equal(c_count_loans(lib, q), 0);
    assert_int_equal(c_count_loans(lib_other, "state=all"), 0);
    r = h_get(lib, "/api/v1/circulation/overdue?class=7%%D0%%B2");
    assert_int_equal(r->status, 200);
    assert_int_equal(json_array_size(json_object_get(r->json, "classes")), 0);
    h_free(r);

    /* a loan from the paper log, 5 days overdue, shows in the overdue lists */
    char *late = c_reader(lib, "7в", "student", "Орлова Вера"), *b4 = c_item(lib, rec, NULL);
    char past[11], far[11], body4[256];
    c_date_plus(today, -5, past);
    c_date_plus(today, 400, far);
    snprintf(body4, sizeof body4,
             "{\"item_barcode\":\"%s\",\"reader_id\":\"%s\",\"due_date\":\"%s\"}", b4, late, far);
    r = h_http("POST", "/api/v1/circulation/checkouts", lib, body4, NULL);
    assert_int_equal(r->status, 400);
    assert_non_null(strstr(r->body, "due_date"));
    h_free(r);
    snprintf(body4, sizeof body4,
             "{\"item_barcode\":\"%s\",\"reader_id\":\"%s\",\"due_date\":\"%s\"}", b4, late, past);
    r = h_http("POST", "/api/v1/circulation/checkouts", lib, body4, NULL);
    assert_int_equal(r->status, 201);
    assert_true(json_is_true(json_object_get(r->json, "overdue")));
    assert_int_equal(json_integer_value(json_object_get(r->json, "days_overdue")), 5);
    h_free(r);
    assert_int_equal(c_count_loans(lib, "overdue=true"), 1);
    r = h_get(lib, "/api/v1/circulation/overdue?class=7%%D0%%B2");
    assert_int_equal(r->status, 200);
    json_t *cls = json_array_get(json_object_get(r->json, "classes"), 0);
    assert_string_equal(c_str(cls, "class"), "7В");
    json_t *who = json_array_get(json_object_get(cls, "readers"), 0);
    assert_string_equal(c_str(who, "reader_id"), late);
    assert_string_equal(c_str(who, "name"), "Орлова Вера");
    json_t *overdue_loan = json_array_get(json_object_get(who, "loans"), 0);
    assert_string_equal(c_str(overdue_loan, "barcode"), b4);
    assert_int_equal(json_integer_value(json_object_get(overdue_loan, "days_overdue")), 5);
    assert_int_equal(json_integer_value(json_object_get(r->json, "total")), 1);
    assert_int_equal(json_integer_value(json_object_get(r->json, "limit")), 100);
    h_free(r);
    /* a page of readers: the second page of one is empty, the total stays */
    r = h_get(lib, "/api/v1/circulation/overdue?class=7%%D0%%B2&limit=1&offset=1");
    assert_int_equal(r->status, 200);
    assert_int_equal(json_array_size(json_object_get(r->json, "classes")), 0);
    assert_int_equal(json_integer_value(json_object_get(r->json, "total")), 1);
    h_free(r);
    r = h_get(lib, "/api/v1/circulation/overdue?limit=501");
    assert_int_equal(r->status, 400);
    assert_non_null(strstr(r->body, "'limit' must be an integer from 1 to 500"));
    h_free(r);
    char *method = h_new_key("resource-centre", "methodologist");
    r = h_get(method, "/api/v1/circulation/overdue?school=%s", school);
    assert_int_equal(r->status, 200);
    who = json_array_get(
        json_object_get(json_array_get(json_object_get(r->json, "classes"), 0), "readers"), 0);
    assert_string_equal(c_str(who, "reader_id"), late);
    assert_null(json_object_get(who, "name"));
    h_free(r);
    r = h_get(method, "/api/v1/circulation/overdue");
    assert_int_equal(r->status, 400); /* which school? */
    h_free(r);
    free(method), free(late), free(b4);

    /* a blocked reader cannot borrow */
    char rpath[128], body[256];
    snprintf(rpath, sizeof rpath, "/api/v1/circulation/readers/%s", their_reader);
    snprintf(body, sizeof body,
             "{\"card_barcode\":\"BL-%s\",\"name\":\"Соколов Иван\",\"category\":\"student\","
             "\"status\":\"blocked\"}",
             their_reader);
    r = h_http("PUT", rpath, lib_other, body, NULL);
    assert_int_equal(r->status, 200);
    h_free(r);
    r = c_checkout(lib_other, theirs, their_reader, NULL);
    assert_int_equal(r->status, 409);
    assert_non_null(strstr(r->body, "blocked"));
    h_free(r);

    /* events: created, renewed, returned for the loan; ids, no names */
    json_t *e = h_events_find(ev, "ibc.evt.circulation.loan.returned", loan, 10000);
    assert_non_null(e);
    json_t *d = json_object_get(e, "data");
    assert_string_equal(c_str(d, "reader_id"), reader);
    assert_string_equal(c_str(d, "school"), school);
    assert_non_null(c_str(d, "item_id"));
    assert_non_null(c_str(d, "returned_at"));
    assert_no_personal_data(e, "Смирнов");
    json_decref(e);
    assert_int_equal(h_events_count(ev, "ibc.evt.circulation.loan.created", loan, 500), 1);
    assert_int_equal(h_events_count(ev, "ibc.evt.circulation.loan.renewed", loan, 0), 1);
    h_events_close(ev);
    free(loan), free(rec), free(b1), free(b2), free(b3), free(theirs), free(reader),
        free(their_reader), free(lib), free(lib_other), free(school), free(other);
}

static void retried_checkout_with_the_same_key_lends_once(void **state)
{
    (void)state;
    char *school = c_school(), *lib = h_new_key(school, "librarian");
    char *rec = c_record(lib, "book", "Мёртвые души");
    char *b = c_item(lib, rec, NULL), *b2 = c_item(lib, rec, NULL);
    char *reader = c_reader(lib, "8А", "student", NULL);
    char *key = h_uniq("idem-");
    h_events *ev = h_events_open("ibc.evt.circulation.loan.created");

    h_resp *first = c_checkout(lib, b, reader, key);
    assert_int_equal(first->status, 201);
    h_resp *again = c_checkout(lib, b, reader, key);
    assert_int_equal(again->status, 201);
    assert_string_equal(h_str(again, "id"), h_str(first, "id"));
    assert_string_equal(h_str(again, "due_date"), h_str(first, "due_date"));
    /* the same key for another request is refused */
    h_resp *other = c_checkout(lib, b2, reader, key);
    assert_int_equal(other->status, 422);
    h_free(other);
    char q[96];
    snprintf(q, sizeof q, "reader_id=%s", reader);
    assert_int_equal(c_count_loans(lib, q), 1);
    json_t *e = h_events_find(ev, "ibc.evt.circulation.loan.created", h_str(first, "id"), 10000);
    assert_non_null(e);
    json_decref(e);
    assert_int_equal(
        h_events_count(ev, "ibc.evt.circulation.loan.created", h_str(first, "id"), 500), 1);
    h_free(first);
    h_free(again);
    h_events_close(ev);
    free(key), free(reader), free(b), free(b2), free(rec), free(lib), free(school);
}

static void holds_queue_per_record_and_school(void **state)
{
    (void)state;
    char *school = c_school(), *lib = h_new_key(school, "librarian");
    char *other = c_school(), *lib_other = h_new_key(other, "librarian");
    h_events *ev = h_events_open("ibc.evt.circulation.hold.>");
    char *rec = c_record(lib, "book", "Война и мир");
    char *lonely = c_record(lib, "book", "Нет в этой школе");
    char *b = c_item(lib, rec, NULL);
    free(c_item(lib_other, lonely, NULL));
    char *r1 = c_reader(lib, "9А", "student", NULL), *r2 = c_reader(lib, "9А", "student", NULL);
    char *r3 = c_reader(lib, "9А", "student", NULL), *r4 = c_reader(lib, "9А", "student", NULL);
    char *theirs = c_reader(lib_other, "9А", "student", NULL);

    h_resp *r = c_checkout(lib, b, r1, NULL);
    assert_int_equal(r->status, 201);
    char *loan = strdup(h_str(r, "id"));
    h_free(r);

    /* r2 first in line, r3 (needs it for 6 seconds only) second, r4 third */
    r = h_post(lib, "/api/v1/circulation/holds", "{\"record_id\":\"%s\",\"reader_id\":\"%s\"}", rec,
               r2);
    assert_int_equal(r->status, 201);
    assert_string_equal(h_str(r, "state"), "waiting");
    assert_int_equal(json_integer_value(json_object_get(r->json, "position")), 1);
    char *h2 = strdup(h_str(r, "id"));
    h_free(r);
    char soon[32];
    time_t expiry = time(NULL) + 6;
    c_time_in(6, soon);
    r = h_post(lib, "/api/v1/circulation/holds",
               "{\"record_id\":\"%s\",\"reader_id\":\"%s\",\"expires_at\":\"%s\"}", rec, r3, soon);
    assert_int_equal(r->status, 201);
    assert_int_equal(json_integer_value(json_object_get(r->json, "position")), 2);
    char *h3 = strdup(h_str(r, "id"));
    h_free(r);
    r = h_post(lib, "/api/v1/circulation/holds", "{\"record_id\":\"%s\",\"reader_id\":\"%s\"}", rec,
               r4);
    char *h4 = strdup(h_str(r, "id"));
    h_free(r);
    /* twice, someone who has it, another school's reader, a record not held here */
    r = h_post(lib, "/api/v1/circulation/holds", "{\"record_id\":\"%s\",\"reader_id\":\"%s\"}", rec,
               r2);
    assert_int_equal(r->status, 409);
    h_free(r);
    r = h_post(lib, "/api/v1/circulation/holds", "{\"record_id\":\"%s\",\"reader_id\":\"%s\"}", rec,
               r1);
    assert_int_equal(r->status, 409);
    h_free(r);
    r = h_post(lib, "/api/v1/circulation/holds", "{\"record_id\":\"%s\",\"reader_id\":\"%s\"}", rec,
               theirs);
    assert_int_equal(r->status, 404);
    h_free(r);
    r = h_post(lib, "/api/v1/circulation/holds", "{\"record_id\":\"%s\",\"reader_id\":\"%s\"}",
               lonely, r2);
    assert_int_equal(r->status, 409);
    assert_non_null(strstr(r->body, "transfer"));
    h_free(r);
    /* a time that has passed, that never comes, that is years ahead, or a word */
    static const char *const bad_expiry[] = {
        "yesterday", "infinity", "tomorrow", "2999-01-01T00:00:00Z", "2020-01-01T00:00:00Z",
        "-infinity", "epoch"};
    for (size_t i = 0; i < sizeof bad_expiry / sizeof *bad_expiry; i++) {
        r = h_post(lib, "/api/v1/circulation/holds",
                   "{\"record_id\":\"%s\",\"reader_id\":\"%s\",\"expires_at\":\"%s\"}", rec, r4,
                   bad_expiry[i]);
        assert_int_equal(r->status, 400);
        assert_non_null(strstr(r->body, "expires_at"));
        h_free(r);
    }

    /* someone waits: no renewal */
    char path[128];
    snprintf(path, sizeof path, "/api/v1/circulation/loans/%s/renew", loan);
    r = h_http("POST", path, lib, NULL, NULL);
    assert_int_equal(r->status, 409);
    assert_non_null(strstr(r->body, "wait"));
    assert_string_equal(h_str(r, "reason"), "record_awaited");
    h_free(r);

    /* checkin: the copy goes to r2, and the answer says so */
    r = c_checkin(lib, b);
    assert_int_equal(r->status, 200);
    json_t *hold = json_object_get(r->json, "hold");
    assert_non_null(hold);
    assert_string_equal(c_str(hold, "id"), h2);
    assert_string_equal(c_str(hold, "reader_id"), r2);
    assert_string_equal(c_str(hold, "state"), "ready");
    assert_string_equal(c_str(hold, "barcode"), b);
    h_free(r);
    r = c_checkout(lib, b, r4, NULL); /* not r2: refused */
    assert_int_equal(r->status, 409);
    assert_non_null(strstr(r->body, "hold shelf"));
    assert_string_equal(h_str(r, "reason"), "item_held_for_another_reader");
    h_free(r);

    /* r2 cancels: the copy passes to r3 */
    snprintf(path, sizeof path, "/api/v1/circulation/holds/%s/cancel", h2);
    r = h_http("POST", path, lib_other, NULL, NULL);
    assert_int_equal(r->status, 404);
    h_free(r);
    r = h_http("POST", path, lib, NULL, NULL);
    assert_int_equal(r->status, 200);
    assert_string_equal(h_str(r, "state"), "cancelled");
    assert_string_equal(h_str(r, "passed_to"), h3);
    h_free(r);
    r = h_http("POST", path, lib, NULL, NULL);
    assert_int_equal(r->status, 409);
    h_free(r);

    /* r3's time runs out: expired, and the copy goes to r4 (the service's
     * own sweeper may have done it first: the states tell) */
    while (time(NULL) <= expiry)
        sleep(1);
    r = h_http("POST", "/api/v1/circulation/holds/expire", lib, NULL, NULL);
    assert_int_equal(r->status, 200);
    assert_non_null(json_object_get(r->json, "expired"));
    h_free(r);
    r = h_get(lib, "/api/v1/circulation/holds/%s", h3);
    assert_string_equal(h_str(r, "state"), "expired");
    h_free(r);
    r = h_get(lib, "/api/v1/circulation/holds/%s", h4);
    assert_string_equal(h_str(r, "state"), "ready");
    h_free(r);
    /* r4 borrows it: the hold is fulfilled */
    r = c_checkout(lib, b, r4, NULL);
    assert_int_equal(r->status, 201);
    h_free(r);
    r = h_get(lib, "/api/v1/circulation/holds/%s", h4);
    assert_string_equal(h_str(r, "state"), "fulfilled");
    h_free(r);
    char q[96];
    snprintf(q, sizeof q, "/api/v1/circulation/holds?record_id=%s", rec);
    r = h_get(lib, "%s", q);
    assert_int_equal(json_array_size(json_object_get(r->json, "holds")), 0);
    h_free(r);

    json_t *e = h_events_find(ev, "ibc.evt.circulation.hold.ready", h4, 10000);
    assert_non_null(e);
    json_decref(e);
    assert_int_equal(h_events_count(ev, "ibc.evt.circulation.hold.placed", h2, 200), 1);
    assert_int_equal(h_events_count(ev, "ibc.evt.circulation.hold.ready", h2, 0), 1);
    assert_int_equal(h_events_count(ev, "ibc.evt.circulation.hold.cancelled", h2, 0), 1);
    assert_int_equal(h_events_count(ev, "ibc.evt.circulation.hold.ready", h3, 0), 1);
    assert_int_equal(h_events_count(ev, "ibc.evt.circulation.hold.expired", h3, 0), 1);
    assert_int_equal(h_events_count(ev, "ibc.evt.circulation.hold.ready", h4, 0), 1);
    h_events_close(ev);
    free(loan), free(h2), free(h3), free(h4), free(r1), free(r2), free(r3), free(r4), free(theirs),
        free(b), free(rec), free(lonely), free(lib), free(lib_other), free(school), free(other);
}

enum { CLASS_SIZE = 30, TEXTBOOKS = 10 };

static void class_set_of_thirty_readers_and_ten_textbooks_is_one_request(void **state)
{
    (void)state;
    char *school = c_school(), *lib = h_new_key(school, "librarian");
    h_events *ev = h_events_open("ibc.evt.circulation.classset.>");
    /* the school year ends on 25 May next year */
    char year_end[16];
    time_t now = time(NULL);
    strftime(year_end, sizeof year_end, "%Y", gmtime(&now));
    snprintf(year_end, sizeof year_end, "%d-05-25", atoi(year_end) + 1);
    h_resp *r = h_http("PUT", "/api/v1/circulation/settings", lib, NULL, NULL);
    assert_int_equal(r->status, 400); /* nothing to set */
    h_free(r);
    char body[128];
    snprintf(body, sizeof body, "{\"school_year_ends_on\":\"%s\"}", year_end);
    r = h_http("PUT", "/api/v1/circulation/settings", lib, body, NULL);
    assert_int_equal(r->status, 200);
    assert_string_equal(h_str(r, "school_year_ends_on"), year_end);
    h_free(r);
    c_policy(lib, "student", 1, 14, 1, 1);

    char *readers[CLASS_SIZE], *books[TEXTBOOKS];
    for (int i = 0; i < CLASS_SIZE; i++)
        readers[i] = c_reader(lib, "7б", "student", NULL);
    char *other_class = c_reader(lib, "7В", "student", NULL);
    char ids[TEXTBOOKS * 40 + 8] = "";
    for (int t = 0; t < TEXTBOOKS; t++) {
        books[t] = c_record(lib, "textbook", "Учебник для 7 класса");
        /* the last textbook has 25 copies for 30 readers: 5 short */
        int copies = t == TEXTBOOKS - 1 ? CLASS_SIZE - 5 : CLASS_SIZE;
        for (int c = 0; c < copies; c++)
            free(c_item(lib, books[t], NULL));
        snprintf(ids + strlen(ids), sizeof ids - strlen(ids), "%s\"%s\"", t ? "," : "", books[t]);
    }

    r = h_post(lib, "/api/v1/circulation/class-sets", "{\"class\":\"7Б\",\"record_ids\":[%s]}",
               ids);
    if (r->status != 201) fprintf(stderr, "class set: %ld %s\n", r->status, r->body);
    assert_int_equal(r->status, 201);
    json_t *set = json_object_get(r->json, "class_set");
    char *set_id = strdup(c_str(set, "id"));
    assert_int_equal(json_integer_value(json_object_get(set, "issued")),
                     CLASS_SIZE * TEXTBOOKS - 5);
    assert_int_equal(json_integer_value(json_object_get(set, "short")), 5);
    assert_string_equal(c_str(set, "due_date"), year_end);
    json_t *rs = json_object_get(r->json, "readers");
    assert_int_equal(json_array_size(rs), CLASS_SIZE);
    int issued = 0, shortage = 0;
    size_t i, j;
    json_t *reader, *cell;
    json_array_foreach(rs, i, reader)
    {
        assert_non_null(c_str(reader, "name")); /* the own school sees names */
        json_t *cells = json_object_get(reader, "textbooks");
        assert_int_equal(json_array_size(cells), TEXTBOOKS);
        json_array_foreach(cells, j, cell)
        {
            assert_string_equal(c_str(cell, "record_id"), books[j]);
            if (strcmp(c_str(cell, "status"), "issued") == 0) {
                issued++;
                assert_non_null(c_str(cell, "barcode"));
                assert_non_null(c_str(cell, "loan_id"));
            } else {
                assert_string_equal(c_str(cell, "status"), "short");
                assert_int_equal((int)j, TEXTBOOKS - 1);
                shortage++;
            }
        }
    }
    assert_int_equal(issued, CLASS_SIZE * TEXTBOOKS - 5);
    assert_int_equal(shortage, 5);
    json_t *last = json_array_get(json_object_get(r->json, "textbooks"), TEXTBOOKS - 1);
    assert_int_equal(json_integer_value(json_object_get(last, "short")), 5);
    h_free(r);

    char q[128];
    snprintf(q, sizeof q, "class_set_id=%s", set_id);
    assert_int_equal(c_count_loans(lib, q), CLASS_SIZE * TEXTBOOKS - 5);
    /* class-set textbooks do not count against the limit of 1 library book */
    char *novel = c_record(lib, "book", "Тимур и его команда");
    char *nb = c_item(lib, novel, NULL);
    r = c_checkout(lib, nb, readers[0], NULL);
    assert_int_equal(r->status, 201);
    h_free(r);
    /* again: everyone has them; nothing issued, a clear 409 */
    r = h_post(lib, "/api/v1/circulation/class-sets", "{\"class\":\"7Б\",\"record_ids\":[%s]}",
               ids);
    assert_int_equal(r->status, 409);
    assert_non_null(json_object_get(r->json, "textbooks"));
    h_free(r);

    /* the end of the year: one call takes them back */
    r = h_post(lib, "/api/v1/circulation/class-sets/return", "{\"class\":\"7б\"}");
    assert_int_equal(r->status, 200);
    assert_int_equal(json_integer_value(json_object_get(r->json, "returned")),
                     CLASS_SIZE * TEXTBOOKS - 5);
    assert_int_equal(json_array_size(json_object_get(r->json, "readers")), CLASS_SIZE);
    assert_true(json_is_true(
        json_object_get(json_array_get(json_object_get(r->json, "class_sets"), 0), "closed")));
    h_free(r);
    assert_int_equal(c_count_loans(lib, q), 0);
    snprintf(q, sizeof q, "reader_id=%s", readers[0]);
    assert_int_equal(c_count_loans(lib, q), 1); /* the novel stays out */
    r = h_post(lib, "/api/v1/circulation/class-sets/return", "{\"class\":\"7Б\"}");
    assert_int_equal(r->status, 409);
    h_free(r);

    json_t *e = h_events_find(ev, "ibc.evt.circulation.classset.issued", set_id, 10000);
    assert_non_null(e);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(e, "data"), "issued")),
                     CLASS_SIZE * TEXTBOOKS - 5);
    json_decref(e);
    e = h_events_find(ev, "ibc.evt.circulation.classset.returned", set_id, 10000);
    assert_non_null(e);
    assert_true(json_is_true(json_object_get(json_object_get(e, "data"), "closed")));
    json_decref(e);
    assert_int_equal(h_events_count(ev, "ibc.evt.circulation.classset.returned", set_id, 200), 1);
    h_events_close(ev);
    for (int k = 0; k < CLASS_SIZE; k++)
        free(readers[k]);
    for (int t = 0; t < TEXTBOOKS; t++)
        free(books[t]);
    free(other_class), free(set_id), free(novel), free(nb), free(lib), free(school);
}

/* POST a transition; returns the status. */
static long move(const char *key, const char *transfer, const char *state, h_resp **out)
{
    char path[128];
    snprintf(path, sizeof path, "/api/v1/circulation/transfers/%s/transitions", transfer);
    h_resp *r = h_post(key, path, "{\"state\":\"%s\"}", state);
    long status = r->status;
    if (out)
        *out = r;
    else
        h_free(r);
    return status;
}

static void loans_between_schools_follow_the_state_machine(void **state)
{
    (void)state;
    char *a = c_school(), *b = c_school();
    char *lib_a = h_new_key(a, "librarian"), *lib_b = h_new_key(b, "librarian");
    char *third = h_new_key("third-school", "librarian");
    h_events *ev = h_events_open("ibc.evt.circulation.transfer.>");
    char *rec = c_record(lib_b, "book", "Тихий Дон");
    char *copy = c_item(lib_b, rec, NULL);
    char *reader = c_reader(lib_a, "10А", "student", NULL);

    /* nothing to lend: a clear 409 */
    char *empty = c_record(lib_b, "book", "Нет ни у кого");
    h_resp *r = h_post(lib_a, "/api/v1/circulation/transfers",
                       "{\"record_id\":\"%s\",\"from_school\":\"%s\"}", empty, b);
    assert_int_equal(r->status, 409);
    h_free(r);
    r = h_post(lib_a, "/api/v1/circulation/transfers",
               "{\"record_id\":\"%s\",\"from_school\":\"%s\",\"reader_id\":\"%s\"}", rec, b,
               reader);
    assert_int_equal(r->status, 201);
    assert_string_equal(h_str(r, "state"), "requested");
    char *t = strdup(h_str(r, "id"));
    h_free(r);

    /* no jump from requested to returned; the 409 names what is allowed */
    assert_int_equal(move(lib_b, t, "returned", &r), 409);
    assert_non_null(strstr(r->body, "approved or declined"));
    assert_int_equal(json_array_size(json_object_get(r->json, "allowed")), 2);
    h_free(r);
    assert_int_equal(move(lib_b, t, "received", NULL), 409);
    assert_int_equal(move(lib_a, t, "approved", NULL), 403); /* the borrower cannot approve */
    assert_int_equal(move(third, t, "approved", NULL), 404); /* a stranger cannot see it */
    assert_int_equal(move(lib_b, t, "approved", &r), 200);
    assert_string_equal(h_str(r, "barcode"), copy);
    h_free(r);
    /* the lender cannot lend the reserved copy meanwhile */
    char *b_reader = c_reader(lib_b, "10А", "student", NULL);
    r = c_checkout(lib_b, copy, b_reader, NULL);
    assert_int_equal(r->status, 409);
    assert_non_null(strstr(r->body, "reserved"));
    h_free(r);
    assert_int_equal(move(lib_b, t, "returned", NULL), 409);
    assert_int_equal(move(lib_b, t, "shipped", NULL), 200);
    assert_int_equal(move(lib_b, t, "received", NULL), 403); /* the borrower receives */
    assert_int_equal(move(lib_a, t, "received", NULL), 200);

    /* school A lends it to its reader; B cannot take it back while it is out */
    r = c_checkout(lib_a, copy, reader, NULL);
    assert_int_equal(r->status, 201);
    assert_string_equal(h_str(r, "transfer_id"), t);
    h_free(r);
    assert_int_equal(move(lib_b, t, "returned", &r), 409);
    assert_non_null(strstr(r->body, "still on loan"));
    h_free(r);
    r = c_checkin(lib_a, copy);
    assert_int_equal(r->status, 200);
    assert_string_equal(h_str(r, "return_to"), b);
    h_free(r);
    assert_int_equal(move(lib_b, t, "returned", &r), 200);
    assert_int_equal(json_array_size(json_object_get(r->json, "history")), 5);
    assert_int_equal(json_array_size(json_object_get(r->json, "allowed")), 0);
    h_free(r);
    assert_int_equal(move(lib_b, t, "shipped", NULL), 409);
    /* back home: B lends it again */
    r = c_checkout(lib_b, copy, b_reader, NULL);
    assert_int_equal(r->status, 201);
    h_free(r);

    /* a declined request goes nowhere */
    r = h_post(lib_a, "/api/v1/circulation/transfers",
               "{\"record_id\":\"%s\",\"from_school\":\"%s\"}", rec, b);
    char *t2 = strdup(h_str(r, "id"));
    h_free(r);
    assert_int_equal(move(lib_b, t2, "declined", NULL), 200);
    assert_int_equal(move(lib_b, t2, "approved", &r), 409);
    assert_non_null(strstr(r->body, "nothing else"));
    h_free(r);
    r = h_get(lib_a, "/api/v1/circulation/transfers?direction=outgoing");
    assert_int_equal(json_array_size(json_object_get(r->json, "transfers")), 2);
    h_free(r);
    r = h_get(lib_b, "/api/v1/circulation/transfers?direction=incoming&state=declined");
    assert_int_equal(json_array_size(json_object_get(r->json, "transfers")), 1);
    h_free(r);

    static const char *const steps[] = {"requested", "approved", "shipped", "received", "returned"};
    for (int i = 0; i < 5; i++) {
        char subject[96];
        snprintf(subject, sizeof subject, "ibc.evt.circulation.transfer.%s", steps[i]);
        json_t *e = h_events_find(ev, subject, t, 10000);
        assert_non_null(e);
        assert_string_equal(c_str(json_object_get(e, "data"), "state"), steps[i]);
        json_decref(e);
    }
    json_t *declined = h_events_find(ev, "ibc.evt.circulation.transfer.declined", t2, 10000);
    assert_non_null(declined);
    json_decref(declined);
    assert_int_equal(h_events_count(ev, "ibc.evt.circulation.transfer.declined", t2, 200), 1);
    h_events_close(ev);
    free(t), free(t2), free(rec), free(empty), free(copy), free(reader), free(b_reader),
        free(lib_a), free(lib_b), free(third), free(a), free(b);
}

static void bad_input_is_a_clear_4xx_and_lends_nothing(void **state)
{
    (void)state;
    char *school = c_school(), *other = c_school();
    char *lib = h_new_key(school, "librarian"), *lib_other = h_new_key(other, "librarian");
    char *rec = c_record(lib, "textbook", "Алгебра 8");
    char *b = c_item(lib, rec, NULL);
    char *reader = c_reader(lib, "8А", "student", NULL);
    char *their_reader = c_reader(lib_other, "8А", "student", NULL);

    h_resp *r = c_checkout(lib, "NO-SUCH-BARCODE-1", reader, NULL);
    assert_int_equal(r->status, 404);
    assert_non_null(strstr(r->body, "NO-SUCH-BARCODE-1"));
    h_free(r);
    r = c_checkout(lib, b, their_reader, NULL);
    assert_int_equal(r->status, 404);
    h_free(r);
    r = c_checkout(lib, b, "not-a-uuid", NULL);
    assert_int_equal(r->status, 400);
    assert_non_null(strstr(r->body, "reader_id"));
    h_free(r);
    r = c_checkout(lib, b, "00000000-0000-0000-0000-000000000000", NULL);
    assert_int_equal(r->status, 404);
    h_free(r);
    r = h_post(lib, "/api/v1/circulation/checkouts", "{\"item_barcode\":\"%s\"}", b);
    assert_int_equal(r->status, 400);
    assert_non_null(strstr(r->body, "'reader_id' is required"));
    h_free(r);
    r = h_post(lib, "/api/v1/circulation/checkouts",
               "{\"item_barcode\":\"%s\",\"reader_id\":\"%s\",\"extra\":1}", b, reader);
    assert_int_equal(r->status, 400);
    assert_non_null(strstr(r->body, "unknown field 'extra'"));
    h_free(r);

    /* a class name of 10 KB */
    size_t n = 10 * 1024;
    char *big = malloc(n + 128);
    int o = sprintf(big, "{\"class\":\"");
    memset(big + o, 'A', n);
    sprintf(big + o + n, "\",\"record_ids\":[\"%s\"]}", rec);
    r = h_http("POST", "/api/v1/circulation/class-sets", lib, big, NULL);
    assert_int_equal(r->status, 400);
    assert_non_null(strstr(r->body, "'class'"));
    h_free(r);
    r = h_http("POST", "/api/v1/circulation/class-sets/return", lib, big, NULL);
    assert_int_equal(r->status, 400);
    h_free(r);
    free(big);
    big = malloc(n + 128);
    o = sprintf(big,
                "{\"card_barcode\":\"K1\",\"name\":\"x\",\"category\":\"student\",\"class\":\"");
    memset(big + o, 'A', n);
    strcpy(big + o + n, "\"}");
    r = h_http("POST", "/api/v1/circulation/readers", lib, big, NULL);
    assert_int_equal(r->status, 400);
    h_free(r);
    free(big);
    /* an empty record list, 10,000 record ids, a record id that is no UUID, a repeat */
    r = h_post(lib, "/api/v1/circulation/class-sets", "{\"class\":\"8А\",\"record_ids\":[]}");
    assert_int_equal(r->status, 400);
    assert_non_null(strstr(r->body, "record_ids"));
    h_free(r);
    size_t cap = 10000 * 40 + 64;
    big = malloc(cap);
    o = sprintf(big, "{\"class\":\"8А\",\"record_ids\":[");
    for (int i = 0; i < 10000; i++)
        o += sprintf(big + o, "%s\"%s\"", i ? "," : "", rec);
    strcpy(big + o, "]}");
    r = h_http("POST", "/api/v1/circulation/class-sets", lib, big, NULL);
    assert_int_equal(r->status, 400);
    assert_non_null(strstr(r->body, "10000"));
    h_free(r);
    free(big);
    r = h_post(lib, "/api/v1/circulation/class-sets", "{\"class\":\"8А\",\"record_ids\":[\"x\"]}");
    assert_int_equal(r->status, 400);
    h_free(r);
    r = h_post(lib, "/api/v1/circulation/class-sets",
               "{\"class\":\"8А\",\"record_ids\":[\"%s\",\"%s\"]}", rec, rec);
    assert_int_equal(r->status, 400);
    assert_non_null(strstr(r->body, "repeats"));
    h_free(r);
    r = h_post(lib, "/api/v1/circulation/class-sets",
               "{\"class\":\"8А\",\"record_ids\":[\"%s\"],"
               "\"school\":\"%s\"}",
               rec, other);
    assert_int_equal(r->status, 403);
    h_free(r);

    /* a negative loan period, a limit out of range, an unknown category */
    r = h_http("PUT", "/api/v1/circulation/policies/student", lib,
               "{\"max_items\":5,\"loan_days\":-14,\"renewals\":1,\"textbooks_to_year_end\":true}",
               NULL);
    assert_int_equal(r->status, 400);
    assert_non_null(strstr(r->body, "loan_days"));
    h_free(r);
    r = h_http("PUT", "/api/v1/circulation/policies/student", lib,
               "{\"max_items\":-1,\"loan_days\":14,\"renewals\":1,\"textbooks_to_year_end\":true}",
               NULL);
    assert_int_equal(r->status, 400);
    h_free(r);
    r = h_http("PUT", "/api/v1/circulation/policies/pupil", lib,
               "{\"max_items\":5,\"loan_days\":14,\"renewals\":1,\"textbooks_to_year_end\":true}",
               NULL);
    assert_int_equal(r->status, 400);
    h_free(r);
    r = h_http("PUT", "/api/v1/circulation/settings", lib,
               "{\"school_year_ends_on\":\"2001-05-31\"}", NULL);
    assert_int_equal(r->status, 400);
    assert_non_null(strstr(r->body, "past"));
    h_free(r);
    r = h_get(lib, "/api/v1/circulation/loans?limit=100000");
    assert_int_equal(r->status, 400);
    h_free(r);
    r = h_get(lib, "/api/v1/circulation/loans?overdue=maybe");
    assert_int_equal(r->status, 400);
    h_free(r);
    r = h_get(lib, "/api/v1/circulation/loans/%s", "nope");
    assert_int_equal(r->status, 400);
    h_free(r);

    /* the roles: a portal key may not lend */
    char *portal = h_new_key(school, "portal");
    r = c_checkout(portal, b, reader, NULL);
    assert_int_equal(r->status, 403);
    h_free(r);
    free(portal);

    /* nothing was lent, and every error was problem+json */
    assert_int_equal(c_count_loans(lib, "state=all"), 0);
    r = h_get(lib, "/api/v1/circulation/class-sets");
    assert_int_equal(json_array_size(json_object_get(r->json, "class_sets")), 0);
    h_free(r);
    r = h_get(lib, "/api/v1/circulation/policies");
    assert_int_equal(r->status, 200);
    assert_true(json_is_true(
        json_object_get(json_array_get(json_object_get(r->json, "policies"), 0), "default")));
    h_free(r);
    free(rec), free(b), free(reader), free(their_reader), free(lib), free(lib_other), free(school),
        free(other);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(readers_have_cyrillic_classes_and_names_stay_in_their_school),
        cmocka_unit_test(checkout_renew_checkin_follow_the_rules),
        cmocka_unit_test(retried_checkout_with_the_same_key_lends_once),
        cmocka_unit_test(holds_queue_per_record_and_school),
        cmocka_unit_test(class_set_of_thirty_readers_and_ten_textbooks_is_one_request),
        cmocka_unit_test(loans_between_schools_follow_the_state_machine),
        cmocka_unit_test(bad_input_is_a_clear_4xx_and_lends_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
