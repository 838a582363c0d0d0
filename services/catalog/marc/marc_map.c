/* RUSMARC and MARC21 onto catalog.records and back (see marc_map.h). The
 * record arrives as yaz's MARC-in-JSON: {"leader": "...", "fields": [{"001":
 * "..."}, {"245": {"ind1": "1", "ind2": "0", "subfields": [{"a": "..."}]}}]}. */
#include "marc_map.h"
#include "../isbn.h"

#include <ctype.h>
#include <ibc/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* ------------------------------------------------------------- access */

/* The value of the next field with `tag` from *i on (a string for a control
 * field, an object for a data field), or NULL; *i moves past it. Borrowed. */
static const json_t *next_field(const json_t *marc, const char *tag, size_t *i)
{
    const json_t *fields = json_object_get(marc, "fields");
    for (; *i < json_array_size(fields); (*i)++) {
        const json_t *v = json_object_get(json_array_get(fields, *i), tag);
        if (v) {
            (*i)++;
            return v;
        }
    }
    return NULL;
}

static const json_t *first_field(const json_t *marc, const char *tag)
{
    size_t i = 0;
    return next_field(marc, tag, &i);
}

/* The first subfield `code` of a data field, or NULL. Borrowed. */
static const char *subfield(const json_t *df, char code)
{
    const json_t *subs = json_object_get(df, "subfields");
    char key[2] = {code, 0};
    for (size_t i = 0; i < json_array_size(subs); i++) {
        const char *v = json_string_value(json_object_get(json_array_get(subs, i), key));
        if (v) return v;
    }
    return NULL;
}

/* The first subfield `code` among all fields `tag`, or NULL. */
static const char *first_subfield(const json_t *marc, const char *tag, char code)
{
    size_t i = 0;
    const json_t *df;
    while ((df = next_field(marc, tag, &i)))
        if (json_is_object(df) && subfield(df, code)) return subfield(df, code);
    return NULL;
}

/* ------------------------------------------------------------- cleaning */

/* True when s[0..end) ends with one letter standing alone (an initial). */
static bool ends_with_initial(const char *s, size_t end)
{
    size_t start;
    if (end >= 1 && isalpha((unsigned char)s[end - 1]))
        start = end - 1;
    else if (end >= 2 && ((unsigned char)s[end - 2] & 0xE0) == 0xC0 &&
             ((unsigned char)s[end - 1] & 0xC0) == 0x80)
        start = end - 2;
    else
        return false;
    return start == 0 || strchr(" .-", s[start - 1]);
}

char *marc_clean(char *s)
{
    /* drop the non-sorting marks (U+0098, U+009C) and turn control characters into blanks */
    size_t o = 0;
    for (size_t i = 0; s[i]; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == 0xC2 && ((unsigned char)s[i + 1] == 0x98 || (unsigned char)s[i + 1] == 0x9C)) {
            i++;
            continue;
        }
        s[o++] = c < 0x20 ? ' ' : (char)c;
    }
    s[o] = 0;
    size_t lead = strspn(s, " ");
    if (lead) memmove(s, s + lead, strlen(s + lead) + 1);
    for (;;) {
        size_t n = strlen(s);
        while (n && s[n - 1] == ' ')
            s[--n] = 0;
        if (!n) break;
        char c = s[n - 1];
        if (strchr(":;/=,", c)) {
            s[n - 1] = 0;
            continue;
        }
        if (c == '.') {
            if (n >= 3 && s[n - 2] == '.' && s[n - 3] == '.') break; /* an ellipsis stays */
            if (ends_with_initial(s, n - 1)) break;
            s[n - 1] = 0;
            continue;
        }
        break;
    }
    return s;
}

/* A cleaned copy of s (caller frees), or NULL when s is NULL or cleans to "". */
static char *cleaned(const char *s)
{
    if (!s) return NULL;
    char *c = strdup(s);
    if (!c) return NULL;
    if (!*marc_clean(c)) {
        free(c);
        return NULL;
    }
    return c;
}

/* --------------------------------------------------------------- mapping */

typedef struct {
    marc_format format;
    const json_t *marc;
    json_t *flat, *warnings;
    char *reason;
    size_t reasonlen;
    bool failed;
} mapper;

static void warn(mapper *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warn(mapper *m, const char *fmt, ...)
{
    char buf[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    json_array_append_new(m->warnings, json_string(buf));
}

static void refuse(mapper *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void refuse(mapper *m, const char *fmt, ...)
{
    if (m->failed) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m->reason, m->reasonlen, fmt, ap);
    va_end(ap);
    m->failed = true;
}

/* Sets column `col` to the string s (stolen) when it fits max characters;
 * otherwise refuses the record naming what and where. */
static void set_text(mapper *m, const char *col, char *s, long max, const char *what,
                     const char *where)
{
    if (!s) return;
    size_t n = ibc_utf8_length(s);
    if ((long)n > max)
        refuse(m, "the %s (%s) has %zu characters, at most %ld are allowed", what, where, n, max);
    else
        json_object_set_new(m->flat, col, json_string(s));
    free(s);
}

/* Appends s (stolen) to the array column unless present or too long. */
static void add_item(mapper *m, json_t *arr, char *s, long max_items, const char *what,
                     const char *where)
{
    if (!s) return;
    size_t n = ibc_utf8_length(s);
    bool dup = false;
    for (size_t i = 0; i < json_array_size(arr) && !dup; i++)
        dup = strcmp(json_string_value(json_array_get(arr, i)), s) == 0;
    if (dup) {
        free(s);
        return;
    }
    if (n > 500)
        refuse(m, "an entry of %s (%s) has %zu characters, at most 500 are allowed", what, where,
               n);
    else if ((long)json_array_size(arr) >= max_items)
        warn(m, "only the first %ld %s were kept (%s)", max_items, what, where);
    else
        json_array_append_new(arr, json_string(s));
    free(s);
}

/* The first run of exactly four digits in s, or 0. */
static int first_year(const char *s)
{
    for (const char *p = s; p && *p; p++) {
        if (!isdigit((unsigned char)*p) || (p > s && isdigit((unsigned char)p[-1]))) continue;
        size_t n = strspn(p, "0123456789");
        if (n == 4) return atoi(p);
        p += n - 1;
    }
    return 0;
}

/* The largest number in s (pages of "[1], 315 с."), or 0. */
static long largest_number(const char *s)
{
    long best = 0;
    for (const char *p = s; p && *p;) {
        if (isdigit((unsigned char)*p)) {
            char *end;
            long v = strtol(p, &end, 10);
            if (v > best) best = v;
            p = end;
        } else {
            p++;
        }
    }
    return best;
}

/* "abc" from s when its first three characters are ASCII letters, lower-cased. */
static bool lang_code(const char *s, char out[4])
{
    if (!s || strlen(s) < 3) return false;
    for (int i = 0; i < 3; i++) {
        if (!isalpha((unsigned char)s[i])) return false;
        out[i] = (char)tolower((unsigned char)s[i]);
    }
    out[3] = 0;
    return strcmp(out, "und") != 0 && strcmp(out, "zxx") != 0;
}

static const char *leader(const mapper *m)
{
    const char *l = json_string_value(json_object_get(m->marc, "leader"));
    return l && strlen(l) >= 24 ? l : "00000nam  2200000   4500";
}

static const char *control(const mapper *m, const char *tag, size_t min_len)
{
    const char *v = json_string_value(first_field(m->marc, tag));
    return v && strlen(v) >= min_len ? v : NULL;
}

static void map_type(mapper *m)
{
    const char *l = leader(m);
    char t = l[6], level = l[7];
    const char *type = "book";
    if (level == 's')
        type = "periodical";
    else if (m->format == MARC_RUSMARC && t == 'l')
        type = "e-resource";
    else if (m->format == MARC_MARC21 && t == 'm')
        type = "e-resource";
    else if (strchr(m->format == MARC_RUSMARC ? "gijmr" : "gijkor", t) && t)
        type = "multimedia";
    else if (m->format == MARC_RUSMARC) {
        /* RUSMARC 105$a/4-7: form of contents; "j" is a textbook */
        const char *c = first_subfield(m->marc, "105", 'a');
        if (c && strlen(c) >= 8 && memchr(c + 4, 'j', 4)) type = "textbook";
    }
    json_object_set_new(m->flat, "type", json_string(type));
}

/* Title, subtitle: RUSMARC 200 $a $e (+ $h $i parts, and the set's title from
 * 461 for a volume); MARC21 245 $a $b (+ $n $p). */
/* RUSMARC: the set's title (461$a after $1 200) a volume belongs to, as the
 * start of the title: "Задачи и этюды. Вып. 13". */
static void set_title(const mapper *m, FILE *tf)
{
    const json_t *ss = json_object_get(first_field(m->marc, "461"), "subfields");
    bool in200 = false;
    for (size_t i = 0; i < json_array_size(ss); i++) {
        const char *one = json_string_value(json_object_get(json_array_get(ss, i), "1"));
        if (one) in200 = strncmp(one, "200", 3) == 0;
        const char *a = json_string_value(json_object_get(json_array_get(ss, i), "a"));
        char *c = in200 ? cleaned(a) : NULL;
        if (c) {
            fprintf(tf, "%s%s ", c, c[strlen(c) - 1] == '.' ? "" : ".");
            free(c);
            return;
        }
    }
}

/* The title field's subfields into tf ($a; parts after ". ") and sf (the
 * subtitles, " : " between); true when it has a title. */
static bool title_parts(const mapper *m, const json_t *subs, FILE *tf, FILE *sf)
{
    bool rus = m->format == MARC_RUSMARC, have_title = false;
    for (size_t i = 0; i < json_array_size(subs); i++) {
        const char *k;
        json_t *v;
        json_object_foreach(json_array_get(subs, i), k, v)
        {
            char *c = cleaned(json_string_value(v));
            if (!c) continue;
            if (k[0] == 'a') {
                fprintf(tf, "%s%s", have_title ? "; " : "", c);
                have_title = true;
            } else if ((rus && (k[0] == 'h' || k[0] == 'i')) ||
                       (!rus && (k[0] == 'n' || k[0] == 'p'))) {
                if (have_title) fprintf(tf, ". %s", c);
            } else if ((rus && k[0] == 'e') || (!rus && k[0] == 'b')) {
                fprintf(sf, "%s%s", ftell(sf) > 0 ? " : " : "", c);
            }
            free(c);
        }
    }
    return have_title;
}

/* Title and subtitle: RUSMARC 200, MARC21 245. Refuses a record without. */
static void map_title(mapper *m)
{
    bool rus = m->format == MARC_RUSMARC;
    const char *tag = rus ? "200" : "245";
    const json_t *subs = json_object_get(first_field(m->marc, tag), "subfields");
    char *title = NULL, *sub = NULL;
    size_t tlen = 0, slen = 0;
    FILE *tf = open_memstream(&title, &tlen), *sf = open_memstream(&sub, &slen);
    bool have_title = false;
    if (tf && sf) {
        if (rus) set_title(m, tf);
        have_title = title_parts(m, subs, tf, sf);
    }
    if (tf) fclose(tf);
    if (sf) fclose(sf);
    if (!tf || !sf || !have_title) {
        if (!tf || !sf)
            refuse(m, "out of memory");
        else
            refuse(m, "the record has no title (%s$a)", tag);
        free(title);
        free(sub);
        return;
    }
    char where[8];
    snprintf(where, sizeof where, "%s$a", tag);
    set_text(m, "title", title, 2000, "title", where);
    snprintf(where, sizeof where, "%s$%c", tag, rus ? 'e' : 'b');
    if (!*sub) {
        free(sub);
        sub = NULL;
    }
    set_text(m, "subtitle", sub, 2000, "subtitle", where);
}

static void map_authors(mapper *m)
{
    json_t *authors = json_array();
    static const char *const rus_tags[] = {"700", "701", "702"};
    static const char *const m21_tags[] = {"100", "700"};
    bool rus = m->format == MARC_RUSMARC;
    const char *const *tags = rus ? rus_tags : m21_tags;
    size_t ntags = rus ? 3 : 2;
    for (size_t t = 0; t < ntags && !m->failed; t++) {
        size_t i = 0;
        const json_t *df;
        while ((df = next_field(m->marc, tags[t], &i)) && !m->failed) {
            char *a = cleaned(subfield(df, 'a'));
            if (!a) continue;
            char *rest = rus ? cleaned(subfield(df, 'g')) : NULL;
            if (rus && !rest) rest = cleaned(subfield(df, 'b'));
            char *name = a;
            if (rest) {
                if (asprintf(&name, "%s, %s", a, rest) < 0) name = NULL;
                free(a);
                free(rest);
            }
            char where[8];
            snprintf(where, sizeof where, "%s$a", tags[t]);
            add_item(m, authors, name, 100, "authors", where);
        }
    }
    json_object_set_new(m->flat, "authors", authors);
}

static void map_subjects(mapper *m)
{
    json_t *subjects = json_array();
    static const char *const rus_tags[] = {"606", "610"};
    static const char *const m21_tags[] = {"650", "653"};
    const char *const *tags = m->format == MARC_RUSMARC ? rus_tags : m21_tags;
    for (size_t t = 0; t < 2 && !m->failed; t++) {
        size_t i = 0;
        const json_t *df;
        while ((df = next_field(m->marc, tags[t], &i)) && !m->failed) {
            char where[8];
            snprintf(where, sizeof where, "%s$a", tags[t]);
            add_item(m, subjects, cleaned(subfield(df, 'a')), 200, "subjects", where);
        }
    }
    json_object_set_new(m->flat, "subjects", subjects);
}

static void map_isbn(mapper *m)
{
    const char *tag = m->format == MARC_RUSMARC ? "010" : "020";
    size_t i = 0;
    const json_t *df;
    char bad[64] = "";
    while ((df = next_field(m->marc, tag, &i))) {
        const char *a = subfield(df, 'a');
        if (!a) continue;
        /* "5-7443-0043-0", "0877790086 (pbk.)": the ISBN is the leading run */
        char token[40];
        size_t n = 0;
        while (*a == ' ')
            a++;
        while (*a && n < sizeof token - 1) {
            if (strchr("0123456789Xx- ", *a)) {
                token[n++] = *a++;
            } else if (strncmp(a, "\xd1\x85", 2) == 0 || strncmp(a, "\xd0\xa5", 2) == 0) {
                token[n++] = 'X'; /* a Cyrillic "х" typed for the check digit X */
                a += 2;
            } else {
                break;
            }
        }
        while (n && (token[n - 1] == ' ' || token[n - 1] == '-'))
            n--;
        token[n] = 0;
        char norm[14];
        if (n && isbn_normalize(token, norm)) {
            json_object_set_new(m->flat, "isbn", json_string(norm));
            return;
        }
        if (!bad[0]) snprintf(bad, sizeof bad, "%.40s", n ? token : subfield(df, 'a'));
    }
    if (bad[0])
        warn(m,
             "ISBN '%s' (%s$a) is not a valid ISBN-10 or ISBN-13 (check digit, length); the "
             "record was kept without an ISBN",
             bad, tag);
}

static void map_year(mapper *m)
{
    bool rus = m->format == MARC_RUSMARC;
    const char *where = rus ? "210$d" : "260$c";
    const char *d = rus ? first_subfield(m->marc, "210", 'd') : first_subfield(m->marc, "260", 'c');
    if (!d && rus) d = first_subfield(m->marc, "214", 'd'), where = "214$d";
    if (!d && !rus) d = first_subfield(m->marc, "264", 'c'), where = "264$c";
    int year = first_year(d);
    if (!year) {
        /* the coded date: RUSMARC 100$a/9-12, MARC21 008/07-10 */
        const char *c = rus ? first_subfield(m->marc, "100", 'a') : control(m, "008", 11);
        const char *y = c && strlen(c) >= 13 && rus ? c + 9 : (c && !rus ? c + 7 : NULL);
        if (y && strspn(y, "0123456789") >= 4) {
            year = (y[0] - '0') * 1000 + (y[1] - '0') * 100 + (y[2] - '0') * 10 + (y[3] - '0');
            where = rus ? "100$a/9-12" : "008/07-10";
        }
    }
    if (!year) return;
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    if (year < 1000 || year > tm.tm_year + 1900 + 1)
        warn(m, "year %d (%s) is not plausible; the record was kept without a year", year, where);
    else
        json_object_set_new(m->flat, "year", json_integer(year));
}

static void map_pages(mapper *m)
{
    const char *tag = m->format == MARC_RUSMARC ? "215" : "300";
    const char *a = first_subfield(m->marc, tag, 'a');
    long pages = largest_number(a);
    if (pages >= 1 && pages <= 100000) json_object_set_new(m->flat, "pages", json_integer(pages));
}

static void map_language(mapper *m)
{
    char code[4];
    const char *a = first_subfield(m->marc, m->format == MARC_RUSMARC ? "101" : "041", 'a');
    if (lang_code(a, code)) {
        json_object_set_new(m->flat, "language", json_string(code));
        return;
    }
    const char *f008 = m->format == MARC_MARC21 ? control(m, "008", 38) : NULL;
    if (f008 && lang_code(f008 + 35, code))
        json_object_set_new(m->flat, "language", json_string(code));
}

/* True when a classification field is BBK: $2 absent or naming BBK (rubbk, rubbkm, bbk...). */
static bool is_bbk(const json_t *df)
{
    const char *src = subfield(df, '2');
    if (!src) return true;
    for (const char *p = src; *p; p++)
        if (strncasecmp(p, "bbk", 3) == 0) return true;
    return false;
}

static void map_classes(mapper *m)
{
    bool rus = m->format == MARC_RUSMARC;
    const char *udk_tag = rus ? "675" : "080", *bbk_tag = rus ? "686" : "084";
    char where[8];
    snprintf(where, sizeof where, "%s$a", udk_tag);
    set_text(m, "udk", cleaned(first_subfield(m->marc, udk_tag, 'a')), 200, "UDK index", where);
    size_t i = 0;
    const json_t *df;
    while ((df = next_field(m->marc, bbk_tag, &i))) {
        char *a = is_bbk(df) ? cleaned(subfield(df, 'a')) : NULL;
        if (!a) continue;
        snprintf(where, sizeof where, "%s$a", bbk_tag);
        set_text(m, "bbk", a, 200, "BBK index", where);
        break;
    }
}

static void map_simple(mapper *m, const char *col, const char *rus_tag, const char *m21_tag,
                       char code, long max, const char *what)
{
    const char *tag = m->format == MARC_RUSMARC ? rus_tag : m21_tag;
    if (!tag) return;
    char where[8];
    snprintf(where, sizeof where, "%s$%c", tag, code);
    set_text(m, col, cleaned(first_subfield(m->marc, tag, code)), max, what, where);
}

static void map_publication(mapper *m)
{
    bool rus = m->format == MARC_RUSMARC;
    if (rus) {
        map_simple(m, "place", "210", NULL, 'a', 200, "place of publication");
        map_simple(m, "publisher", "210", NULL, 'c', 500, "publisher");
        return;
    }
    /* MARC21: 260, else 264; a record may split one statement over several fields */
    const char *tag = first_field(m->marc, "260") ? "260" : "264";
    map_simple(m, "place", NULL, tag, 'a', 200, "place of publication");
    map_simple(m, "publisher", NULL, tag, 'b', 500, "publisher");
}

static void map_series(mapper *m)
{
    if (m->format == MARC_RUSMARC) {
        map_simple(m, "series", "225", NULL, 'a', 500, "series");
        return;
    }
    map_simple(m, "series", NULL, first_field(m->marc, "490") ? "490" : "440", 'a', 500, "series");
}

static void map_annotation(mapper *m)
{
    const char *tag = m->format == MARC_RUSMARC ? "330" : "520";
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f) {
        refuse(m, "out of memory");
        return;
    }
    size_t i = 0;
    const json_t *df;
    while ((df = next_field(m->marc, tag, &i))) {
        const char *a = subfield(df, 'a');
        if (!a) continue;
        char *c = strdup(a);
        if (c) {
            /* only trim: an annotation ends with a full stop */
            size_t n = strlen(c);
            while (n && c[n - 1] == ' ')
                c[--n] = 0;
            if (*c) fprintf(f, "%s%s", ftell(f) ? "\n\n" : "", c + strspn(c, " "));
            free(c);
        }
    }
    fclose(f);
    char where[8];
    snprintf(where, sizeof where, "%s$a", tag);
    if (!*text) {
        free(text);
        text = NULL;
    }
    set_text(m, "annotation", text, 20000, "annotation", where);
}

static void map_url(mapper *m)
{
    const char *type = json_string_value(json_object_get(m->flat, "type"));
    if (strcmp(type, "e-resource") != 0) return;
    const char *u = first_subfield(m->marc, "856", 'u');
    if (u && (strncmp(u, "http://", 7) == 0 || strncmp(u, "https://", 8) == 0) && strlen(u) <= 2000)
        json_object_set_new(m->flat, "url", json_string(u));
}

static void map_holdings(mapper *m, json_t *holdings)
{
    static const char *const rus_tags[] = {"899"};
    static const char *const m21_tags[] = {"852", "949"};
    bool rus = m->format == MARC_RUSMARC;
    const char *const *tags = rus ? rus_tags : m21_tags;
    for (size_t t = 0; t < (rus ? 1u : 2u); t++) {
        size_t i = 0;
        const json_t *df;
        while ((df = next_field(m->marc, tags[t], &i))) {
            const char *bc = subfield(df, 'p') ? subfield(df, 'p') : subfield(df, 'x');
            const char *inv = subfield(df, 'j') ? subfield(df, 'j') : subfield(df, 'i');
            char *b = cleaned(bc), *n = cleaned(inv);
            if (b && (ibc_utf8_length(b) > 64 || (n && ibc_utf8_length(n) > 64)))
                warn(m,
                     "the barcode or inventory number of %s is longer than 64 characters; no "
                     "item was created for it",
                     tags[t]);
            else if (b)
                json_array_append_new(
                    holdings, n ? json_pack("{s:s, s:s}", "barcode", b, "inventory_number", n)
                                : json_pack("{s:s}", "barcode", b));
            free(b);
            free(n);
        }
    }
}

/* ------------------------------------------------------- detection */

/* True when 100$a looks like UNIMARC's coded data ("20190312d2019    u  y0rusy50      ca"):
 * eight digits of the entry date and the date type. MARC21's 100$a is a name. */
static bool has_coded_100(const json_t *marc)
{
    const char *a = first_subfield(marc, "100", 'a');
    return a && strlen(a) >= 17 && strspn(a, "0123456789") >= 8 && isalpha((unsigned char)a[8]);
}

static bool has_data(const json_t *marc, const char *tag, char code)
{
    return first_subfield(marc, tag, code) != NULL;
}

marc_format marc_detect(const json_t *marc, marc_format declared)
{
    int rus = 2 * has_data(marc, "200", 'a') + 2 * has_coded_100(marc) +
              has_data(marc, "210", 'c') + has_data(marc, "210", 'd') + has_data(marc, "215", 'a');
    int m21 = 2 * has_data(marc, "245", 'a') + 2 * (first_field(marc, "008") != NULL) +
              (first_field(marc, "260") || first_field(marc, "264")) + has_data(marc, "300", 'a');
    if (rus == m21) return declared;
    return rus > m21 ? MARC_RUSMARC : MARC_MARC21;
}

/* ------------------------------------------------- age, sources, 880 */

/* The age mark of 436-FZ ("12+") in s, or NULL. Borrowed static string. */
static const char *age_mark(const char *s)
{
    static const char *const marks[] = {"18+", "16+", "12+", "6+", "0+"};
    for (size_t i = 0; s && i < sizeof marks / sizeof *marks; i++) {
        const char *p = strstr(s, marks[i]);
        /* "6+" inside "16+" is not 6+ */
        while (p && p > s && isdigit((unsigned char)p[-1]))
            p = strstr(p + 1, marks[i]);
        if (p) return marks[i];
    }
    return NULL;
}

/* Age mark: MARC21 521$a, RUSMARC 333$a (the note on use, where Russian
 * agencies put "12+"). */
static void map_age(mapper *m)
{
    const char *tag = m->format == MARC_RUSMARC ? "333" : "521";
    size_t i = 0;
    const json_t *df;
    while ((df = next_field(m->marc, tag, &i))) {
        const char *a = age_mark(subfield(df, 'a'));
        if (a) {
            json_object_set_new(m->flat, "age_rating", json_string(a));
            return;
        }
    }
}

/* The record's identities in other systems: "001:<003>:<001>" (control number
 * with its source) and "035:<$a>" (system numbers), at most 8, for matching a
 * record that comes again. */
static void map_sources(mapper *m)
{
    json_t *keys = json_array();
    const char *ctl = json_string_value(first_field(m->marc, "001"));
    const char *src = json_string_value(first_field(m->marc, "003"));
    if (!src && m->format == MARC_RUSMARC) src = first_subfield(m->marc, "801", 'b');
    char buf[600];
    if (ctl && src && *ctl && *src && strlen(ctl) < 200 && strlen(src) < 200) {
        snprintf(buf, sizeof buf, "001:%s:%s", src, ctl);
        json_array_append_new(keys, json_string(buf));
    }
    size_t i = 0;
    const json_t *df;
    while ((df = next_field(m->marc, "035", &i)) && json_array_size(keys) < 8) {
        const char *a = subfield(df, 'a');
        if (a && *a && strlen(a) < 200) {
            snprintf(buf, sizeof buf, "035:%s", a);
            json_array_append_new(keys, json_string(buf));
        }
    }
    json_object_set_new(m->flat, "control_keys", keys);
}

/* MARC21 880 fields (the same data in another script, linked by $6 "245-01"):
 * their $a (and $b of a title) are kept for search in alt_script. */
static void map_880(mapper *m)
{
    json_t *alt = json_array();
    size_t i = 0;
    const json_t *df;
    while (m->format == MARC_MARC21 && (df = next_field(m->marc, "880", &i)) && !m->failed) {
        const char *link = subfield(df, '6');
        bool title = link && (strncmp(link, "245", 3) == 0 || strncmp(link, "246", 3) == 0);
        add_item(m, alt, cleaned(subfield(df, 'a')), 50, "alternate-script fields", "880$a");
        if (title)
            add_item(m, alt, cleaned(subfield(df, 'b')), 50, "alternate-script fields", "880$b");
    }
    json_object_set_new(m->flat, "alt_script", alt);
}

bool marc_map(const json_t *marc, marc_format format, json_t **flat, json_t **holdings,
              json_t *warnings, char *reason, size_t reasonlen)
{
    mapper m = {format, marc, json_object(), warnings, reason, reasonlen, false};
    reason[0] = 0;
    *flat = NULL;
    *holdings = NULL;
    if (json_array_size(json_object_get(marc, "fields")) == 0) {
        snprintf(reason, reasonlen, "the record has no fields");
        json_decref(m.flat);
        return false;
    }
    map_type(&m);
    map_title(&m);
    if (!m.failed) map_authors(&m);
    if (!m.failed) map_subjects(&m);
    if (!m.failed) map_isbn(&m);
    if (!m.failed) {
        map_simple(&m, "issn", "011", "022", 'a', 32, "ISSN");
        map_simple(&m, "edition", "205", "250", 'a', 200, "edition");
        map_publication(&m);
        map_series(&m);
        map_year(&m);
        map_pages(&m);
        map_language(&m);
        map_classes(&m);
        map_annotation(&m);
        map_url(&m);
        map_age(&m);
        map_sources(&m);
        map_880(&m);
    }
    if (m.failed) {
        json_decref(m.flat);
        return false;
    }
    json_object_set_new(m.flat, "marc_format",
                        json_string(format == MARC_RUSMARC ? "rusmarc" : "marc21"));
    json_t *h = json_array();
    map_holdings(&m, h);
    *flat = m.flat;
    *holdings = h;
    return true;
}

/* ---------------------------------------------------------------- export */

static void add_df(json_t *fields, const char *tag, const char *ind, json_t *subfields)
{
    if (json_array_size(subfields) == 0) {
        json_decref(subfields);
        return;
    }
    json_t *df =
        json_pack("{s:s#, s:s#, s:o}", "ind1", ind, 1, "ind2", ind + 1, 1, "subfields", subfields);
    json_array_append_new(fields, json_pack("{s:o}", tag, df));
}

/* Appends {code: value} when value is a non-empty string or a number. */
static void add_sf(json_t *subs, const char *code, const json_t *value)
{
    char num[32];
    const char *s = json_string_value(value);
    if (json_is_integer(value)) {
        snprintf(num, sizeof num, "%lld", (long long)json_integer_value(value));
        s = num;
    }
    if (s && *s) json_array_append_new(subs, json_pack("{s:s}", code, s));
}

/* Appends {code: value} for a string (borrowed) when non-empty. */
static void add_sf_str(json_t *subs, const char *code, const char *value)
{
    if (value && *value) json_array_append_new(subs, json_pack("{s:s}", code, value));
}

/* A name "Surname, Given names" as RUSMARC 700/701 $a and $g. */
static json_t *rus_name(const char *name)
{
    json_t *subs = json_array();
    const char *comma = name ? strchr(name, ',') : NULL;
    if (!comma) {
        add_sf_str(subs, "a", name);
        return subs;
    }
    char *surname = strndup(name, (size_t)(comma - name));
    add_sf_str(subs, "a", surname);
    free(surname);
    add_sf_str(subs, "g", comma + 1 + strspn(comma + 1, " "));
    return subs;
}

/* RUSMARC 100$a: entry date, year, audience, language, character sets. */
static void rus_coded(json_t *fields, const json_t *r, bool cp1251)
{
    const char *created = json_string_value(json_object_get(r, "created_at"));
    json_int_t year = json_integer_value(json_object_get(r, "year"));
    char date[9] = "00000000", y[5] = "    ", a[40];
    if (created && strlen(created) >= 10)
        snprintf(date, sizeof date, "%.4s%.2s%.2s", created, created + 5, created + 8);
    if (year > 0 && year < 10000) snprintf(y, sizeof y, "%04d", (int)year);
    snprintf(a, sizeof a, "%s%c%s    u  y0rusy%s    ca", date, year ? 'd' : 'u', y,
             cp1251 ? "0189" : "50  ");
    json_t *s = json_array();
    add_sf_str(s, "a", a);
    add_df(fields, "100", "  ", s);
}

/* One exported data field: the record's columns as its subfields, or a
 * builder for what is more than that. Export is these tables, in order. */
typedef struct export_field export_field;
typedef void export_fn(json_t *fields, const export_field *f, const json_t *r, bool cp1251);
struct export_field {
    const char *tag, *ind;
    const char *sf[3][2]; /* {subfield code, column} */
    export_fn *build;     /* NULL: the subfields as they are */
    const char *unit;     /* ex_pages: "p." */
};

#define COL(r, name) json_object_get(r, name)

/* The field's subfields from their columns; new reference. */
static json_t *simple_subfields(const export_field *f, const json_t *r)
{
    json_t *s = json_array();
    for (size_t k = 0; k < 3 && f->sf[k][0]; k++)
        add_sf(s, f->sf[k][0], COL(r, f->sf[k][1]));
    return s;
}

static void ex_id(json_t *fields, const export_field *f, const json_t *r, bool cp1251)
{
    (void)cp1251;
    if (COL(r, "id")) json_array_append_new(fields, json_pack("{s:O}", f->tag, COL(r, "id")));
}

static void ex_rus_coded(json_t *fields, const export_field *f, const json_t *r, bool cp1251)
{
    (void)f;
    rus_coded(fields, r, cp1251);
}

/* MARC21 008: entered date, date type and year, place "xx ", language. */
static void ex_008(json_t *fields, const export_field *f, const json_t *r, bool cp1251)
{
    (void)cp1251;
    char f008[41], date[7] = "000000", y[5] = "    ";
    const char *created = json_string_value(COL(r, "created_at"));
    const char *lang = json_string_value(COL(r, "language"));
    json_int_t year = json_integer_value(COL(r, "year"));
    if (created && strlen(created) >= 10)
        snprintf(date, sizeof date, "%.2s%.2s%.2s", created + 2, created + 5, created + 8);
    if (year > 0 && year < 10000) snprintf(y, sizeof y, "%04d", (int)year);
    snprintf(f008, sizeof f008, "%s%c%s    xx %17s%-3.3s d", date, year ? 's' : 'n', y, "",
             lang && strlen(lang) == 3 ? lang : "   ");
    json_array_append_new(fields, json_pack("{s:s}", f->tag, f008));
}

/* RUSMARC 105$a/4-7 "j": a textbook. */
static void ex_textbook(json_t *fields, const export_field *f, const json_t *r, bool cp1251)
{
    (void)cp1251;
    const char *type = json_string_value(COL(r, "type"));
    if (!type || strcmp(type, "textbook") != 0) return;
    json_t *s = json_array();
    add_sf_str(s, "a", "y   j   000yy");
    add_df(fields, f->tag, f->ind, s);
}

static void ex_pages(json_t *fields, const export_field *f, const json_t *r, bool cp1251)
{
    (void)cp1251;
    json_int_t pages = json_integer_value(COL(r, "pages"));
    if (pages <= 0) return;
    char p[32];
    snprintf(p, sizeof p, "%lld %s", (long long)pages, f->unit);
    json_t *s = json_array();
    add_sf_str(s, "a", p);
    add_df(fields, f->tag, f->ind, s);
}

/* BBK with its source, $2 rubbk. */
static void ex_bbk(json_t *fields, const export_field *f, const json_t *r, bool cp1251)
{
    (void)cp1251;
    json_t *s = simple_subfields(f, r);
    if (json_array_size(s)) json_array_append_new(s, json_pack("{s:s}", "2", "rubbk"));
    add_df(fields, f->tag, f->ind, s);
}

/* One field per element of the array column, from element `first` on. */
static void each_element(json_t *fields, const export_field *f, const json_t *r, size_t first)
{
    size_t i;
    json_t *v;
    json_array_foreach(COL(r, f->sf[0][1]), i, v)
    {
        if (i < first) continue;
        json_t *s = json_array();
        add_sf(s, f->sf[0][0], v);
        add_df(fields, f->tag, f->ind, s);
    }
}

static void ex_each(json_t *fields, const export_field *f, const json_t *r, bool cp1251)
{
    (void)cp1251;
    each_element(fields, f, r, 0);
}

/* MARC21 700: the authors after the first (who is 100). */
static void ex_rest(json_t *fields, const export_field *f, const json_t *r, bool cp1251)
{
    (void)cp1251;
    each_element(fields, f, r, 1);
}

/* MARC21 100: the first author. */
static void ex_first(json_t *fields, const export_field *f, const json_t *r, bool cp1251)
{
    (void)cp1251;
    json_t *s = json_array();
    add_sf(s, f->sf[0][0], json_array_get(COL(r, f->sf[0][1]), 0));
    add_df(fields, f->tag, f->ind, s);
}

/* MARC21 245: first indicator 1 when there is a 100. */
static void ex_245(json_t *fields, const export_field *f, const json_t *r, bool cp1251)
{
    (void)cp1251;
    add_df(fields, f->tag, json_array_size(COL(r, "authors")) ? "10" : "00",
           simple_subfields(f, r));
}

/* RUSMARC 700 (the first author) and 701 (the others), $a surname, $g names. */
static void ex_rus_authors(json_t *fields, const export_field *f, const json_t *r, bool cp1251)
{
    (void)cp1251;
    size_t i;
    json_t *v;
    json_array_foreach(COL(r, "authors"), i, v)
        add_df(fields, i == 0 ? "700" : "701", f->ind, rus_name(json_string_value(v)));
}

static void ex_url(json_t *fields, const export_field *f, const json_t *r, bool cp1251)
{
    (void)cp1251;
    json_t *s = json_array();
    add_sf(s, f->sf[0][0], json_object_get(COL(r, f->sf[0][1]), "url"));
    add_df(fields, f->tag, f->ind, s);
}

static const export_field rusmarc_fields[] = {
    {"001", NULL, {{0}}, ex_id, NULL},
    {"010", "  ", {{"a", "isbn"}}, NULL, NULL},
    {"011", "  ", {{"a", "issn"}}, NULL, NULL},
    {"100", "  ", {{0}}, ex_rus_coded, NULL},
    {"101", "0 ", {{"a", "language"}}, NULL, NULL},
    {"105", "  ", {{0}}, ex_textbook, NULL},
    {"200", "1 ", {{"a", "title"}, {"e", "subtitle"}}, NULL, NULL},
    {"205", "  ", {{"a", "edition"}}, NULL, NULL},
    {"210", "  ", {{"a", "place"}, {"c", "publisher"}, {"d", "year"}}, NULL, NULL},
    {"215", "  ", {{0}}, ex_pages, "с."},
    {"225", "1 ", {{"a", "series"}}, NULL, NULL},
    {"330", "  ", {{"a", "annotation"}}, NULL, NULL},
    {"333", "  ", {{"a", "age_rating"}}, NULL, NULL},
    {"610", "0 ", {{"a", "subjects"}}, ex_each, NULL},
    {"675", "  ", {{"a", "udk"}}, NULL, NULL},
    {"686", "  ", {{"a", "bbk"}}, ex_bbk, NULL},
    {"700", " 1", {{0}}, ex_rus_authors, NULL},
    {"856", "4 ", {{"u", "eresource"}}, ex_url, NULL},
};

static const export_field marc21_fields[] = {
    {"001", NULL, {{0}}, ex_id, NULL},
    {"008", NULL, {{0}}, ex_008, NULL},
    {"020", "  ", {{"a", "isbn"}}, NULL, NULL},
    {"022", "  ", {{"a", "issn"}}, NULL, NULL},
    {"080", "  ", {{"a", "udk"}}, NULL, NULL},
    {"084", "  ", {{"a", "bbk"}}, ex_bbk, NULL},
    {"100", "1 ", {{"a", "authors"}}, ex_first, NULL},
    {"245", NULL, {{"a", "title"}, {"b", "subtitle"}}, ex_245, NULL},
    {"250", "  ", {{"a", "edition"}}, NULL, NULL},
    {"264", " 1", {{"a", "place"}, {"b", "publisher"}, {"c", "year"}}, NULL, NULL},
    {"300", "  ", {{0}}, ex_pages, "p."},
    {"490", "0 ", {{"a", "series"}}, NULL, NULL},
    {"520", "  ", {{"a", "annotation"}}, NULL, NULL},
    {"521", "8 ", {{"a", "age_rating"}}, NULL, NULL},
    {"650", " 4", {{"a", "subjects"}}, ex_each, NULL},
    {"700", "1 ", {{"a", "authors"}}, ex_rest, NULL},
    {"856", "40", {{"u", "eresource"}}, ex_url, NULL},
};

/* The record as MARC-in-JSON: the leader `base` with the type's codes (the
 * e-resource's in position 6 is `eres`), then the table's fields. */
static json_t *export_record(const json_t *r, const export_field *tab, size_t n, const char *base,
                             char eres, bool cp1251)
{
    const char *type = json_string_value(COL(r, "type"));
    char ldr[25];
    snprintf(ldr, sizeof ldr, "%s", base);
    if (type && strcmp(type, "periodical") == 0) ldr[7] = 's';
    if (type && strcmp(type, "e-resource") == 0) ldr[6] = eres;
    if (type && strcmp(type, "multimedia") == 0) ldr[6] = 'g';
    json_t *fields = json_array();
    for (size_t i = 0; i < n; i++) {
        if (tab[i].build)
            tab[i].build(fields, &tab[i], r, cp1251);
        else
            add_df(fields, tab[i].tag, tab[i].ind, simple_subfields(&tab[i], r));
    }
    return json_pack("{s:s, s:o}", "leader", ldr, "fields", fields);
}

json_t *marc_rusmarc_from_record(const json_t *r, bool cp1251)
{
    return export_record(r, rusmarc_fields, sizeof rusmarc_fields / sizeof *rusmarc_fields,
                         "00000nam  2200000 i 450 ", 'l', cp1251);
}

json_t *marc_from_record(const json_t *r)
{
    return export_record(r, marc21_fields, sizeof marc21_fields / sizeof *marc21_fields,
                         "00000nam a2200000 i 4500", 'm', false);
}
