/* Reading the federal list of extremist materials (see list_parse.h): the
 * encoding is decided first (iconv for windows-1251), then each format's
 * reader turns rows into numbered entries. HTML is read by libxml2's SAX
 * parser, which builds no tree, so that an "HTML bomb" costs no more memory
 * than its longest cell. */
#include "list_parse.h"

#include <ibc/envelope.h>

#include <ctype.h>
#include <iconv.h>
#include <libxml/HTMLparser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NUMBER_MAX 10000000L

/* A growing byte buffer capped at LIST_MAX_ENTRY_BYTES. */
typedef struct {
    char *s;
    size_t len, cap;
    bool over;
} buf;

static void buf_add(buf *b, const char *s, size_t n)
{
    if (b->over || n == 0) return;
    if (b->len + n + 1 > LIST_MAX_ENTRY_BYTES) {
        b->over = true;
        return;
    }
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *t = realloc(b->s, cap);
        if (!t) {
            b->over = true;
            return;
        }
        b->s = t, b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = 0;
}

static void buf_reset(buf *b)
{
    b->len = 0;
    b->over = false;
    if (b->s) b->s[0] = 0;
}

/* The state every reader shares: the entries, the numbers seen, the error. */
typedef struct {
    list_parsed *out;
    unsigned char *seen; /* a bit per number */
    bool failed;
} sink;

static bool fail(sink *k, bool too_big, const char *fmt, long a)
{
    if (k->failed) return false;
    k->failed = true;
    k->out->too_big = too_big;
    snprintf(k->out->error, sizeof k->out->error, fmt, a);
    return false;
}

/* Adds entry `number` with text s[0..n) (blanks collapsed later). */
static bool sink_add(sink *k, long number, const char *s, size_t n, bool over)
{
    if (k->failed) return false;
    if (number < 1 || number > NUMBER_MAX)
        return fail(k, false, "an entry number must be 1 to 10000000, not %ld", number);
    if (over) return fail(k, true, "entry %ld is longer than 65536 bytes", number);
    if (k->seen[number / 8] & (1u << (number % 8)))
        return fail(k, false, "entry number %ld appears twice", number);
    if (json_array_size(k->out->entries) >= LIST_MAX_ENTRIES)
        return fail(k, true, "a list holds at most %ld entries", LIST_MAX_ENTRIES);
    k->seen[number / 8] |= (unsigned char)(1u << (number % 8));
    json_t *e = list_entry_new(number, s, n);
    if (!e) return fail(k, false, "entry %ld has no text", number);
    json_array_append_new(k->out->entries, e);
    return true;
}

/* The number a cell or line starts with ("123", "123.", "123)"), its length
 * in *used; -1 when it does not start with one. */
static long leading_number(const char *s, size_t n, size_t *used)
{
    size_t i = 0;
    long v = 0;
    while (i < n && i < 8 && isdigit((unsigned char)s[i]))
        v = v * 10 + (s[i++] - '0');
    if (i == 0 || (i < n && isdigit((unsigned char)s[i]))) return -1;
    if (i < n && (s[i] == '.' || s[i] == ')')) i++;
    *used = i;
    return v;
}

static size_t skip_blanks(const char *s, size_t n, size_t i)
{
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r'))
        i++;
    return i;
}

/* ------------------------------------------------------------------ text */

/* "N. text" starts an entry; other non-blank lines continue the last one;
 * what comes before the first entry (a heading) is skipped. */
static void read_text(sink *k, const char *s, size_t len)
{
    buf cur = {0};
    long number = -1;
    for (size_t at = 0; at < len && !k->failed;) {
        const char *nl = memchr(s + at, '\n', len - at);
        size_t end = nl ? (size_t)(nl - s) : len;
        size_t i = skip_blanks(s, end, at), used = 0;
        long n = leading_number(s + i, end - i, &used);
        bool starts = n >= 0 && used > 0 && (s[i + used - 1] == '.' || s[i + used - 1] == ')') &&
                      (i + used == end || s[i + used] == ' ' || s[i + used] == '\t');
        if (starts) {
            if (number >= 0) sink_add(k, number, cur.s, cur.len, cur.over);
            buf_reset(&cur);
            number = n;
            i += used;
        }
        if (number >= 0 && i < end) {
            buf_add(&cur, " ", 1);
            buf_add(&cur, s + i, end - i);
        }
        at = end + 1;
    }
    if (number >= 0 && !k->failed) sink_add(k, number, cur.s, cur.len, cur.over);
    free(cur.s);
}

/* ------------------------------------------------------------------- CSV */

typedef struct {
    sink *k;
    buf cell[2]; /* the first two fields of the row */
    int field;
    bool over;
} csv_row;

static void csv_end_row(csv_row *r)
{
    size_t used = 0;
    size_t i = skip_blanks(r->cell[0].s ? r->cell[0].s : "", r->cell[0].len, 0);
    long n = r->cell[0].len ? leading_number(r->cell[0].s + i, r->cell[0].len - i, &used) : -1;
    /* a row whose first field is a number is an entry; a heading is not */
    if (n >= 0 && skip_blanks(r->cell[0].s, r->cell[0].len, i + used) == r->cell[0].len)
        sink_add(r->k, n, r->cell[1].s, r->cell[1].len, r->cell[1].over);
    buf_reset(&r->cell[0]);
    buf_reset(&r->cell[1]);
    r->field = 0;
}

/* RFC 4180 with ';' or ',' (whichever the first line has more of) or a tab. */
static void read_csv(sink *k, const char *s, size_t len)
{
    const char *nl = memchr(s, '\n', len);
    size_t first = nl ? (size_t)(nl - s) : len, semi = 0, comma = 0, tab = 0;
    for (size_t i = 0; i < first; i++)
        semi += s[i] == ';', comma += s[i] == ',', tab += s[i] == '\t';
    char sep = tab > semi && tab > comma ? '\t' : semi >= comma ? ';' : ',';
    csv_row r = {k, {{0}, {0}}, 0, false};
    bool quoted = false;
    for (size_t i = 0; i < len && !k->failed; i++) {
        char c = s[i];
        if (quoted) {
            if (c == '"' && i + 1 < len && s[i + 1] == '"')
                i++;
            else if (c == '"') {
                quoted = false;
                continue;
            }
        } else if (c == '"') {
            quoted = true;
            continue;
        } else if (c == sep) {
            r.field++;
            continue;
        } else if (c == '\n') {
            csv_end_row(&r);
            continue;
        } else if (c == '\r')
            continue;
        if (r.field < 2) buf_add(&r.cell[r.field], &s[i], 1);
    }
    if (!k->failed && (r.cell[0].len || r.cell[1].len)) csv_end_row(&r);
    free(r.cell[0].s);
    free(r.cell[1].s);
}

/* ------------------------------------------------------------------ HTML */

typedef struct {
    sink *k;
    buf cell[2];
    int cell_no; /* the cell being read in the row, -1 outside a cell */
    int cells;   /* cells begun in this row */
    bool in_row;
} html_state;

static bool is_tag(const xmlChar *name, const char *tag)
{
    return strcasecmp((const char *)name, tag) == 0;
}

static void html_start(void *ctx, const xmlChar *name, const xmlChar **atts)
{
    (void)atts;
    html_state *h = ctx;
    if (is_tag(name, "tr")) {
        h->in_row = true, h->cells = 0, h->cell_no = -1;
        buf_reset(&h->cell[0]);
        buf_reset(&h->cell[1]);
    } else if (h->in_row && (is_tag(name, "td") || is_tag(name, "th")))
        h->cell_no = h->cells++;
    else if (h->cell_no >= 0 && h->cell_no < 2 && is_tag(name, "br"))
        buf_add(&h->cell[h->cell_no], " ", 1);
}

static void html_end(void *ctx, const xmlChar *name)
{
    html_state *h = ctx;
    if (is_tag(name, "td") || is_tag(name, "th")) {
        if (h->cell_no >= 0 && h->cell_no < 2) buf_add(&h->cell[h->cell_no], " ", 1);
        h->cell_no = -1;
    } else if (is_tag(name, "tr") && h->in_row) {
        h->in_row = false;
        size_t used = 0, i = skip_blanks(h->cell[0].s ? h->cell[0].s : "", h->cell[0].len, 0);
        long n = h->cell[0].len ? leading_number(h->cell[0].s + i, h->cell[0].len - i, &used) : -1;
        if (n >= 0 && skip_blanks(h->cell[0].s, h->cell[0].len, i + used) == h->cell[0].len)
            sink_add(h->k, n, h->cell[1].s, h->cell[1].len, h->cell[1].over);
    }
}

static void html_text(void *ctx, const xmlChar *ch, int len)
{
    html_state *h = ctx;
    if (h->in_row && h->cell_no >= 0 && h->cell_no < 2)
        buf_add(&h->cell[h->cell_no], (const char *)ch, (size_t)len);
}

/* The rows of every table whose first cell is a number: entry N is the
 * second cell's text. The document's own charset is ignored (the bytes are
 * UTF-8 by now). */
static void read_html(sink *k, const char *s, size_t len)
{
    htmlSAXHandler sax;
    memset(&sax, 0, sizeof sax);
    sax.startElement = html_start;
    sax.endElement = html_end;
    sax.characters = html_text;
    sax.cdataBlock = html_text;
    html_state h = {k, {{0}, {0}}, -1, 0, false};
    htmlParserCtxtPtr p = htmlCreatePushParserCtxt(&sax, &h, NULL, 0, NULL, XML_CHAR_ENCODING_UTF8);
    if (!p) {
        fail(k, false, "the HTML could not be read%.0ld", 0);
        return;
    }
    htmlCtxtUseOptions(p, HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                              HTML_PARSE_IGNORE_ENC | HTML_PARSE_NOIMPLIED);
    for (size_t at = 0; at < len && !k->failed; at += 1 << 16) {
        size_t n = len - at < (1u << 16) ? len - at : 1u << 16;
        htmlParseChunk(p, s + at, (int)n, 0);
    }
    htmlParseChunk(p, NULL, 0, 1);
    htmlFreeParserCtxt(p);
    free(h.cell[0].s);
    free(h.cell[1].s);
}

/* -------------------------------------------------------------- encoding */

/* True when s holds no NUL and no control characters but tab, CR, LF, FF. */
static bool looks_like_text(const unsigned char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if ((s[i] < 0x20 && s[i] != '\t' && s[i] != '\n' && s[i] != '\r' && s[i] != '\f') ||
            s[i] == 0x7f)
            return false;
    return true;
}

/* windows-1251 → UTF-8 (new buffer, caller frees); NULL when a byte is not
 * windows-1251 (0x98). */
static char *from_cp1251(const unsigned char *s, size_t len, size_t *outlen)
{
    iconv_t cd = iconv_open("UTF-8", "WINDOWS-1251");
    if (cd == (iconv_t)-1) return NULL;
    size_t cap = len * 3 + 1, left = cap;
    char *out = malloc(cap), *o = out, *in = (char *)s;
    size_t inleft = len;
    if (out && iconv(cd, &in, &inleft, &o, &left) == (size_t)-1) {
        free(out);
        out = NULL;
    }
    iconv_close(cd);
    if (out) *o = 0, *outlen = (size_t)(o - out);
    return out;
}

static bool charset_is(const char *content_type, const char *const *names)
{
    const char *cs = content_type ? strcasestr(content_type, "charset=") : NULL;
    if (!cs) return false;
    cs += 8;
    if (*cs == '"') cs++;
    for (; *names; names++)
        if (strncasecmp(cs, *names, strlen(*names)) == 0) return true;
    return false;
}

bool list_format_of(const char *content_type, list_format *fmt)
{
    static const struct {
        const char *type;
        list_format fmt;
    } types[] = {{"text/plain", LIST_TEXT},
                 {"application/octet-stream", LIST_TEXT},
                 {"text/html", LIST_HTML},
                 {"application/xhtml+xml", LIST_HTML},
                 {"text/csv", LIST_CSV}};
    for (size_t i = 0; content_type && i < sizeof types / sizeof types[0]; i++)
        if (strncasecmp(content_type, types[i].type, strlen(types[i].type)) == 0) {
            *fmt = types[i].fmt;
            return true;
        }
    return false;
}

/* The file as UTF-8 text (new buffer or NULL with out->error). */
static char *as_utf8(const unsigned char *data, size_t len, const char *content_type,
                     list_parsed *out, size_t *n)
{
    static const char *const cp1251[] = {"windows-1251", "cp1251", NULL};
    static const char *const utf8[] = {"utf-8", "utf8", NULL};
    bool said_1251 = charset_is(content_type, cp1251);
    if (!said_1251 && ibc_utf8_valid((const char *)data, len)) {
        out->encoding = "utf-8";
        char *s = malloc(len + 1);
        if (s) memcpy(s, data, len), s[len] = 0, *n = len;
        return s;
    }
    if (!said_1251 && charset_is(content_type, utf8)) {
        snprintf(out->error, sizeof out->error,
                 "the file is not UTF-8 as its Content-Type says; send it as it was published "
                 "(UTF-8 or windows-1251)");
        return NULL;
    }
    char *s = looks_like_text(data, len) ? from_cp1251(data, len, n) : NULL;
    if (!s)
        snprintf(out->error, sizeof out->error,
                 "the file is not text (a byte that neither UTF-8 nor windows-1251 text holds): "
                 "send the list as text, HTML or CSV");
    out->encoding = "windows-1251";
    return s;
}

bool list_parse(const unsigned char *data, size_t len, list_format fmt, const char *content_type,
                list_parsed *out)
{
    out->entries = json_array();
    out->format = fmt == LIST_HTML ? "html" : fmt == LIST_CSV ? "csv" : "text";
    out->error[0] = 0;
    out->too_big = false;
    size_t n = 0;
    char *text = as_utf8(data, len, content_type, out, &n);
    if (!text) return false;
    const char *s = text;
    if (n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) s += 3, n -= 3;
    sink k = {out, calloc(NUMBER_MAX / 8 + 1, 1), false};
    if (!k.seen)
        fail(&k, false, "out of memory%.0ld", 0);
    else if (fmt == LIST_HTML)
        read_html(&k, s, n);
    else if (fmt == LIST_CSV)
        read_csv(&k, s, n);
    else
        read_text(&k, s, n);
    if (!k.failed && json_array_size(out->entries) == 0)
        fail(&k, false,
             "no numbered entry was found: the list is a numbered text (\"1. <material> "
             "(<decision>)\"), an HTML table or CSV whose first column is the number%.0ld",
             0);
    free(k.seen);
    free(text);
    if (k.failed) json_array_clear(out->entries);
    return !k.failed;
}

/* ----------------------------------------------------------------- entry */

/* s[0..n) with runs of blanks (and NBSP) made one space, trimmed; new string. */
static char *collapse(const char *s, size_t n)
{
    char *out = malloc(n + 1), *o = out;
    if (!out) return NULL;
    bool space = true;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        bool blank = c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f';
        if (c == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] == 0xA0) blank = true, i++;
        if (blank) {
            if (!space) *o++ = ' ';
            space = true;
        } else
            *o++ = (char)c, space = false;
    }
    while (o > out && o[-1] == ' ')
        o--;
    *o = 0;
    return out;
}

/* Where the court's decision begins: the last '(' followed by words of a
 * decision or a court; NULL when there is none. */
static const char *court_start(const char *s)
{
    static const char *const words[] = {"решени", "Решени", "суд", "Суд", "приговор"};
    const char *best = NULL;
    for (const char *p = strchr(s, '('); p; p = strchr(p + 1, '('))
        for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
            if (strstr(p, words[i])) {
                best = p;
                break;
            }
    return best;
}

/* The first text between open and close (UTF-8 strings), NULL when none. */
static json_t *quoted(const char *s, const char *open, const char *close)
{
    const char *a = strstr(s, open);
    if (!a) return NULL;
    a += strlen(open);
    const char *b = strstr(a, close);
    while (b && b == a)
        return NULL;
    return b ? json_stringn(a, (size_t)(b - a)) : NULL;
}

static void trim_tail(char *s, const char *chars)
{
    size_t n = strlen(s);
    while (n > 0 && strchr(chars, s[n - 1]))
        s[--n] = 0;
}

json_t *list_entry_new(long number, const char *text, size_t len)
{
    char *t = collapse(text ? text : "", text ? len : 0);
    if (!t || !*t || !ibc_utf8_valid(t, strlen(t))) {
        free(t);
        return NULL;
    }
    char *desc = strdup(t);
    const char *c = court_start(t);
    json_t *court = NULL;
    if (c && c != t) {
        char *ct = strdup(c + 1);
        trim_tail(ct, " ;.)");
        court = *ct ? json_string(ct) : NULL;
        free(ct);
        desc[c - t] = 0;
        trim_tail(desc, " ,;.-");
    }
    json_t *title = quoted(desc, "«", "»");
    if (!title) title = quoted(desc, "\"", "\"");
    if (!title) title = quoted(desc, "„", "“");
    if (!title) title = quoted(desc, "“", "”");
    json_t *e = json_pack("{s:I, s:s, s:s}", "number", (json_int_t)number, "text", t, "description",
                          *desc ? desc : t);
    if (court) json_object_set_new(e, "court", court);
    if (title) json_object_set_new(e, "title", title);
    free(desc);
    free(t);
    return e;
}
