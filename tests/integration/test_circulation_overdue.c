/* Overdue loans: circulation's sweeper marks a loan once the day after it
 * fell due and emits circulation.loan.overdue (ids only, once); the class
 * teacher's list comes as CSV. The test restarts circulation with a sweep
 * every second, and restores it after. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *lib;

/* Restarts circulation (with the environment of this process) and waits
 * until it answers. */
static void restart_circulation(void)
{
    assert_int_equal(h_stack("stop", "circulation"), 0);
    assert_int_equal(h_stack("start", "circulation"), 0);
    long st = 0;
    for (int i = 0; i < 100 && st != 200; i++) {
        h_resp *r = h_get(h_admin(), "/api/v1/circulation/ping");
        st = r->status;
        h_free(r);
        if (st != 200) usleep(100000);
    }
    assert_int_equal(st, 200);
}

static int setup(void **state)
{
    (void)state;
    char *school = h_uniq("late-"); /* the key holds the school from here on */
    lib = h_new_key(school, "librarian");
    free(school);
    setenv("IBC_HOLD_SWEEP_SECONDS", "1", 1);
    restart_circulation();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unsetenv("IBC_HOLD_SWEEP_SECONDS");
    restart_circulation();
    return 0;
}

/* A loan due yesterday is marked overdue once, with an event of ids. */
static void a_loan_past_due_is_marked_once_with_an_event(void **state)
{
    (void)state;
    char today[16], yesterday[16];
    h_date_years_ago(0, today);
    h_resp *rec =
        h_post(h_admin(), "/api/v1/catalog/records", "{\"type\":\"book\",\"title\":\"Просрочка\"}");
    assert_int_equal(rec->status, 201);
    char *number = h_uniq("LATE-");
    h_resp *rc = h_post(lib, "/api/v1/catalog/receipts",
                        "{\"number\":\"%s\",\"date\":\"%s\",\"source\":\"gift\",\"lines\":[{"
                        "\"record_id\":\"%s\",\"copies\":1,\"price_kopecks\":0}]}",
                        number, today, h_str(rec, "id"));
    assert_int_equal(rc->status, 201);
    const char *barcode = json_string_value(
        json_object_get(json_array_get(json_object_get(rc->json, "items"), 0), "barcode"));
    char *card = h_uniq("LATER");
    h_resp *rd = h_post(lib, "/api/v1/circulation/readers",
                        "{\"card_barcode\":\"%s\",\"name\":\"Иванов Пётр\",\"category\":"
                        "\"student\",\"class\":\"7б\"}",
                        card);
    assert_int_equal(rd->status, 201);
    /* a loan written down on paper, due yesterday (the database's day) */
    long d = h_sql_int("SELECT to_char(current_date - 1, 'YYYYMMDD')::int");
    snprintf(yesterday, sizeof yesterday, "%04ld-%02ld-%02ld", d / 10000, d / 100 % 100, d % 100);
    h_events *ev = h_events_open("ibc.evt.circulation.loan.overdue");
    h_resp *lo = h_post(lib, "/api/v1/circulation/checkouts",
                        "{\"item_barcode\":\"%s\",\"reader_id\":\"%s\",\"due_date\":\"%s\"}",
                        barcode, h_str(rd, "id"), yesterday);
    assert_int_equal(lo->status, 201);
    json_t *e = h_events_find(ev, "ibc.evt.circulation.loan.overdue", h_str(lo, "id"), 15000);
    assert_non_null(e);
    json_t *data = json_object_get(e, "data");
    assert_string_equal(json_string_value(json_object_get(data, "reader_id")), h_str(rd, "id"));
    assert_string_equal(json_string_value(json_object_get(data, "due_date")), yesterday);
    assert_null(json_object_get(data, "name"));
    json_decref(e);
    /* once: later sweeps find nothing more to say */
    assert_int_equal(h_events_count(ev, "ibc.evt.circulation.loan.overdue", h_str(lo, "id"), 3000),
                     1);
    h_events_close(ev);

    /* the class teacher's list as CSV */
    h_resp *c = h_get(lib, "/api/v1/circulation/overdue?class=7%%D0%%91&format=csv");
    assert_int_equal(c->status, 200);
    assert_non_null(strstr(h_header(c, "Content-Type"), "text/csv"));
    assert_memory_equal(c->body, "\xEF\xBB\xBF", 3);
    assert_non_null(strstr(c->body, "Класс;Читатель;Штрихкод экземпляра;Срок возврата"));
    char row[160];
    snprintf(row, sizeof row, "7Б;Иванов Пётр;%s;%s;1\r\n", barcode, yesterday);
    assert_non_null(strstr(c->body, row));
    h_free(c);
    c = h_get(lib, "/api/v1/circulation/overdue?format=pdf");
    assert_int_equal(c->status, 400);
    h_free(c);
    h_free(rec), h_free(rc), h_free(rd), h_free(lo), free(card), free(number);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_loan_past_due_is_marked_once_with_an_event),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
