/* Real-world MARC through the gateway (issue 13): a file that mixes MARC21
 * and UNIMARC records, a title whose linkage subfield $6 comes first, 880
 * fields, and re-imports that create nothing. The fixtures are built from
 * the copied ones by tests/data/marc/make-fixtures.sh. Reruns on the same
 * database pass: counts that depend on earlier runs are checked as sums. */
#include "harness.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static long num(const json_t *o, const char *key)
{
    return (long)json_integer_value(json_object_get(o, key));
}

static const char *str(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* Imports a fixture of tests/data/marc as ISO 2709; the finished job. */
static json_t *import_fixture(const char *key, const char *name, const char *query)
{
    size_t len;
    char *data = h_marc_fixture(name, &len);
    json_t *job = h_marc_import(key, query, "application/marc", data, len);
    free(data);
    assert_string_equal(str(job, "status"), "done");
    return job;
}

/* The outcome item of position in the job (new reference). */
static json_t *outcome_at(const char *key, const char *import_id, long position)
{
    h_resp *r = h_get(key, "/api/v1/catalog/imports/%s/records?cursor=%ld&limit=1", import_id,
                      position - 1);
    assert_int_equal(r->status, 200);
    json_t *item = json_incref(json_array_get(json_object_get(r->json, "items"), 0));
    assert_non_null(item);
    h_free(r);
    return item;
}

static json_t *record_get(const char *key, const char *id)
{
    h_resp *r = h_get(key, "/api/v1/catalog/records/%s", id);
    assert_int_equal(r->status, 200);
    json_t *rec = json_incref(r->json);
    h_free(r);
    return rec;
}

/* Every record of a job that read n records went somewhere, none failed. */
static void assert_all_placed(const json_t *job, long n)
{
    assert_int_equal(num(job, "read"), n);
    assert_int_equal(num(job, "failed"), 0);
    assert_int_equal(
        num(job, "created") + num(job, "merged") + num(job, "unchanged") + num(job, "updated"), n);
}

static void mixed_file_is_mapped_record_by_record(void **state)
{
    (void)state;
    char *lib = h_new_key("school-mixed", "librarian");
    /* declared MARC21: the UNIMARC record among them is still read as UNIMARC */
    json_t *job = import_fixture(lib, "mixed-marc21-unimarc.mrc", "format=marc21&charset=utf-8");
    assert_all_placed(job, 6);
    const json_t *formats = json_object_get(job, "formats");
    assert_int_equal(num(formats, "marc21"), 5);
    assert_int_equal(num(formats, "rusmarc"), 1);

    json_t *o = outcome_at(lib, str(job, "id"), 4);
    json_t *rec = record_get(lib, str(o, "record_id"));
    assert_string_equal(str(rec, "title"), "ПЕДАГОГИКА И ПСИХОЛОГИЯ НЕНАСИЛИЯ В ОБРАЗОВАНИИ");
    assert_string_equal(str(rec, "subtitle"), "Учебное пособие для бакалавров");
    assert_string_equal(str(rec, "publisher"), "Издательство Юрайт");
    assert_int_equal(num(rec, "year"), 2012);
    assert_string_equal(str(rec, "isbn"), "9785991616621");
    json_decref(rec);
    json_decref(o);
    o = outcome_at(lib, str(job, "id"), 1);
    rec = record_get(lib, str(o, "record_id"));
    assert_string_equal(str(rec, "title"), "Люди с чистой совестью");
    assert_int_equal(num(rec, "year"), 1989);
    json_decref(rec);
    json_decref(o);
    json_decref(job);

    /* declared RUSMARC: the same counts, each record by its content */
    job = import_fixture(lib, "mixed-marc21-unimarc.mrc", "format=rusmarc&charset=utf-8");
    assert_all_placed(job, 6);
    assert_int_equal(num(json_object_get(job, "formats"), "marc21"), 5);
    assert_int_equal(num(job, "created"), 0);
    json_decref(job);
    free(lib);
}

static void title_after_linkage_subfield_is_read(void **state)
{
    (void)state;
    char *lib = h_new_key("school-880", "librarian");
    json_t *job = import_fixture(lib, "marc21-880-linkage.mrc", "format=marc21&charset=utf-8");
    assert_all_placed(job, 1);
    json_t *o = outcome_at(lib, str(job, "id"), 1);
    json_t *rec = record_get(lib, str(o, "record_id"));
    assert_string_equal(str(rec, "title"), "Люди с чистой совестью. Кн. 1");
    assert_string_equal(str(rec, "subtitle"), "[Воспоминания]");
    assert_string_equal(json_string_value(json_array_get(json_object_get(rec, "authors"), 0)),
                        "Вершигора, Петр Петрович");
    /* the 880 fields (Latin script) find it too */
    h_resp *r = h_get(lib, "/api/v1/catalog/records?q=Lyudi%%20chistoi%%20sovestyu&limit=100");
    assert_int_equal(r->status, 200);
    bool found = false;
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(r->json, "items"), i, v) found |=
        strcmp(str(v, "id"), str(rec, "id")) == 0;
    assert_true(found);
    h_free(r);
    json_decref(rec);
    json_decref(o);
    json_decref(job);
    free(lib);
}

static void reimport_creates_nothing_and_names_the_rule(void **state)
{
    (void)state;
    char *lib = h_new_key("school-reimport", "librarian");
    json_t *first = import_fixture(lib, "marc21-001-003.mrc", "format=marc21&charset=utf-8");
    assert_all_placed(first, 3);
    json_t *again = import_fixture(lib, "marc21-001-003.mrc", "format=marc21&charset=utf-8");
    assert_all_placed(again, 3);
    assert_int_equal(num(again, "created"), 0);
    assert_int_equal(num(again, "unchanged"), 3);
    const json_t *m = json_object_get(again, "matched");
    /* 001 + 003, then a 035 system number, then title/author/year/publisher */
    assert_int_equal(num(m, "control_number"), 2);
    assert_int_equal(num(m, "key"), 1);
    const char *rules[] = {"control_number", "control_number", "key"};
    for (long pos = 1; pos <= 3; pos++) {
        json_t *a = outcome_at(lib, str(first, "id"), pos);
        json_t *b = outcome_at(lib, str(again, "id"), pos);
        assert_string_equal(str(b, "record_id"), str(a, "record_id"));
        assert_string_equal(str(b, "outcome"), "unchanged");
        assert_string_equal(str(b, "rule"), rules[pos - 1]);
        json_decref(a);
        json_decref(b);
    }
    json_decref(first);
    json_decref(again);
    free(lib);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(mixed_file_is_mapped_record_by_record),
        cmocka_unit_test(title_after_linkage_subfield_is_read),
        cmocka_unit_test(reimport_creates_nothing_and_names_the_rule),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
