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
#include <unistd.h>

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

/* Runs a shell command and returns its standard output (caller frees). */
static char *run(const char *cmd)
{
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    char *out = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&out, &len);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0)
        fwrite(buf, 1, n, m);
    fclose(m);
    assert_int_equal(pclose(p), 0);
    return out;
}

static void write_file(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
}

static void assert_has_line(const char *text, const char *line)
{
    if (!strstr(text, line)) fail_msg("libyaz's reading lacks '%s' in:\n%s", line, text);
}

/* The fields a round trip must keep. */
static void assert_same_fields(const json_t *a, const json_t *b)
{
    static const char *const cols[] = {"title", "subtitle", "isbn",       "year",   "publisher",
                                       "bbk",   "udk",      "age_rating", "authors"};
    for (size_t i = 0; i < sizeof cols / sizeof *cols; i++)
        if (!json_equal(json_object_get(a, cols[i]), json_object_get(b, cols[i]))) {
            char *x = json_dumps(json_object_get(a, cols[i]), JSON_ENCODE_ANY);
            char *y = json_dumps(json_object_get(b, cols[i]), JSON_ENCODE_ANY);
            fail_msg("%s: %s became %s", cols[i], x ? x : "null", y ? y : "null");
        }
}

static json_t *new_record(const char *tag)
{
    char *isbn = h_isbn(), body[1024];
    snprintf(body, sizeof body,
             "{\"type\": \"book\", \"title\": \"Учебник ёмкости %s\", \"subtitle\": \"для 5 "
             "класса\", \"authors\": [\"Ёлкин, Пётр Иванович\", \"Смирнова, Анна\"], \"isbn\": "
             "\"%s\", \"year\": 2021, \"publisher\": \"Просвещение\", \"place\": \"Москва\", "
             "\"bbk\": \"74.26\", \"udk\": \"373.167.1:51\", \"age_rating\": \"6+\"}",
             tag, isbn);
    free(isbn);
    h_resp *r = h_http("POST", "/api/v1/catalog/records", h_admin(), body, NULL);
    assert_int_equal(r->status, 201);
    json_t *rec = json_incref(r->json);
    h_free(r);
    return rec;
}

/* Exports the record (by its tag) as asked, passes the file through
 * yaz-marcdump to UTF-8 ISO 2709, deletes the record and imports the file:
 * the record it becomes (new reference). *file = the export (caller frees). */
static json_t *round_trip(const json_t *rec, const char *tag, const char *format,
                          const char *syntax, const char *charset, h_resp **file)
{
    h_resp *x = h_get(h_admin(), "/api/v1/catalog/export?format=%s&syntax=%s&charset=%s&q=%s",
                      format, syntax, charset, tag);
    assert_int_equal(x->status, 200);
    char in[128], out[128], cmd[512];
    snprintf(in, sizeof in, "/tmp/ibc-rt-%s.%s", tag, format);
    snprintf(out, sizeof out, "/tmp/ibc-rt-%s.utf8.mrc", tag);
    write_file(in, x->body, x->len);
    snprintf(cmd, sizeof cmd, "yaz-marcdump -i %s -f %s -t utf-8 -o marc %s > %s",
             strcmp(format, "marcxml") == 0 ? "marcxml" : "marc",
             strcmp(charset, "cp1251") == 0 ? "cp1251" : "utf-8", in, out);
    free(run(cmd));
    char path[128];
    snprintf(path, sizeof path, "/api/v1/catalog/records/%s", str(rec, "id"));
    h_resp *d = h_http("DELETE", path, h_admin(), NULL, NULL);
    assert_int_equal(d->status, 204);
    h_free(d);
    FILE *f = fopen(out, "rb");
    assert_non_null(f);
    char data[65536];
    size_t len = fread(data, 1, sizeof data, f);
    fclose(f);
    char query[64];
    snprintf(query, sizeof query, "format=%s&charset=utf-8", syntax);
    json_t *job = h_marc_import(h_admin(), query, "application/marc", data, len);
    assert_string_equal(str(job, "status"), "done");
    assert_int_equal(num(job, "created"), 1);
    json_t *o = outcome_at(h_admin(), str(job, "id"), 1);
    json_t *back = record_get(h_admin(), str(o, "record_id"));
    json_decref(o);
    json_decref(job);
    unlink(in);
    unlink(out);
    *file = x;
    return back;
}

static void rusmarc_cp1251_export_reads_back_field_by_field(void **state)
{
    (void)state;
    char *tag = h_uniq("rt");
    json_t *rec = new_record(tag);
    h_resp *x = NULL;
    json_t *back = round_trip(rec, tag, "iso2709", "rusmarc", "cp1251", &x);
    assert_same_fields(rec, back);
    /* CP1251 bytes: "Учебник" is D3 F7 E5 E1 ED E8 EA, not UTF-8 */
    assert_non_null(memmem(x->body, x->len, "\xd3\xf7\xe5\xe1\xed\xe8\xea", 7));
    assert_null(memmem(x->body, x->len, "\xd0\xa3", 2));
    /* what libyaz reads from the file, field by field */
    char path[128], cmd[256], line[300];
    snprintf(path, sizeof path, "/tmp/ibc-rt-%s.cp1251.iso", tag);
    write_file(path, x->body, x->len);
    snprintf(cmd, sizeof cmd, "yaz-marcdump -f cp1251 -t utf-8 %s", path);
    char *text = run(cmd);
    unlink(path);
    snprintf(line, sizeof line, "010    $a %s\n", str(rec, "isbn"));
    assert_has_line(text, line);
    snprintf(line, sizeof line, "200 1  $a Учебник ёмкости %s $e для 5 класса\n", tag);
    assert_has_line(text, line);
    assert_has_line(text, "210    $a Москва $c Просвещение $d 2021\n");
    assert_has_line(text, "333    $a 6+\n");
    assert_has_line(text, "675    $a 373.167.1:51\n");
    assert_has_line(text, "686    $a 74.26 $2 rubbk\n");
    assert_has_line(text, "700  1 $a Ёлкин $g Пётр Иванович\n");
    assert_has_line(text, "701  1 $a Смирнова $g Анна\n");
    assert_non_null(strstr(text, "y0rusy0189"));
    free(text);
    h_free(x);

    /* the same record as MARC21 MARCXML in UTF-8 */
    json_t *again = round_trip(back, tag, "marcxml", "marc21", "utf-8", &x);
    assert_same_fields(rec, again);
    assert_non_null(strstr(x->body, "encoding=\"UTF-8\""));
    h_free(x);
    /* and MARCXML in CP1251 says so */
    x = h_get(h_admin(), "/api/v1/catalog/export?format=marcxml&syntax=rusmarc&charset=cp1251&q=%s",
              tag);
    assert_int_equal(x->status, 200);
    assert_non_null(strstr(x->body, "encoding=\"windows-1251\""));
    assert_non_null(memmem(x->body, x->len, "\xd3\xf7\xe5\xe1\xed\xe8\xea", 7));
    h_free(x);
    x = h_get(h_admin(), "/api/v1/catalog/export?format=iso2709&syntax=unimarc");
    assert_int_equal(x->status, 400);
    h_free(x);
    x = h_get(h_admin(), "/api/v1/catalog/export?format=iso2709&charset=koi8-r");
    assert_int_equal(x->status, 400);
    h_free(x);
    json_decref(again);
    json_decref(back);
    json_decref(rec);
    free(tag);
}

/* An ISO 2709 record of exactly 99,999 bytes with 2,000 fields: 245 and
 * 1,999 subjects (650 $a). Caller frees. */
static char *huge_record(const char *tag, size_t *len)
{
    enum { NF = 2000, TOTAL = 99999 };
    size_t base = 24 + 12 * NF + 1, data_len = TOTAL - base - 1;
    char *rec = malloc(TOTAL + 1), *data = malloc(data_len + 1);
    size_t used = 0, per = data_len / NF, rem = data_len % NF;
    char *dir = rec + 24;
    for (int i = 0; i < NF; i++) {
        size_t flen = per + ((size_t)i < rem ? 1 : 0);
        char *f = data + used;
        /* indicators, $a, text padded with letters, field terminator */
        int n = i == 0 ? snprintf(f, flen,
                                  "10\x1f"
                                  "aHuge record %s ",
                                  tag)
                       : snprintf(f, flen,
                                  "  \x1f"
                                  "aSubject %s %04d ",
                                  tag, i);
        memset(f + n, 'x', flen - n - 1);
        f[flen - 1] = 0x1e;
        snprintf(dir + 12 * i, 13, "%s%04zu%05zu", i == 0 ? "245" : "650", flen, used);
        used += flen;
    }
    rec[24 + 12 * NF] = 0x1e;
    memcpy(rec + base, data, data_len);
    rec[TOTAL - 1] = 0x1d;
    char leader[25];
    snprintf(leader, sizeof leader, "%05dnam a22%05zu   4500", TOTAL, base);
    memcpy(rec, leader, 24);
    free(data);
    *len = TOTAL;
    return rec;
}

static void bad_input_gets_a_clear_answer(void **state)
{
    (void)state;
    /* a PDF sent as MARC */
    static const char pdf[] =
        "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R "
        ">>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
        "trailer\n<< /Root 1 0 R >>\n%%EOF\n";
    h_resp *r = h_marc_submit(h_admin(), "format=marc21", "application/marc", pdf, sizeof pdf - 1);
    assert_int_equal(r->status, 400);
    assert_string_equal(h_header(r, "Content-Type"), "application/problem+json");
    h_free(r);
    /* a zero-byte file */
    r = h_marc_submit(h_admin(), "format=marc21", "application/marc", "", 0);
    assert_int_equal(r->status, 400);
    h_free(r);
    /* (a declared charset that is wrong: test_catalog_marc.c, each record fails) */
    size_t len;
    json_t *job;
    /* 99,999 bytes, 2,000 fields: in, with a warning for the subjects left out */
    char *tag = h_uniq("huge");
    char *huge = huge_record(tag, &len);
    job = h_marc_import(h_admin(), "format=marc21", "application/marc", huge, len);
    assert_string_equal(str(job, "status"), "done");
    assert_int_equal(num(job, "read"), 1);
    if (num(job, "failed") != 0)
        fail_msg("the huge record failed: %s",
                 str(json_array_get(json_object_get(job, "errors"), 0), "reason"));
    assert_non_null(strstr(str(json_array_get(json_object_get(job, "warnings"), 0), "reason"),
                           "only the first 200 subjects"));
    json_t *o = outcome_at(h_admin(), str(job, "id"), 1);
    json_t *rec = record_get(h_admin(), str(o, "record_id"));
    assert_int_equal(json_array_size(json_object_get(rec, "subjects")), 200);
    json_decref(rec);
    json_decref(o);
    json_decref(job);
    /* the same record with a broken directory among good ones: listed, others in */
    char *mixed = malloc(2 * len + 1);
    memcpy(mixed, huge, len);
    memcpy(mixed + len, huge, len);
    memcpy(mixed + len + 24, "24X", 3); /* the second record's first tag */
    mixed[len + 30] = 'Z';              /* and its first field's length */
    job = h_marc_import(h_admin(), "format=marc21", "application/marc", mixed, 2 * len);
    assert_string_equal(str(job, "status"), "done");
    assert_int_equal(num(job, "read"), 2);
    assert_int_equal(num(job, "failed"), 1);
    assert_int_equal(num(json_array_get(json_object_get(job, "errors"), 0), "position"), 2);
    assert_int_equal(num(json_array_get(json_object_get(job, "errors"), 0), "offset"), (long)len);
    json_decref(job);
    free(mixed);
    free(huge);
    free(tag);
    /* over the route's 32 MB (a 2 GB upload): test_gateway_abuse.c, 413 before the body */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(mixed_file_is_mapped_record_by_record),
        cmocka_unit_test(title_after_linkage_subfield_is_read),
        cmocka_unit_test(reimport_creates_nothing_and_names_the_rule),
        cmocka_unit_test(rusmarc_cp1251_export_reads_back_field_by_field),
        cmocka_unit_test(bad_input_gets_a_clear_answer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
