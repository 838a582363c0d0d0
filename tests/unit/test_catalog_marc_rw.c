/* MARC reading, mapping and writing (marc_reader.c, marc_map.c, marc_writer.c)
 * against the real files in tests/data/marc: each good record is read with
 * its title, authors, ISBN, year and classification, each bad one is refused
 * with its position and offset, and a record written out reads back the same. */
#include "../../services/catalog/marc/marc_map.h"
#include "../../services/catalog/marc/marc_reader.h"
#include "../../services/catalog/marc/marc_writer.h"
#include "../common/huge_marcxml.h"
#include <ibc/ibc.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* ---------------------------------------------------------------- helpers */

static const char *marc_dir(void)
{
    static char dir[1024];
    const char *given = getenv("IBC_MARC_DIR");
    if (given) {
        snprintf(dir, sizeof dir, "%s", given);
    } else {
        /* run by hand: tests/unit/ -> tests/data/marc of the same checkout */
        snprintf(dir, sizeof dir, "%s", __FILE__);
        char *cut = strstr(dir, "/tests/unit/");
        if (cut) strcpy(cut, "/tests/data/marc");
    }
    return dir;
}

typedef struct {
    char *data;
    size_t len;
} file;

static file load(const char *name)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/%s", marc_dir(), name);
    FILE *f = fopen(path, "rb");
    if (!f) fail_msg("cannot open fixture %s", path);
    fseek(f, 0, SEEK_END);
    file out = {malloc(ftell(f) + 1), (size_t)ftell(f)};
    rewind(f);
    assert_int_equal(fread(out.data, 1, out.len, f), out.len);
    fclose(f);
    return out;
}

/* Every record of a file, mapped: flat (or NULL), holdings, warnings, reason. */
typedef struct {
    long position, offset;
    json_t *flat, *holdings, *warnings;
    char reason[300];
} mapped;

static size_t read_all(const char *data, size_t len, marc_syntax syntax, marc_charset charset,
                       marc_format format, mapped *out, size_t max)
{
    marc_reader *r = marc_reader_open(data, len, syntax, charset);
    assert_non_null(r);
    marc_rec rec = {0};
    size_t n = 0;
    while (marc_reader_next(r, &rec)) {
        assert_true(n < max);
        mapped *m = &out[n++];
        memset(m, 0, sizeof *m);
        m->position = rec.position;
        m->offset = rec.offset;
        m->warnings = json_array();
        if (rec.reason[0]) {
            snprintf(m->reason, sizeof m->reason, "%s", rec.reason);
            continue;
        }
        assert_non_null(rec.marcxml);
        marc_map(rec.marc, format, &m->flat, &m->holdings, m->warnings, m->reason,
                 sizeof m->reason);
    }
    marc_rec_clear(&rec);
    marc_reader_close(r);
    return n;
}

static void free_all(mapped *m, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        json_decref(m[i].flat);
        json_decref(m[i].holdings);
        json_decref(m[i].warnings);
    }
}

static const char *s(const json_t *flat, const char *key)
{
    return json_string_value(json_object_get(flat, key));
}

static long year(const json_t *flat)
{
    return (long)json_integer_value(json_object_get(flat, "year"));
}

static void assert_authors(const json_t *flat, ...)
{
    va_list ap;
    va_start(ap, flat);
    const json_t *authors = json_object_get(flat, "authors");
    size_t i = 0;
    for (const char *a; (a = va_arg(ap, const char *)); i++)
        assert_string_equal(json_string_value(json_array_get(authors, i)), a);
    va_end(ap);
    assert_int_equal(json_array_size(authors), i);
}

static bool has_subject(const json_t *flat, const char *subject)
{
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(flat, "subjects"), i,
                       v) if (strcmp(json_string_value(v), subject) == 0) return true;
    return false;
}

#define MAX_RECORDS 200
static mapped recs[MAX_RECORDS];

/* ------------------------------------------------------------------ tests */

static void rusmarc_cp1251_file_reads_every_record_with_its_fields(void **state)
{
    (void)state;
    file f = load("rusmarc-nlr-cp1251.iso");
    size_t n = read_all(f.data, f.len, MARC_ISO2709, MARC_CP1251, MARC_RUSMARC, recs, MAX_RECORDS);
    assert_int_equal(n, 81);
    for (size_t i = 0; i < n; i++) {
        if (!recs[i].flat) fail_msg("record %zu failed: %s", i + 1, recs[i].reason);
        assert_int_equal(recs[i].position, (long)i + 1);
    }
    /* 1: a volume of a set (461) with an ISBN-10 */
    assert_string_equal(s(recs[0].flat, "title"), "Задачи и этюды. Вып. 13");
    assert_string_equal(s(recs[0].flat, "isbn"), "9785744300432");
    assert_int_equal(year(recs[0].flat), 1997);
    assert_int_equal(json_integer_value(json_object_get(recs[0].flat, "pages")), 80);
    assert_string_equal(s(recs[0].flat, "language"), "rus");
    assert_authors(recs[0].flat, NULL);
    assert_int_equal(recs[0].offset, 0);
    assert_int_equal(recs[1].offset, 562);
    /* 6: 702 with its expanded forename, BBK from 686 $2 rubbk */
    const json_t *r6 = recs[5].flat;
    assert_string_equal(s(r6, "title"), "Светильник Сибири");
    assert_string_equal(s(r6, "subtitle"),
                        "Жизнеописание святителя Павла Тобольского и чудеса от святых мощей");
    assert_authors(r6, "Титов, Федор Иванович", NULL);
    assert_int_equal(year(r6), 1999);
    assert_string_equal(s(r6, "bbk"), "Э372.24-34-028");
    assert_string_equal(s(r6, "publisher"), "Изд-во им. Свт. Игнатия Ставропольского");
    assert_null(s(r6, "isbn"));
    /* 16: the check digit typed as a Cyrillic "х" */
    assert_string_equal(s(recs[15].flat, "isbn"), "9785900776316");
    assert_int_equal(json_array_size(recs[15].warnings), 0);
    /* 38: UDK 675, BBK the first 686 of rubbk (not rugasnti), subjects 610, holdings 899 */
    const json_t *r38 = recs[37].flat;
    assert_string_equal(s(r38, "title"), "Мускулы мира");
    assert_authors(r38, "Черчилль, Уинстон", NULL);
    assert_string_equal(s(r38, "isbn"), "9785040102723");
    assert_int_equal(year(r38), 2002);
    assert_string_equal(s(r38, "udk"), "94(420)(092)");
    assert_string_equal(s(r38, "bbk"), "63.3(4Вел)6");
    assert_string_equal(s(r38, "series"), "Антология мудрости");
    assert_true(has_subject(r38, "Великобритания - Политическая история"));
    assert_int_equal(json_array_size(recs[37].holdings), 4);
    assert_string_equal(s(json_array_get(recs[37].holdings, 0), "barcode"), "379344");
    assert_string_equal(s(json_array_get(recs[37].holdings, 0), "inventory_number"), "2002-2/5048");
    /* 33 and 34 share an ISBN (the import merges the second) */
    assert_string_equal(s(recs[32].flat, "isbn"), "9789659042913");
    assert_string_equal(s(recs[33].flat, "isbn"), "9789659042913");
    /* 36: a wrong check digit: kept without ISBN, with a warning */
    assert_null(s(recs[35].flat, "isbn"));
    assert_int_equal(json_array_size(recs[35].warnings), 1);
    assert_non_null(
        strstr(json_string_value(json_array_get(recs[35].warnings, 0)), "5-595-03091-1"));
    free_all(recs, n);
    free(f.data);
}

static void rusmarc_utf8_textbook_keeps_annotation_and_keywords(void **state)
{
    (void)state;
    file f = load("rusmarc-utf8.iso");
    size_t n = read_all(f.data, f.len, MARC_ISO2709, MARC_UTF8, MARC_RUSMARC, recs, MAX_RECORDS);
    assert_int_equal(n, 1);
    const json_t *r = recs[0].flat;
    assert_non_null(r);
    assert_string_equal(s(r, "type"), "textbook"); /* 105$a/4-7 "j" */
    assert_string_equal(s(r, "title"), "ПЕДАГОГИКА И ПСИХОЛОГИЯ НЕНАСИЛИЯ В ОБРАЗОВАНИИ");
    assert_string_equal(s(r, "subtitle"), "Учебное пособие для бакалавров");
    assert_authors(r, "Маралов, Владимир Георгиевич", NULL);
    assert_string_equal(s(r, "isbn"), "9785991616621");
    assert_int_equal(year(r), 2012);
    assert_string_equal(s(r, "edition"), "2-е изд");
    assert_string_equal(s(r, "series"), "Бакалавр и магистр. Модуль");
    assert_string_equal(s(r, "publisher"), "Издательство Юрайт");
    assert_int_equal(json_integer_value(json_object_get(r, "pages")), 424);
    assert_true(strncmp(s(r, "annotation"), "В пособии даны теоретические основы", 20) == 0);
    assert_int_equal(json_array_size(json_object_get(r, "subjects")), 6);
    assert_true(has_subject(r, "Педагогика"));
    free_all(recs, n);
    free(f.data);
}

static void marc21_cp1251_file_reads_bbk_and_udc(void **state)
{
    (void)state;
    file f = load("marc21-cp1251-bbk-udc.mrc");
    size_t n = read_all(f.data, f.len, MARC_ISO2709, MARC_CP1251, MARC_MARC21, recs, MAX_RECORDS);
    assert_int_equal(n, 6);
    for (size_t i = 0; i < n; i++)
        assert_non_null(recs[i].flat);
    const json_t *r = recs[0].flat;
    assert_string_equal(s(r, "title"), "Основы гидравлического расчета инженерных сетей");
    assert_authors(r, "Ильина, Татьяна Николаевна", NULL);
    assert_string_equal(s(r, "isbn"), "9785930933420");
    assert_int_equal(year(r), 2005);
    assert_string_equal(s(r, "udk"), "624.01:532.5(075.8)");
    assert_string_equal(s(r, "bbk"), "38.1я73"); /* 084 $2 rubbkm */
    assert_string_equal(s(r, "place"), "М.");
    assert_true(has_subject(r, "Трубопроводы"));
    r = recs[4].flat;
    assert_string_equal(s(r, "title"), "Мио, мой Мио!");
    assert_authors(r, "Линдгрен, Астрид", "Еклерис, Виталий", NULL);
    assert_string_equal(s(r, "isbn"), "9785352012864");
    assert_string_equal(s(r, "udk"), "821.113.6-93");
    assert_string_equal(s(r, "bbk"), "84(4Шве)-44");
    assert_string_equal(s(r, "series"), "Мои любимые книжки");
    /* 852 $i is an inventory number without barcode: no item */
    assert_int_equal(json_array_size(recs[4].holdings), 0);
    free_all(recs, n);
    free(f.data);
}

static void marc21_utf8_file_strips_isbd_punctuation(void **state)
{
    (void)state;
    file f = load("marc21-utf8-cyrillic.mrc");
    size_t n = read_all(f.data, f.len, MARC_ISO2709, MARC_UTF8, MARC_MARC21, recs, MAX_RECORDS);
    assert_int_equal(n, 52);
    for (size_t i = 0; i < n; i++)
        if (!recs[i].flat) fail_msg("record %zu failed: %s", i + 1, recs[i].reason);
    const json_t *r = recs[0].flat;
    assert_string_equal(s(r, "title"), "Люди с чистой совестью");
    assert_string_equal(s(r, "subtitle"), "[Воспоминания]");
    assert_authors(r, "Вершигора, Петр Петрович", "Пчелко, И.И.", NULL);
    assert_string_equal(s(r, "place"), "Москва");     /* "Москва :." */
    assert_string_equal(s(r, "publisher"), "Правда"); /* a second 260 */
    assert_int_equal(year(r), 1989);
    assert_int_equal(json_integer_value(json_object_get(r, "pages")), 750);
    r = recs[1].flat;
    assert_string_equal(s(r, "title"), "Стихотворения и поэмы");
    assert_authors(r, "Блок, Александр Александрович", "Шавшукова, Н.Л.", NULL);
    assert_string_equal(s(r, "isbn"), "9785340001603");
    assert_string_equal(s(r, "language"), "rus");
    free_all(recs, n);
    free(f.data);
}

static void marcxml_batch_maps_type_from_the_leader(void **state)
{
    (void)state;
    file f = load("marcxml-batch.xml");
    long count = 0;
    char err[300];
    assert_true(marc_sniff(f.data, f.len, MARC_XML, &count, err, sizeof err));
    assert_int_equal(count, 2);
    size_t n = read_all(f.data, f.len, MARC_XML, MARC_UTF8, MARC_MARC21, recs, MAX_RECORDS);
    assert_int_equal(n, 2);
    assert_string_equal(s(recs[0].flat, "type"), "multimedia");
    assert_string_equal(s(recs[0].flat, "title"), "The Great Ray Charles");
    assert_authors(recs[0].flat, "Charles, Ray", NULL);
    assert_int_equal(year(recs[0].flat), 1957);
    assert_string_equal(s(recs[1].flat, "type"), "e-resource");
    assert_string_equal(s(recs[1].flat, "url"), "http://www.whitehouse.gov");
    assert_int_equal(year(recs[1].flat), 1994);
    free_all(recs, n);
    free(f.data);
}

static void bad_records_are_refused_with_position_and_offset(void **state)
{
    (void)state;
    file f = load("bad-records.mrc");
    size_t n = read_all(f.data, f.len, MARC_ISO2709, MARC_UTF8, MARC_MARC21, recs, MAX_RECORDS);
    assert_int_equal(n, 8);
    static const long offsets[] = {0, 127, 254, 381, 509, 637, 764, 790};
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(recs[i].position, (long)i + 1);
        assert_int_equal(recs[i].offset, offsets[i]);
        bool good = i == 0 || i == 7;
        if (good) {
            assert_non_null(recs[i].flat);
            assert_string_equal(s(recs[i].flat, "title"), "The pragmatic programmer");
        } else {
            assert_null(recs[i].flat);
            assert_true(strlen(recs[i].reason) > 10);
        }
    }
    assert_non_null(strstr(recs[1].reason, "Base address"));
    assert_non_null(strstr(recs[6].reason, "no fields"));
    free_all(recs, n);
    free(f.data);
}

static void wrong_charset_fails_each_record_naming_the_right_one(void **state)
{
    (void)state;
    file f = load("rusmarc-nlr-cp1251.iso");
    size_t n = read_all(f.data, f.len, MARC_ISO2709, MARC_UTF8, MARC_RUSMARC, recs, MAX_RECORDS);
    assert_int_equal(n, 81);
    assert_null(recs[0].flat);
    assert_non_null(strstr(recs[0].reason, "charset=cp1251"));
    free_all(recs, n);
    free(f.data);
    f = load("marc21-utf8-cyrillic.mrc");
    n = read_all(f.data, f.len, MARC_ISO2709, MARC_CP1251, MARC_MARC21, recs, MAX_RECORDS);
    assert_int_equal(n, 52);
    assert_null(recs[0].flat);
    assert_non_null(strstr(recs[0].reason, "charset=utf-8"));
    free_all(recs, n);
    n = read_all(f.data, f.len, MARC_ISO2709, MARC_MARC8, MARC_MARC21, recs, MAX_RECORDS);
    assert_null(recs[0].flat);
    assert_non_null(strstr(recs[0].reason, "not MARC-8"));
    free_all(recs, n);
    free(f.data);
}

static void truncated_file_reports_the_last_record(void **state)
{
    (void)state;
    file f = load("rusmarc-nlr-cp1251.iso");
    size_t n = read_all(f.data, 20000, MARC_ISO2709, MARC_CP1251, MARC_RUSMARC, recs, MAX_RECORDS);
    assert_int_equal(n, 26);
    assert_non_null(recs[24].flat);
    assert_null(recs[25].flat);
    assert_non_null(strstr(recs[25].reason, "truncated"));
    free_all(recs, n);
    free(f.data);
}

static void sniff_refuses_empty_garbage_and_broken_xml(void **state)
{
    (void)state;
    long count;
    char err[300];
    assert_false(marc_sniff("", 0, MARC_ISO2709, &count, err, sizeof err));
    assert_non_null(strstr(err, "empty"));
    assert_false(marc_sniff("\n\n ", 3, MARC_XML, &count, err, sizeof err));
    const char garbage[] = "This is certainly not a MARC file, but a letter of 80 bytes...";
    assert_false(marc_sniff(garbage, sizeof garbage - 1, MARC_ISO2709, &count, err, sizeof err));
    assert_non_null(strstr(err, "not ISO 2709"));
    file f = load("marcxml-batch.xml");
    assert_false(marc_sniff(f.data, f.len, MARC_ISO2709, &count, err, sizeof err));
    assert_non_null(strstr(err, "XML"));
    assert_false(marc_sniff(f.data, 3000, MARC_XML, &count, err, sizeof err));
    assert_non_null(strstr(err, "not well-formed"));
    free(f.data);
    f = load("rusmarc-nlr-cp1251.iso");
    assert_false(marc_sniff(f.data, 300, MARC_ISO2709, &count, err, sizeof err));
    assert_non_null(strstr(err, "truncated"));
    assert_true(marc_sniff(f.data, f.len, MARC_ISO2709, &count, err, sizeof err));
    free(f.data);
}

static void reader_resumes_at_a_saved_position(void **state)
{
    (void)state;
    file f = load("rusmarc-nlr-cp1251.iso");
    marc_reader *r = marc_reader_open(f.data, f.len, MARC_ISO2709, MARC_CP1251);
    marc_rec rec = {0};
    for (int i = 0; i < 40; i++)
        assert_true(marc_reader_next(r, &rec));
    long offset = marc_reader_offset(r);
    assert_true(marc_reader_next(r, &rec));
    char *xml41 = strdup(rec.marcxml);
    marc_reader_close(r);
    r = marc_reader_open(f.data, f.len, MARC_ISO2709, MARC_CP1251);
    marc_reader_seek(r, 40, offset);
    assert_true(marc_reader_next(r, &rec));
    assert_int_equal(rec.position, 41);
    assert_string_equal(rec.marcxml, xml41);
    long left = 1;
    while (marc_reader_next(r, &rec))
        left++;
    assert_int_equal(left, 41);
    marc_reader_close(r);
    marc_rec_clear(&rec);
    free(xml41);
    free(f.data);
    /* MARCXML resumes by count */
    f = load("marcxml-batch.xml");
    r = marc_reader_open(f.data, f.len, MARC_XML, MARC_UTF8);
    marc_reader_seek(r, 1, 0);
    assert_true(marc_reader_next(r, &rec));
    assert_int_equal(rec.position, 2);
    assert_non_null(strstr(rec.marcxml, "White House"));
    assert_false(marc_reader_next(r, &rec));
    marc_reader_close(r);
    marc_rec_clear(&rec);
    free(f.data);
}

/* Reads data[0..end) from (before, start): positions, offsets and reasons. */
static size_t read_range(const char *data, long end, long before, long start, long *positions,
                         long *offsets, bool *ok, size_t max)
{
    marc_reader *r = marc_reader_open(data, (size_t)end, MARC_ISO2709, MARC_UTF8);
    marc_reader_seek(r, before, start);
    marc_rec rec = {0};
    size_t n = 0;
    while (marc_reader_next(r, &rec) && n < max) {
        positions[n] = rec.position;
        offsets[n] = rec.offset;
        ok[n++] = rec.reason[0] == 0;
    }
    marc_rec_clear(&rec);
    marc_reader_close(r);
    return n;
}

static void segments_read_the_same_records_as_the_whole_file(void **state)
{
    (void)state;
    /* good and broken records alternating, so cuts fall near damaged ones too */
    file good = load("marc21-utf8-cyrillic.mrc"), bad = load("bad-records.mrc");
    size_t len = 3 * (good.len + bad.len);
    char *data = malloc(len);
    for (size_t i = 0, o = 0; i < 3; i++) {
        memcpy(data + o, good.data, good.len);
        o += good.len;
        memcpy(data + o, bad.data, bad.len);
        o += bad.len;
    }
    enum { MAX = 400 };
    static long pos[MAX], off[MAX], spos[MAX], soff[MAX];
    static bool ok[MAX], sok[MAX];
    size_t n = read_range(data, (long)len, 0, 0, pos, off, ok, MAX);
    assert_int_equal(n, 3 * (52 + 8));
    for (int nseg = 1; nseg <= 7; nseg++) {
        long starts[8], before[8], records;
        int got = marc_iso2709_plan(data, len, nseg, starts, before, &records);
        assert_true(got >= 1 && got <= nseg);
        assert_int_equal(records, (long)n);
        size_t k = 0;
        for (int s = 0; s < got; s++) {
            long end = s + 1 < got ? starts[s + 1] : (long)len;
            size_t m =
                read_range(data, end, before[s], starts[s], spos + k, soff + k, sok + k, MAX - k);
            if (s + 1 < got) assert_int_equal(before[s] + (long)m, before[s + 1]);
            k += m;
        }
        assert_int_equal(k, n);
        for (size_t i = 0; i < n; i++) {
            assert_int_equal(spos[i], pos[i]);
            assert_int_equal(soff[i], off[i]);
            assert_int_equal(sok[i], ok[i]);
        }
    }
    free(data);
    free(good.data);
    free(bad.data);
}

static void isbd_punctuation_is_stripped_but_initials_stay(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"Люди с чистой совестью :", "Люди с чистой совестью"},
        {"Москва :.", "Москва"},
        {"Правда,", "Правда"},
        {"1989.", "1989"},
        {"Стихотворения и поэмы /", "Стихотворения и поэмы"},
        {"Пчелко, И.И.", "Пчелко, И.И."},
        {"Барсуков, В. Н.", "Барсуков, В. Н."},
        {"М.", "М."},
        {"Служба занятости...", "Служба занятости..."},
        {"  [Сб. ст.] ;  ", "[Сб. ст.]"},
        {"\xc2\x98The \xc2\x9cGreat", "The Great"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[200];
        snprintf(buf, sizeof buf, "%s", cases[i][0]);
        assert_string_equal(marc_clean(buf), cases[i][1]);
    }
}

/* A record in MARC-in-JSON with one title of n characters and a year. */
static json_t *record_with(size_t title_len, const char *year, const char *isbn)
{
    char *title = malloc(title_len + 1);
    memset(title, 'a', title_len);
    title[title_len] = 0;
    json_t *r =
        json_pack("{s:s, s:[{s:{s:s, s:s, s:[{s:s}]}}, {s:{s:s, s:s, s:[{s:s}]}}, {s:{s:s, s:s, "
                  "s:[{s:s}]}}]}",
                  "leader", "00000nam a2200000 i 4500", "fields", "245", "ind1", "0", "ind2", "0",
                  "subfields", "a", title, "260", "ind1", " ", "ind2", " ", "subfields", "c", year,
                  "020", "ind1", " ", "ind2", " ", "subfields", "a", isbn);
    free(title);
    return r;
}

static void oversized_title_fails_and_implausible_values_warn(void **state)
{
    (void)state;
    json_t *flat, *holdings, *warnings = json_array();
    char reason[300];
    json_t *big = record_with(100 * 1024, "2001", "5-7443-0043-0");
    assert_false(marc_map(big, MARC_MARC21, &flat, &holdings, warnings, reason, sizeof reason));
    assert_non_null(strstr(reason, "title (245$a) has 102400 characters"));
    assert_null(flat);
    json_t *odd = record_with(10, "3000", "978-5-00000-000-1");
    assert_true(marc_map(odd, MARC_MARC21, &flat, &holdings, warnings, reason, sizeof reason));
    assert_null(json_object_get(flat, "year"));
    assert_null(json_object_get(flat, "isbn"));
    assert_int_equal(json_array_size(warnings), 2);
    assert_non_null(strstr(json_string_value(json_array_get(warnings, 0)), "ISBN"));
    assert_non_null(strstr(json_string_value(json_array_get(warnings, 1)), "year 3000"));
    json_decref(flat);
    json_decref(holdings);
    json_decref(big);
    json_decref(odd);
    json_decref(warnings);
}

/* Writes marc (MARC-in-JSON) as ISO 2709 and reads it back mapped. */
static json_t *round_trip_json(const json_t *marc, marc_format format)
{
    marc_writer *w = marc_writer_open(MARC_OUT_ISO2709, false);
    const char *data;
    size_t len;
    char err[200];
    assert_true(marc_writer_json(w, marc, &data, &len, err, sizeof err));
    mapped m[2];
    size_t n = read_all(data, len, MARC_ISO2709, MARC_UTF8, format, m, 2);
    marc_writer_close(w);
    assert_int_equal(n, 1);
    assert_non_null(m[0].flat);
    json_decref(m[0].holdings);
    json_decref(m[0].warnings);
    return m[0].flat;
}

static void record_from_fields_round_trips_through_iso2709(void **state)
{
    (void)state;
    json_t *rec = json_pack(
        "{s:s, s:s, s:s, s:s, s:[s, s], s:s, s:s, s:i, s:s, s:s, s:s, s:s, s:[s], s:i, s:s, s:s}",
        "id", "0b5e1c1e-5d2a-4c1b-9a51-2a0f6f1e9c11", "type", "book", "title", "Алгебра. 7 класс",
        "subtitle", "учебник", "authors", "Макарычев, Юрий Николаевич", "Миндюк, Нора Григорьевна",
        "publisher", "Просвещение", "place", "Москва", "year", 2023, "isbn", "9785090875875",
        "language", "rus", "bbk", "22.14я721", "udk", "512(075.3)", "subjects", "Алгебра", "pages",
        256, "series", "МГУ — школе", "created_at", "2026-01-02T03:04:05Z");
    json_t *marc = marc_from_record(rec);
    json_t *back = round_trip_json(marc, MARC_MARC21);
    static const char *const keys[] = {"title",    "subtitle", "publisher", "place", "isbn",
                                       "language", "bbk",      "udk",       "series"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        assert_string_equal(s(back, keys[i]), s(rec, keys[i]));
    assert_authors(back, "Макарычев, Юрий Николаевич", "Миндюк, Нора Григорьевна", NULL);
    assert_int_equal(year(back), 2023);
    assert_int_equal(json_integer_value(json_object_get(back, "pages")), 256);
    assert_true(has_subject(back, "Алгебра"));
    json_decref(back);
    json_decref(marc);
    json_decref(rec);
}

static void kept_marcxml_writes_the_same_record_in_every_syntax(void **state)
{
    (void)state;
    file f = load("rusmarc-nlr-cp1251.iso");
    marc_reader *r = marc_reader_open(f.data, f.len, MARC_ISO2709, MARC_CP1251);
    marc_rec rec = {0};
    for (int i = 0; i < 38; i++)
        assert_true(marc_reader_next(r, &rec));
    json_t *want, *h, *w = json_array();
    char reason[300], err[200];
    assert_true(marc_map(rec.marc, MARC_RUSMARC, &want, &h, w, reason, sizeof reason));
    json_decref(h);

    const char *data;
    size_t len;
    marc_writer *wr = marc_writer_open(MARC_OUT_ISO2709, false);
    assert_true(marc_writer_xml(wr, rec.marcxml, &data, &len, err, sizeof err));
    mapped m[2];
    assert_int_equal(read_all(data, len, MARC_ISO2709, MARC_UTF8, MARC_RUSMARC, m, 2), 1);
    assert_true(json_equal(m[0].flat, want));
    free_all(m, 1);
    marc_writer_close(wr);

    wr = marc_writer_open(MARC_OUT_JSON, false);
    assert_true(marc_writer_xml(wr, rec.marcxml, &data, &len, err, sizeof err));
    json_t *j = json_loadb(data, len, 0, NULL);
    assert_non_null(j);
    assert_true(json_equal(j, rec.marc) ||
                json_array_size(json_object_get(j, "fields")) ==
                    json_array_size(json_object_get(rec.marc, "fields")));
    json_decref(j);
    /* the second record of a JSON export is separated by a comma */
    assert_true(marc_writer_xml(wr, rec.marcxml, &data, &len, err, sizeof err));
    assert_true(data[0] == ',');
    marc_writer_close(wr);

    wr = marc_writer_open(MARC_OUT_MARCXML, false);
    assert_true(marc_writer_xml(wr, rec.marcxml, &data, &len, err, sizeof err));
    assert_non_null(strstr(data, "Мускулы мира"));
    marc_writer_close(wr);

    json_decref(want);
    json_decref(w);
    marc_rec_clear(&rec);
    marc_reader_close(r);
    free(f.data);
}

static void marcxml_with_entities_fails_fast(void **state)
{
    (void)state;
    char err[300];
    long count;
    file f = load("billion-laughs.xml"); /* ten entities of ten references each */
    double t0 = ibc_monotonic_s();
    assert_false(marc_sniff(f.data, f.len, MARC_XML, &count, err, sizeof err));
    assert_non_null(strstr(err, "entit"));
    marc_reader *r = marc_reader_open(f.data, f.len, MARC_XML, MARC_UTF8);
    assert_non_null(r);
    marc_rec rec = {0};
    assert_true(marc_reader_next(r, &rec));
    assert_null(rec.marc);
    assert_non_null(strstr(rec.reason, "entit"));
    marc_rec_clear(&rec);
    marc_reader_close(r);
    assert_true(ibc_monotonic_s() - t0 < 1.0);
    free(f.data);
}

static void marcxml_with_a_100_mb_text_node_fails_fast(void **state)
{
    (void)state;
    size_t len;
    char *doc = huge_text_record(100u << 20, &len);
    assert_non_null(doc);
    char err[300];
    long count;
    double t0 = ibc_monotonic_s();
    assert_false(marc_sniff(doc, len, MARC_XML, &count, err, sizeof err));
    assert_non_null(strstr(err, "not well-formed"));
    marc_reader *r = marc_reader_open(doc, len, MARC_XML, MARC_UTF8);
    marc_rec rec = {0};
    assert_true(marc_reader_next(r, &rec));
    assert_null(rec.marc);
    assert_non_null(strstr(rec.reason, "not well-formed"));
    marc_rec_clear(&rec);
    marc_reader_close(r);
    assert_true(ibc_monotonic_s() - t0 < 5.0);
    free(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rusmarc_cp1251_file_reads_every_record_with_its_fields),
        cmocka_unit_test(rusmarc_utf8_textbook_keeps_annotation_and_keywords),
        cmocka_unit_test(marc21_cp1251_file_reads_bbk_and_udc),
        cmocka_unit_test(marc21_utf8_file_strips_isbd_punctuation),
        cmocka_unit_test(marcxml_batch_maps_type_from_the_leader),
        cmocka_unit_test(bad_records_are_refused_with_position_and_offset),
        cmocka_unit_test(wrong_charset_fails_each_record_naming_the_right_one),
        cmocka_unit_test(truncated_file_reports_the_last_record),
        cmocka_unit_test(sniff_refuses_empty_garbage_and_broken_xml),
        cmocka_unit_test(reader_resumes_at_a_saved_position),
        cmocka_unit_test(segments_read_the_same_records_as_the_whole_file),
        cmocka_unit_test(isbd_punctuation_is_stripped_but_initials_stay),
        cmocka_unit_test(oversized_title_fails_and_implausible_values_warn),
        cmocka_unit_test(record_from_fields_round_trips_through_iso2709),
        cmocka_unit_test(kept_marcxml_writes_the_same_record_in_every_syntax),
        cmocka_unit_test(marcxml_with_entities_fails_fast),
        cmocka_unit_test(marcxml_with_a_100_mb_text_node_fails_fast),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
