/* MARC import and export through the gateway, with the real files of
 * tests/data/marc: every good record arrives with its fields, every bad
 * one is reported with its position, bad requests are a clear 4xx, holdings
 * become items, export streams each syntax, and a job interrupted by a
 * restart of the catalog resumes where it stopped. Reruns on the same database
 * pass: the fixtures' records then merge into the records of the first run. */
#include "harness.h"
#include "../common/huge_marcxml.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---------------------------------------------------------------- helpers */

static long num(const json_t *o, const char *key)
{
    return (long)json_integer_value(json_object_get(o, key));
}

static const char *str(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* What position became: record id (static buffer) and outcome. */
static const char *record_at(const char *key, const char *import_id, long position,
                             char outcome[16])
{
    static char id[37];
    h_resp *r = h_get(key, "/api/v1/catalog/imports/%s/records?cursor=%ld&limit=1", import_id,
                      position - 1);
    assert_int_equal(r->status, 200);
    json_t *item = json_array_get(json_object_get(r->json, "items"), 0);
    assert_non_null(item);
    assert_int_equal(num(item, "position"), position);
    snprintf(id, sizeof id, "%s", str(item, "record_id"));
    if (outcome) snprintf(outcome, 16, "%s", str(item, "outcome"));
    h_free(r);
    return id;
}

/* The catalog record that position became (new reference). */
static json_t *record_of(const char *key, const char *import_id, long position)
{
    const char *id = record_at(key, import_id, position, NULL);
    h_resp *r = h_get(key, "/api/v1/catalog/records/%s", id);
    assert_int_equal(r->status, 200);
    json_t *rec = json_incref(r->json);
    h_free(r);
    return rec;
}

static void assert_authors(const json_t *rec, const char *first, size_t n)
{
    const json_t *a = json_object_get(rec, "authors");
    assert_int_equal(json_array_size(a), n);
    if (n) assert_string_equal(json_string_value(json_array_get(a, 0)), first);
}

/* ------------------------------------------------------------------ tests */

static void rusmarc_cp1251_file_imports_every_record_with_its_fields(void **state)
{
    (void)state;
    h_events *ev = h_events_open("ibc.evt.catalog.>");
    size_t len;
    char *data = h_marc_fixture("rusmarc-nlr-cp1251.iso", &len);
    json_t *job =
        h_marc_import(h_admin(), "format=rusmarc&charset=cp1251", "application/marc", data, len);
    const char *id = str(job, "id");
    assert_string_equal(str(job, "status"), "done");
    assert_string_equal(str(job, "syntax"), "iso2709");
    assert_int_equal(num(job, "read"), 81);
    assert_int_equal(num(job, "failed"), 0);
    assert_int_equal(num(job, "created") + num(job, "merged") + num(job, "unchanged"), 81);
    assert_true(num(job, "merged") >= 1); /* 33 and 34 share an ISBN */
    assert_int_equal(json_array_size(json_object_get(job, "errors")), 0);
    /* holdings without a school: said so in the job */
    assert_true(num(job, "holdings_ignored") > 0);
    char *notes = json_dumps(json_object_get(job, "notes"), 0);
    assert_non_null(notes);
    assert_non_null(strstr(notes, "no school"));
    free(notes);
    /* 36 has a wrong check digit: kept without ISBN, reported as a warning */
    bool warned = false;
    size_t i;
    json_t *w;
    json_array_foreach(json_object_get(job, "warnings"), i, w) if (num(w, "position") == 36)
        warned = strstr(str(w, "reason"), "5-595-03091-1") != NULL;
    assert_true(warned);

    json_t *r = record_of(h_admin(), id, 1);
    assert_string_equal(str(r, "title"), "Задачи и этюды. Вып. 13");
    assert_string_equal(str(r, "isbn"), "9785744300432");
    assert_int_equal(num(r, "year"), 1997);
    assert_string_equal(str(r, "language"), "rus");
    json_decref(r);
    r = record_of(h_admin(), id, 6);
    assert_string_equal(str(r, "title"), "Светильник Сибири");
    assert_authors(r, "Титов, Федор Иванович", 1);
    assert_int_equal(num(r, "year"), 1999);
    assert_string_equal(str(r, "bbk"), "Э372.24-34-028");
    char *six = strdup(str(r, "id"));
    json_decref(r);
    r = record_of(h_admin(), id, 38);
    assert_string_equal(str(r, "title"), "Мускулы мира");
    assert_authors(r, "Черчилль, Уинстон", 1);
    assert_string_equal(str(r, "isbn"), "9785040102723");
    assert_int_equal(num(r, "year"), 2002);
    assert_string_equal(str(r, "udk"), "94(420)(092)");
    assert_string_equal(str(r, "bbk"), "63.3(4Вел)6");
    json_decref(r);
    r = record_of(h_admin(), id, 16);
    assert_string_equal(str(r, "isbn"), "9785900776316"); /* "5-900776-31-х" */
    json_decref(r);
    /* the second record with an ISBN becomes holdings of the first */
    char outcome[16];
    char *first = strdup(record_at(h_admin(), id, 33, NULL));
    assert_string_equal(record_at(h_admin(), id, 34, outcome), first);
    assert_string_equal(outcome, "merged");
    free(first);

    /* record 6 has no ISBN, so it is created on every run: its event */
    json_t *e = h_events_find(ev, "ibc.evt.catalog.record.created", six, 10000);
    assert_non_null(e);
    json_t *d = json_object_get(e, "data");
    assert_string_equal(str(d, "title"), "Светильник Сибири");
    assert_null(json_object_get(d, "annotation"));
    json_decref(e);
    e = h_events_find(ev, "ibc.evt.catalog.import.completed", id, 10000);
    assert_non_null(e);
    d = json_object_get(e, "data");
    assert_int_equal(num(d, "read"), 81);
    assert_int_equal(num(d, "failed"), 0);
    assert_int_equal(num(d, "created") + num(d, "merged"), 81);
    json_decref(e);
    h_events_close(ev);
    free(six);
    json_decref(job);
    free(data);
}

static void utf8_and_marc21_files_arrive_with_classification(void **state)
{
    (void)state;
    size_t len;
    char *data = h_marc_fixture("rusmarc-utf8.iso", &len);
    json_t *job = h_marc_import(h_admin(), "format=rusmarc", "application/marc", data, len);
    assert_int_equal(num(job, "read"), 1);
    assert_int_equal(num(job, "failed"), 0);
    json_t *r = record_of(h_admin(), str(job, "id"), 1);
    assert_string_equal(str(r, "type"), "textbook");
    assert_string_equal(str(r, "title"), "ПЕДАГОГИКА И ПСИХОЛОГИЯ НЕНАСИЛИЯ В ОБРАЗОВАНИИ");
    assert_authors(r, "Маралов, Владимир Георгиевич", 1);
    assert_string_equal(str(r, "isbn"), "9785991616621");
    assert_int_equal(num(r, "year"), 2012);
    assert_non_null(strstr(str(r, "annotation"), "педагогики и психологии ненасилия"));
    json_decref(r);
    json_decref(job);
    free(data);

    data = h_marc_fixture("marc21-cp1251-bbk-udc.mrc", &len);
    job = h_marc_import(h_admin(), "format=marc21&charset=cp1251", "application/marc", data, len);
    assert_int_equal(num(job, "read"), 6);
    assert_int_equal(num(job, "failed"), 0);
    r = record_of(h_admin(), str(job, "id"), 1);
    assert_string_equal(str(r, "title"), "Основы гидравлического расчета инженерных сетей");
    assert_authors(r, "Ильина, Татьяна Николаевна", 1);
    assert_string_equal(str(r, "isbn"), "9785930933420");
    assert_int_equal(num(r, "year"), 2005);
    assert_string_equal(str(r, "udk"), "624.01:532.5(075.8)");
    assert_string_equal(str(r, "bbk"), "38.1я73");
    json_decref(r);
    r = record_of(h_admin(), str(job, "id"), 5);
    assert_string_equal(str(r, "title"), "Мио, мой Мио!");
    assert_authors(r, "Линдгрен, Астрид", 2);
    assert_string_equal(str(r, "bbk"), "84(4Шве)-44");
    assert_string_equal(str(r, "udk"), "821.113.6-93");
    json_decref(r);
    json_decref(job);
    free(data);

    data = h_marc_fixture("marc21-utf8-cyrillic.mrc", &len);
    job = h_marc_import(h_admin(), "format=marc21&charset=utf-8", "application/marc", data, len);
    assert_int_equal(num(job, "read"), 52);
    assert_int_equal(num(job, "failed"), 0);
    assert_int_equal(num(job, "created") + num(job, "merged") + num(job, "unchanged"), 52);
    r = record_of(h_admin(), str(job, "id"), 2);
    assert_string_equal(str(r, "title"), "Стихотворения и поэмы");
    assert_authors(r, "Блок, Александр Александрович", 2);
    assert_string_equal(str(r, "isbn"), "9785340001603");
    assert_int_equal(num(r, "year"), 1989);
    assert_string_equal(str(r, "publisher"), "Мастац. лiт");
    json_decref(r);
    json_decref(job);
    free(data);

    data = h_marc_fixture("marcxml-batch.xml", &len);
    job = h_marc_import(h_admin(), "format=marc21", "application/marcxml+xml", data, len);
    assert_string_equal(str(job, "syntax"), "marcxml");
    assert_int_equal(num(job, "expected"), 2);
    assert_int_equal(num(job, "read"), 2);
    assert_int_equal(num(job, "created"), 2);
    r = record_of(h_admin(), str(job, "id"), 1);
    assert_string_equal(str(r, "type"), "multimedia");
    assert_string_equal(str(r, "title"), "The Great Ray Charles");
    assert_authors(r, "Charles, Ray", 1);
    assert_int_equal(num(r, "year"), 1957);
    json_decref(r);
    r = record_of(h_admin(), str(job, "id"), 2);
    assert_string_equal(str(r, "type"), "e-resource");
    assert_string_equal(str(json_object_get(r, "eresource"), "url"), "http://www.whitehouse.gov");
    json_decref(r);
    json_decref(job);
    free(data);
}

static void bad_records_are_reported_and_good_ones_kept(void **state)
{
    (void)state;
    size_t len;
    char *data = h_marc_fixture("bad-records.mrc", &len);
    json_t *job = h_marc_import(h_admin(), "format=marc21", "application/marc", data, len);
    assert_string_equal(str(job, "status"), "done");
    assert_int_equal(num(job, "read"), 8);
    assert_int_equal(num(job, "created"), 2);
    assert_int_equal(num(job, "failed"), 6);
    const json_t *errors = json_object_get(job, "errors");
    assert_int_equal(json_array_size(errors), 6);
    static const long offsets[] = {127, 254, 381, 509, 637, 764};
    for (size_t i = 0; i < 6; i++) {
        const json_t *e = json_array_get(errors, i);
        assert_int_equal(num(e, "position"), (long)i + 2);
        assert_int_equal(num(e, "offset"), offsets[i]);
        assert_true(strlen(str(e, "reason")) > 10);
    }
    assert_non_null(strstr(str(json_array_get(errors, 0), "reason"), "Base address"));
    json_t *r = record_of(h_admin(), str(job, "id"), 8);
    assert_string_equal(str(r, "title"), "The pragmatic programmer");
    assert_string_equal(str(r, "subtitle"), "from journeyman to master");
    json_decref(r);
    json_decref(job);
    free(data);
}

static void wrong_charset_and_truncated_file_fail_records_not_the_job(void **state)
{
    (void)state;
    size_t len;
    char *data = h_marc_fixture("rusmarc-nlr-cp1251.iso", &len);
    json_t *job =
        h_marc_import(h_admin(), "format=rusmarc&charset=utf-8", "application/marc", data, len);
    assert_string_equal(str(job, "status"), "done");
    assert_int_equal(num(job, "read"), 81);
    assert_int_equal(num(job, "failed"), 81);
    assert_int_equal(num(job, "created") + num(job, "merged"), 0);
    assert_non_null(
        strstr(str(json_array_get(json_object_get(job, "errors"), 0), "reason"), "charset=cp1251"));
    json_decref(job);

    job =
        h_marc_import(h_admin(), "format=rusmarc&charset=cp1251", "application/marc", data, 20000);
    assert_int_equal(num(job, "read"), 26);
    assert_int_equal(num(job, "failed"), 1);
    const json_t *e = json_array_get(json_object_get(job, "errors"), 0);
    assert_int_equal(num(e, "position"), 26);
    assert_int_equal(num(e, "offset"), 19610);
    assert_non_null(strstr(str(e, "reason"), "truncated"));
    json_decref(job);
    free(data);

    data = h_marc_fixture("marc21-utf8-cyrillic.mrc", &len);
    job = h_marc_import(h_admin(), "format=marc21&charset=cp1251", "application/marc", data, len);
    assert_int_equal(num(job, "failed"), 52);
    assert_non_null(
        strstr(str(json_array_get(json_object_get(job, "errors"), 0), "reason"), "charset=utf-8"));
    json_decref(job);
    free(data);
}

static void expect_status(h_resp *r, long status, const char *words)
{
    if (r->status != status || (words && !strstr(r->body, words)))
        fail_msg("expected %ld with '%s', got %ld: %s", status, words ? words : "", r->status,
                 r->body);
    if (status >= 400) assert_string_equal(h_header(r, "Content-Type"), "application/problem+json");
    h_free(r);
}

static void bad_requests_are_a_clear_4xx(void **state)
{
    (void)state;
    const char *key = h_admin();
    size_t len;
    char *xml = h_marc_fixture("marcxml-batch.xml", &len);
    char *iso = h_marc_fixture("bad-records.mrc", &len);
    const char garbage[] = "Dear librarian, this is a letter and not a MARC file at all.";
    expect_status(h_marc_submit(key, "format=marc21", "application/marc", "", 0), 400, "empty");
    expect_status(
        h_marc_submit(key, "format=marc21", "application/marc", garbage, sizeof garbage - 1), 400,
        "not ISO 2709");
    expect_status(h_marc_submit(key, "format=marc21", "application/marc", xml, 500), 400, "XML");
    expect_status(h_marc_submit(key, "format=marc21", "application/marcxml+xml", xml, 3000), 400,
                  "not well-formed");
    expect_status(h_marc_submit(key, "format=unimarc", "application/marc", iso, 127), 400,
                  "'format' must be one of rusmarc, marc21");
    expect_status(h_marc_submit(key, "charset=utf-8", "application/marc", iso, 127), 400,
                  "'format' is required");
    expect_status(h_marc_submit(key, "format=marc21&charset=koi8-r", "application/marc", iso, 127),
                  400, "'charset'");
    expect_status(h_marc_submit(key, "format=marc21&size=3", "application/marc", iso, 127), 400,
                  "unknown query parameter 'size'");
    expect_status(
        h_marc_submit(key, "format=marc21&school=no%20such", "application/marc", iso, 127), 400,
        "school");
    expect_status(h_marc_submit(key, "format=marc21", "text/plain", iso, 127), 415,
                  "application/marc");
    expect_status(h_http("POST", "/api/v1/catalog/imports?format=marc21", key, "{}", NULL), 415,
                  NULL);

    char *school = h_uniq("school-m");
    char *librarian = h_new_key(school, "librarian");
    char *portal = h_new_key(school, "portal");
    expect_status(
        h_marc_submit(librarian, "format=marc21&school=school-1", "application/marc", iso, 127),
        403, "own school");
    expect_status(h_marc_submit(portal, "format=marc21", "application/marc", iso, 127), 403, NULL);
    h_resp *r = h_marc_submit(key, "format=marc21", "application/marc", iso, 127);
    assert_int_equal(r->status, 202);
    char *id = strdup(h_str(r, "id"));
    h_free(r);
    expect_status(h_get(librarian, "/api/v1/catalog/imports/%s", id), 404, "no import");
    expect_status(h_get(key, "/api/v1/catalog/imports/%s", "7d444840-9dc0-11d1-b245-5ffdce74fad2"),
                  404, "no import");
    expect_status(h_get(key, "/api/v1/catalog/imports/not-a-uuid"), 400, "UUID");
    expect_status(h_get(key, "/api/v1/catalog/imports?status=lost"), 400, "'status'");
    expect_status(h_get(key, "/api/v1/catalog/imports?limit=0"), 400, "'limit'");
    expect_status(h_get(key, "/api/v1/catalog/imports/%s/records?outcome=x", id), 400, "'outcome'");
    /* a librarian's own job is visible to them, and listed */
    r = h_marc_submit(librarian, "format=marc21", "application/marc", iso, 127);
    assert_int_equal(r->status, 202);
    char *own = strdup(h_str(r, "id"));
    h_free(r);
    json_decref(h_marc_wait(librarian, own, 20));
    r = h_get(librarian, "/api/v1/catalog/imports?limit=5");
    assert_int_equal(r->status, 200);
    const json_t *items = json_object_get(r->json, "items");
    assert_int_equal(json_array_size(items), 1);
    assert_string_equal(str(json_array_get(items, 0), "id"), own);
    h_free(r);
    r = h_get(key, "/api/v1/catalog/imports?limit=1");
    assert_int_equal(r->status, 200);
    assert_int_equal(json_array_size(json_object_get(r->json, "items")), 1);
    const char *next = h_str(r, "next_cursor");
    assert_non_null(next);
    h_resp *r2 = h_get(key, "/api/v1/catalog/imports?limit=1&cursor=%s", next);
    assert_int_equal(r2->status, 200);
    assert_string_not_equal(str(json_array_get(json_object_get(r2->json, "items"), 0), "id"),
                            str(json_array_get(json_object_get(r->json, "items"), 0), "id"));
    h_free(r2);
    h_free(r);
    json_decref(h_marc_wait(key, id, 20));
    free(own);
    free(id);
    free(school);
    free(librarian);
    free(portal);
    free(xml);
    free(iso);
}

/* A MARCXML file of three records: a good one with holdings (852 $p barcode,
 * $j inventory number), one with a 100 KB title, one with year 3000 and a
 * wrong ISBN. Caller frees. */
static char *marcxml_file(const char *ctl, const char *title, const char *isbn, const char *barcode)
{
    size_t big = 100 * 1024;
    char *long_title = malloc(big + 1);
    memset(long_title, 'x', big);
    long_title[big] = 0;
    char *out = NULL;
    int n = asprintf(
        &out,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<marc:collection xmlns:marc=\"http://www.loc.gov/MARC21/slim\">\n"
        "<marc:record><marc:leader>00000nam a2200000 i 4500</marc:leader>"
        "<marc:controlfield tag=\"001\">%s</marc:controlfield>"
        "<marc:datafield tag=\"020\" ind1=\" \" ind2=\" \"><marc:subfield "
        "code=\"a\">%s</marc:subfield></marc:datafield>"
        "<marc:datafield tag=\"084\" ind1=\" \" ind2=\" \"><marc:subfield "
        "code=\"a\">84(2Рос=Рус)6</marc:subfield><marc:subfield "
        "code=\"2\">rubbk</marc:subfield></marc:datafield>"
        "<marc:datafield tag=\"100\" ind1=\"1\" ind2=\" \"><marc:subfield code=\"a\">Носов, "
        "Николай Николаевич.</marc:subfield></marc:datafield>"
        "<marc:datafield tag=\"245\" ind1=\"1\" ind2=\"0\"><marc:subfield code=\"a\">%s "
        ":</marc:subfield><marc:subfield code=\"b\">повесть /</marc:subfield></marc:datafield>"
        "<marc:datafield tag=\"260\" ind1=\" \" ind2=\" \"><marc:subfield code=\"a\">Москва "
        ":</marc:subfield><marc:subfield code=\"b\">Детская "
        "литература,</marc:subfield><marc:subfield "
        "code=\"c\">2019.</marc:subfield></marc:datafield>"
        "<marc:datafield tag=\"852\" ind1=\" \" ind2=\" \"><marc:subfield "
        "code=\"p\">%s</marc:subfield><marc:subfield "
        "code=\"j\">INV-%s</marc:subfield></marc:datafield>"
        "</marc:record>\n"
        "<marc:record><marc:leader>00000nam a2200000 i 4500</marc:leader>"
        "<marc:datafield tag=\"245\" ind1=\"0\" ind2=\"0\"><marc:subfield "
        "code=\"a\">%s</marc:subfield></marc:datafield>"
        "</marc:record>\n"
        "<marc:record><marc:leader>00000nam a2200000 i 4500</marc:leader>"
        "<marc:datafield tag=\"020\" ind1=\" \" ind2=\" \"><marc:subfield "
        "code=\"a\">978-5-00000-000-1</marc:subfield></marc:datafield>"
        "<marc:datafield tag=\"245\" ind1=\"0\" ind2=\"0\"><marc:subfield code=\"a\">%s, второй "
        "том</marc:subfield></marc:datafield>"
        "<marc:datafield tag=\"260\" ind1=\" \" ind2=\" \"><marc:subfield "
        "code=\"c\">3000</marc:subfield></marc:datafield>"
        "</marc:record>\n"
        "</marc:collection>\n",
        ctl, isbn, title, barcode, barcode, long_title, title);
    free(long_title);
    assert_true(n > 0);
    return out;
}

static void marcxml_holdings_become_items_and_a_second_import_merges(void **state)
{
    (void)state;
    char *school = h_uniq("school-x");
    char *librarian = h_new_key(school, "librarian");
    char *word = h_uniq("zqmarc"), *ctl = h_uniq("ctl-"), *barcode = h_uniq("BC");
    char *isbn = h_isbn();
    char title[128];
    snprintf(title, sizeof title, "Витя Малеев в школе и дома %s", word);
    char *xml = marcxml_file(ctl, title, isbn, barcode);
    h_events *ev = h_events_open("ibc.evt.catalog.>");

    char query[256];
    snprintf(query, sizeof query, "format=marc21&school=%s", school);
    json_t *job = h_marc_import(librarian, query, "application/marcxml+xml", xml, strlen(xml));
    const char *id = str(job, "id");
    assert_string_equal(str(job, "school"), school);
    assert_int_equal(num(job, "read"), 3);
    assert_int_equal(num(job, "created"), 2);
    assert_int_equal(num(job, "failed"), 1);
    assert_int_equal(num(job, "items_created"), 1);
    assert_int_equal(num(job, "without_barcode"), 1); /* the third record */
    const json_t *err = json_array_get(json_object_get(job, "errors"), 0);
    assert_int_equal(num(err, "position"), 2);
    assert_non_null(strstr(str(err, "reason"), "title (245$a) has 102400 characters"));
    assert_true(num(err, "line") > 0);
    const json_t *warnings = json_object_get(job, "warnings");
    assert_int_equal(json_array_size(warnings), 2);
    assert_int_equal(num(json_array_get(warnings, 0), "position"), 3);
    assert_non_null(strstr(str(json_array_get(warnings, 0), "reason"), "978-5-00000-000-1"));
    assert_non_null(strstr(str(json_array_get(warnings, 1), "reason"), "year 3000"));

    json_t *r = record_of(librarian, id, 1);
    char *rec_id = strdup(str(r, "id"));
    assert_string_equal(str(r, "title"), title);
    assert_string_equal(str(r, "subtitle"), "повесть");
    assert_authors(r, "Носов, Николай Николаевич", 1);
    assert_string_equal(str(r, "isbn"), isbn);
    assert_string_equal(str(r, "bbk"), "84(2Рос=Рус)6");
    assert_string_equal(str(r, "place"), "Москва");
    assert_string_equal(str(r, "publisher"), "Детская литература");
    assert_int_equal(num(r, "year"), 2019);
    assert_string_equal(str(r, "created_by_org"), school);
    json_decref(r);
    r = record_of(librarian, id, 3);
    assert_null(json_object_get(r, "year"));
    assert_null(json_object_get(r, "isbn"));
    json_decref(r);

    /* the copy is an item of the school, with an event */
    h_resp *item = h_get(librarian, "/api/v1/catalog/items/lookup?barcode=%s", barcode);
    assert_int_equal(item->status, 200);
    assert_string_equal(h_str(item, "record_id"), rec_id);
    assert_string_equal(h_str(item, "school"), school);
    char inv[80];
    snprintf(inv, sizeof inv, "INV-%s", barcode);
    assert_string_equal(h_str(item, "inventory_number"), inv);
    json_t *e = h_events_find(ev, "ibc.evt.catalog.item.created", h_str(item, "id"), 10000);
    assert_non_null(e);
    assert_string_equal(str(json_object_get(e, "data"), "barcode"), barcode);
    json_decref(e);
    h_free(item);
    e = h_events_find(ev, "ibc.evt.catalog.record.created", rec_id, 10000);
    assert_non_null(e);
    assert_string_equal(str(json_object_get(e, "data"), "isbn"), isbn);
    json_decref(e);
    json_decref(job);

    /* the same file again: nothing new (the first by its ISBN, the third, too bare
     * for a key, by its identical MARC), the barcode is taken, no second copy */
    job = h_marc_import(librarian, query, "application/marcxml+xml", xml, strlen(xml));
    assert_int_equal(num(job, "unchanged"), 2);
    assert_int_equal(num(job, "merged"), 0);
    assert_int_equal(num(job, "created"), 0);
    assert_int_equal(num(job, "items_created"), 0);
    assert_int_equal(num(json_object_get(job, "matched"), "isbn"), 1);
    assert_int_equal(num(json_object_get(job, "matched"), "marc"), 1);
    char outcome[16];
    assert_string_equal(record_at(librarian, str(job, "id"), 1, outcome), rec_id);
    assert_string_equal(outcome, "unchanged");
    bool taken = false;
    size_t i;
    json_t *w;
    json_array_foreach(json_object_get(job, "warnings"), i, w) taken |=
        num(w, "position") == 1 && strstr(str(w, "reason"), barcode) != NULL;
    assert_true(taken);
    assert_int_equal(h_events_count(ev, "ibc.evt.catalog.record.created", rec_id, 500), 1);
    json_decref(job);

    /* export: the kept MARCXML, with its own control number */
    h_resp *x = h_get(librarian, "/api/v1/catalog/export?format=marcxml&q=%s", word);
    assert_int_equal(x->status, 200);
    assert_string_equal(h_header(x, "Content-Type"), "application/marcxml+xml");
    assert_non_null(strstr(x->body, "<collection"));
    char ctl_xml[128];
    snprintf(ctl_xml, sizeof ctl_xml, "<controlfield tag=\"001\">%s</controlfield>", ctl);
    assert_non_null(strstr(x->body, ctl_xml));
    assert_non_null(strstr(x->body, "</collection>"));
    h_free(x);

    h_events_close(ev);
    free(rec_id);
    free(xml);
    free(isbn);
    free(barcode);
    free(ctl);
    free(word);
    free(librarian);
    free(school);
}

static void export_streams_iso2709_marcxml_and_json(void **state)
{
    (void)state;
    char *word = h_uniq("zqexp");
    char *isbn = h_isbn();
    char body[512];
    snprintf(body, sizeof body,
             "{\"type\":\"textbook\",\"title\":\"Алгебра %s\",\"authors\":[\"Макарычев, Юрий "
             "Николаевич\"],\"year\":2023,\"isbn\":\"%s\",\"language\":\"rus\",\"bbk\":"
             "\"22.14я721\",\"udk\":\"512(075.3)\"}",
             word, isbn);
    h_resp *r = h_http("POST", "/api/v1/catalog/records", h_admin(), body, NULL);
    assert_int_equal(r->status, 201);
    h_free(r);
    char title[128];
    snprintf(title, sizeof title, "Алгебра %s", word);

    r = h_get(h_admin(), "/api/v1/catalog/export?format=iso2709&q=%s", word);
    assert_int_equal(r->status, 200);
    assert_string_equal(h_header(r, "Content-Type"), "application/marc");
    assert_non_null(strstr(h_header(r, "Content-Disposition"), "catalog.mrc"));
    assert_true(r->len > 24 && r->body[r->len - 1] == 0x1d);
    assert_int_equal(
        strtol((char[6]){r->body[0], r->body[1], r->body[2], r->body[3], r->body[4], 0}, NULL, 10),
        (long)r->len); /* one record: its length is the body's */
    assert_non_null(memmem(r->body, r->len, title, strlen(title)));
    assert_non_null(memmem(r->body, r->len, isbn, strlen(isbn)));
    /* exported ISO 2709 imports back: the ISBN merges into the same record */
    char *exported = malloc(r->len);
    memcpy(exported, r->body, r->len);
    size_t elen = r->len;
    h_free(r);
    json_t *job = h_marc_import(h_admin(), "format=marc21", "application/marc", exported, elen);
    assert_int_equal(num(job, "read"), 1);
    assert_int_equal(num(job, "merged"), 1);
    json_decref(job);
    free(exported);

    r = h_get(h_admin(), "/api/v1/catalog/export?format=marcxml&q=%s", word);
    assert_int_equal(r->status, 200);
    assert_non_null(strstr(r->body, "<collection xmlns=\"http://www.loc.gov/MARC21/slim\">"));
    assert_non_null(strstr(r->body, title));
    assert_non_null(strstr(r->body, "<subfield code=\"a\">22.14я721</subfield>"));
    h_free(r);

    r = h_get(h_admin(), "/api/v1/catalog/export?format=json&q=%s&type=textbook&year_from=2020",
              word);
    assert_int_equal(r->status, 200);
    assert_string_equal(h_header(r, "Content-Type"), "application/json");
    assert_true(json_is_array(r->json));
    assert_int_equal(json_array_size(r->json), 1);
    const json_t *rec = json_array_get(r->json, 0);
    assert_int_equal(strlen(str(rec, "leader")), 24);
    assert_non_null(strstr(r->body, title));
    h_free(r);

    /* filters that exclude it */
    r = h_get(h_admin(), "/api/v1/catalog/export?format=json&q=%s&year_to=2000", word);
    assert_int_equal(r->status, 200);
    assert_int_equal(json_array_size(r->json), 0);
    h_free(r);

    expect_status(h_get(h_admin(), "/api/v1/catalog/export"), 400, "'format' is required");
    expect_status(h_get(h_admin(), "/api/v1/catalog/export?format=pdf"), 400, "iso2709");
    expect_status(h_get(h_admin(), "/api/v1/catalog/export?format=json&year_from=3000"), 400,
                  "year_from");
    char *portal = h_new_key("school-1", "portal");
    expect_status(h_get(portal, "/api/v1/catalog/export?format=json"), 403, NULL);
    free(portal);
    free(word);
    free(isbn);
}

static void restarted_catalog_resumes_the_running_import(void **state)
{
    (void)state;
    size_t len;
    char *one = h_marc_fixture("rusmarc-nlr-cp1251.iso", &len);
    const int copies = 300; /* 24,300 records, 23 MB */
    char *data = malloc(len * copies);
    for (int i = 0; i < copies; i++)
        memcpy(data + i * len, one, len);
    h_resp *r = h_marc_submit(h_admin(), "format=rusmarc&charset=cp1251", "application/marc", data,
                              len * copies);
    assert_int_equal(r->status, 202);
    char *id = strdup(h_str(r, "id"));
    h_free(r);
    /* stop the catalog as soon as the first batches are in */
    double t0 = h_now_s();
    for (;;) {
        r = h_get(h_admin(), "/api/v1/catalog/imports/%s", id);
        assert_int_equal(r->status, 200);
        long read = (long)json_integer_value(json_object_get(r->json, "read"));
        bool done = strcmp(h_str(r, "status"), "done") == 0;
        h_free(r);
        if (done) fail_msg("the import finished before the catalog could be stopped");
        if (read > 0) break;
        if (h_now_s() - t0 > 30) fail_msg("the import did not start");
        usleep(20000);
    }
    assert_int_equal(h_stack("stop", "catalog"), 0);
    r = h_get(h_admin(), "/api/v1/catalog/imports/%s", id);
    assert_int_equal(r->status, 503);
    h_free(r);
    assert_int_equal(h_stack("start", "catalog"), 0);
    json_t *job = h_marc_wait(h_admin(), id, 120);
    assert_string_equal(str(job, "status"), "done");
    assert_int_equal(num(job, "attempts"), 2);
    assert_int_equal(num(job, "read"), 81 * copies);
    assert_int_equal(num(job, "failed"), 0);
    assert_int_equal(num(job, "created") + num(job, "merged") + num(job, "unchanged") +
                         num(job, "updated"),
                     81 * copies);
    /* every position was written exactly once */
    long listed = 0, last = 0;
    const char *cursor = "0";
    char cur[32] = "0";
    for (int page = 0; cursor && page < 100; page++) {
        r = h_get(h_admin(), "/api/v1/catalog/imports/%s/records?limit=1000&cursor=%s", id, cur);
        assert_int_equal(r->status, 200);
        size_t i;
        json_t *v;
        json_array_foreach(json_object_get(r->json, "items"), i, v)
        {
            assert_int_equal(num(v, "position"), last + 1);
            last++;
            listed++;
        }
        cursor = h_str(r, "next_cursor");
        if (cursor) snprintf(cur, sizeof cur, "%s", cursor);
        h_free(r);
    }
    assert_int_equal(listed, 81 * copies);
    json_decref(job);
    free(id);
    free(data);
    free(one);
}

/* n copies of the NLR fixture (81 records each) in one buffer; caller frees. */
static char *nlr_copies(int n, size_t *len)
{
    size_t one_len;
    char *one = h_marc_fixture("rusmarc-nlr-cp1251.iso", &one_len);
    char *data = malloc(one_len * (size_t)n);
    for (int i = 0; i < n; i++)
        memcpy(data + (size_t)i * one_len, one, one_len);
    free(one);
    *len = one_len * (size_t)n;
    return data;
}

static char *submit_copies(int n)
{
    size_t len;
    char *data = nlr_copies(n, &len);
    h_resp *r =
        h_marc_submit(h_admin(), "format=rusmarc&charset=cp1251", "application/marc", data, len);
    assert_int_equal(r->status, 202);
    char *id = strdup(h_str(r, "id"));
    h_free(r);
    free(data);
    return id;
}

/* Cancelling: a queued job ends at once (and says so in its event), a
 * running one stops between two batches; every committed batch is whole (the
 * counters add up, each record read is listed once), and an ended job cannot
 * be cancelled again. */
static void a_cancelled_import_stops_between_batches(void **state)
{
    (void)state;
    h_events *ev = h_events_open("ibc.evt.catalog.import.completed");
    char *running = submit_copies(150), *queued = submit_copies(20); /* 12,150 and 1,620 */
    double t0 = h_now_s();
    for (;;) { /* the first job has committed a batch or more */
        h_resp *r = h_get(h_admin(), "/api/v1/catalog/imports/%s", running);
        long read =
            r->status == 200 ? (long)json_integer_value(json_object_get(r->json, "read")) : 0;
        h_free(r);
        if (read > 0) break;
        if (h_now_s() - t0 > 60 * h_test_scale()) fail_msg("the import did not start");
        usleep(20000);
    }
    /* one job thread per catalog: the second waits behind the first */
    h_resp *c = h_post(h_admin(), "/api/v1/catalog/imports/x/cancel", "{}");
    assert_int_equal(c->status, 400);
    h_free(c);
    c = h_post(h_admin(), "/api/v1/catalog/imports/00000000-0000-4000-8000-000000000000/cancel",
               "{}");
    assert_int_equal(c->status, 404);
    h_free(c);
    char path[128];
    snprintf(path, sizeof path, "/api/v1/catalog/imports/%s/cancel", queued);
    c = h_post(h_admin(), path, "{}");
    assert_int_equal(c->status, 200);
    assert_string_equal(h_str(c, "status"), "cancelled");
    assert_non_null(h_str(c, "cancel_requested_at"));
    h_free(c);
    json_t *e = h_events_find(ev, "ibc.evt.catalog.import.completed", queued, 10000);
    assert_non_null(e);
    assert_string_equal(json_string_value(json_object_get(json_object_get(e, "data"), "status")),
                        "cancelled");
    json_decref(e);

    snprintf(path, sizeof path, "/api/v1/catalog/imports/%s/cancel", running);
    c = h_post(h_admin(), path, "{}");
    assert_int_equal(c->status, 200);
    assert_non_null(h_str(c, "cancel_requested_at"));
    h_free(c);
    json_t *job = h_marc_wait(h_admin(), running, 60);
    assert_string_equal(str(job, "status"), "cancelled");
    long read = num(job, "read");
    assert_true(read > 0 && read < 81 * 150);
    assert_int_equal(num(job, "created") + num(job, "merged") + num(job, "unchanged") +
                         num(job, "updated") + num(job, "failed"),
                     read);
    long listed = 0;
    char cur[32] = "0";
    for (int page = 0; page < 20; page++) {
        h_resp *r = h_get(h_admin(), "/api/v1/catalog/imports/%s/records?limit=1000&cursor=%s",
                          running, cur);
        assert_int_equal(r->status, 200);
        listed += (long)json_array_size(json_object_get(r->json, "items"));
        const char *next = h_str(r, "next_cursor");
        if (next) snprintf(cur, sizeof cur, "%s", next);
        h_free(r);
        if (!next) break;
    }
    assert_int_equal(listed, read - num(job, "failed"));
    /* it stays cancelled, and cannot be cancelled twice */
    c = h_post(h_admin(), path, "{}");
    assert_int_equal(c->status, 409);
    assert_non_null(strstr(c->body, "cancelled"));
    h_free(c);
    json_decref(job);
    job = h_marc_wait(h_admin(), queued, 5);
    assert_int_equal(num(job, "read"), 0);
    json_decref(job);
    h_events_close(ev);
    free(running);
    free(queued);
}

/* The catalog's resident memory in kB (its pid from the test stack's run dir). */
static long catalog_rss_kb(void)
{
    char path[1024], line[256];
    const char *run = getenv("IBC_TEST_RUN_DIR");
    snprintf(path, sizeof path, "%s/catalog.pid", run ? run : ".run-test");
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    long pid = 0, kb = -1;
    assert_int_equal(fscanf(f, "%ld", &pid), 1);
    fclose(f);
    snprintf(path, sizeof path, "/proc/%ld/status", pid);
    assert_non_null(f = fopen(path, "r"));
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %ld kB", &kb) == 1) break;
    fclose(f);
    return kb;
}

static void hostile_marcxml_fails_fast_with_a_clear_error(void **state)
{
    (void)state;
    const char *key = h_admin();
    const char *xml = "application/marcxml+xml";
    long rss0 = catalog_rss_kb();
    size_t len;
    char *laughs = h_marc_fixture("billion-laughs.xml", &len);
    double t0 = h_now_s();
    expect_status(h_marc_submit(key, "format=marc21", xml, laughs, len), 400, "entities");
    assert_true(h_now_s() - t0 < 2.0);
    /* over libxml2's 10 MB limit of a text node, under the route's 32 MiB */
    char *big = huge_text_record(20u << 20, &len);
    assert_non_null(big);
    t0 = h_now_s();
    expect_status(h_marc_submit(key, "format=marc21", xml, big, len), 400, "not well-formed");
    /* most of it is moving 20 MB through the gateway and NATS on a busy machine */
    double took = h_now_s() - t0;
    printf("a 20 MB text node: 400 after %.2f s\n", took);
    assert_true(took < 30.0 * h_test_scale());
    free(big);
    /* 100 MB is over the route's limit: refused before the catalog sees it */
    big = huge_text_record(100u << 20, &len);
    assert_non_null(big);
    expect_status(h_marc_submit(key, "format=marc21", xml, big, len), 413, NULL);
    free(big);
    long grown = catalog_rss_kb() - rss0;
    if (grown > 200 * 1024 * h_test_scale()) fail_msg("the catalog grew by %ld kB", grown);
    free(laughs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rusmarc_cp1251_file_imports_every_record_with_its_fields),
        cmocka_unit_test(utf8_and_marc21_files_arrive_with_classification),
        cmocka_unit_test(bad_records_are_reported_and_good_ones_kept),
        cmocka_unit_test(wrong_charset_and_truncated_file_fail_records_not_the_job),
        cmocka_unit_test(bad_requests_are_a_clear_4xx),
        cmocka_unit_test(marcxml_holdings_become_items_and_a_second_import_merges),
        cmocka_unit_test(export_streams_iso2709_marcxml_and_json),
        cmocka_unit_test(restarted_catalog_resumes_the_running_import),
        cmocka_unit_test(a_cancelled_import_stops_between_batches),
        cmocka_unit_test(hostile_marcxml_fails_fast_with_a_clear_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
