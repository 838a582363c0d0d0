/* Reading MARC files with libyaz (see marc_reader.h). ISO 2709 records are
 * delimited by their leader's length and the record terminator; yaz parses
 * each one and notes what is wrong with it as comments, which we read back
 * through its "check" writer: a record with any such note is refused rather
 * than imported half-read. MARCXML is read as a stream (libxml2's text
 * reader), one record element at a time. */
#include "marc_reader.h"

#include <ibc/envelope.h>
#include <libxml/xmlreader.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaz/marcdisp.h>
#include <yaz/yaz-iconv.h>

#define RS 0x1d /* record terminator */

struct marc_reader {
    const char *data;
    size_t len, pos;
    long position, skip;
    marc_syntax syntax;
    marc_charset charset;
    yaz_marc_t mt;
    yaz_iconv_t cd; /* CP1251 or MARC-8 to UTF-8; NULL for UTF-8 */
    WRBUF wr;
    xmlTextReaderPtr xr;
    bool xml_next; /* the last record element was expanded: skip its subtree */
    bool xml_done;
    bool xml_entities; /* the prolog declares entities: refused before parsing */
    char xml_err[200];
    int xml_err_line;
};

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

static void xml_init_once(void)
{
    xmlInitParser();
}

void marc_xml_init(void)
{
    pthread_once(&xml_once, xml_init_once);
}

static void fail(marc_rec *rec, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(marc_rec *rec, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(rec->reason, sizeof rec->reason, fmt, ap);
    va_end(ap);
    json_decref(rec->marc);
    free(rec->marcxml);
    rec->marc = NULL;
    rec->marcxml = NULL;
}

void marc_rec_clear(marc_rec *rec)
{
    json_decref(rec->marc);
    free(rec->marcxml);
    memset(rec, 0, sizeof *rec);
}

static void on_xml_error(void *arg, const char *msg, xmlParserSeverities severity,
                         xmlTextReaderLocatorPtr loc)
{
    marc_reader *r = arg;
    if (severity != XML_PARSER_SEVERITY_ERROR && severity != XML_PARSER_SEVERITY_VALIDITY_ERROR)
        return;
    if (r->xml_err[0]) return;
    snprintf(r->xml_err, sizeof r->xml_err, "%s", msg ? msg : "malformed XML");
    r->xml_err[strcspn(r->xml_err, "\r\n")] = 0;
    r->xml_err_line = loc ? xmlTextReaderLocatorLineNumber(loc) : 0;
}

#define NO_ENTITIES                                                                                \
    "the MARCXML declares entities (<!ENTITY> in its DTD), which are not accepted: send the "      \
    "records without a DTD"

/* True when the prolog (what precedes the root element) declares an entity.
 * Entities are refused before parsing: their expansion is how a small file
 * asks for gigabytes (billion laughs). */
static bool declares_entities(const char *data, size_t len)
{
    size_t end = 0;
    while (end + 1 < len) {
        const char *lt = memchr(data + end, '<', len - end - 1);
        if (!lt) break;
        end = (size_t)(lt - data) + 1;
        unsigned char c = (unsigned char)data[end];
        if (c != '!' && c != '?' && c != '/' && c != ']') break; /* the root element's start */
    }
    static const char decl[] = "<!ENTITY";
    return end >= sizeof decl - 1 && memmem(data, end, decl, sizeof decl - 1) != NULL;
}

static xmlTextReaderPtr xml_open(const char *data, size_t len, marc_reader *errs)
{
    marc_xml_init();
    /* no network, no entity substitution, no DTD loading, and libxml2's
     * limits on a text node (10 MB) and on entity amplification kept (no
     * XML_PARSE_HUGE): a file cannot make us fetch anything or grow without bound */
    xmlTextReaderPtr xr = xmlReaderForMemory(data, (int)len, NULL, NULL, XML_PARSE_NONET);
    if (xr) xmlTextReaderSetErrorHandler(xr, on_xml_error, errs);
    return xr;
}

marc_reader *marc_reader_open(const char *data, size_t len, marc_syntax syntax,
                              marc_charset charset)
{
    marc_reader *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->data = data;
    r->len = len;
    r->syntax = syntax;
    r->charset = charset;
    r->mt = yaz_marc_create();
    r->wr = wrbuf_alloc();
    if (syntax == MARC_ISO2709 && charset == MARC_CP1251) r->cd = yaz_iconv_open("UTF-8", "CP1251");
    if (syntax == MARC_ISO2709 && charset == MARC_MARC8) r->cd = yaz_iconv_open("UTF-8", "MARC8");
    if (syntax == MARC_XML) r->xr = xml_open(data, len, r);
    if (syntax == MARC_XML) r->xml_entities = declares_entities(data, len);
    if (!r->mt || !r->wr || (charset != MARC_UTF8 && syntax == MARC_ISO2709 && !r->cd) ||
        (syntax == MARC_XML && !r->xr)) {
        marc_reader_close(r);
        return NULL;
    }
    return r;
}

void marc_reader_close(marc_reader *r)
{
    if (!r) return;
    if (r->mt) yaz_marc_destroy(r->mt);
    if (r->cd) yaz_iconv_close(r->cd);
    if (r->wr) wrbuf_destroy(r->wr);
    if (r->xr) xmlFreeTextReader(r->xr);
    free(r);
}

void marc_reader_seek(marc_reader *r, long position, long offset)
{
    if (r->syntax == MARC_ISO2709) {
        r->position = position;
        r->pos = offset >= 0 && (size_t)offset <= r->len ? (size_t)offset : r->len;
    } else {
        r->skip = position; /* records up to here are passed over */
    }
}

long marc_reader_offset(const marc_reader *r)
{
    return r->syntax == MARC_ISO2709 ? (long)r->pos : 0;
}

long marc_reader_position(const marc_reader *r)
{
    return r->position;
}

/* The first note yaz made while reading the record, or NULL. */
static const char *yaz_note(marc_reader *r)
{
    wrbuf_rewind(r->wr);
    yaz_marc_xml(r->mt, YAZ_MARC_CHECK);
    if (yaz_marc_write_mode(r->mt, r->wr) != 0 || wrbuf_len(r->wr) == 0) return NULL;
    char *s = (char *)wrbuf_cstr(r->wr);
    s[strcspn(s, "\n")] = 0;
    return s;
}

/* Writes the parsed record out as MARC-in-JSON and MARCXML. */
static void emit(marc_reader *r, marc_rec *rec)
{
    wrbuf_rewind(r->wr);
    if (yaz_marc_write_json(r->mt, r->wr) != 0) {
        fail(rec, "the record has no usable leader");
        return;
    }
    json_error_t jerr;
    rec->marc = json_loadb(wrbuf_buf(r->wr), wrbuf_len(r->wr), 0, &jerr);
    if (!rec->marc) {
        fail(rec, "the record's text is not valid in its character set (%s)", jerr.text);
        return;
    }
    wrbuf_rewind(r->wr);
    if (yaz_marc_write_marcxml(r->mt, r->wr) != 0) {
        fail(rec, "the record could not be written as MARCXML");
        return;
    }
    rec->marcxml = strndup(wrbuf_buf(r->wr), wrbuf_len(r->wr));
    if (!rec->marcxml) fail(rec, "out of memory");
}

static bool has_high_bytes(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] >= 0x80) return true;
    return false;
}

static bool digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9') return false;
    return true;
}

/* The first byte after the next record terminator from `from`, or len. */
static size_t resync(const char *data, size_t len, size_t from)
{
    const char *end = memchr(data + from, RS, len - from);
    return end ? (size_t)(end - data) + 1 : len;
}

/* Delimits the next ISO 2709 record from *pos: false at the end of the data.
 * Otherwise *at is where it starts and *pos moves past it; *reclen > 0 when
 * its leader's length ends at a record terminator, else 0 with the reason.
 * The reader and the planner of segments share it, so that both see the same
 * records at the same offsets. */
static bool delimit(const char *data, size_t len, size_t *pos, size_t *at, int *reclen,
                    char *reason, size_t reasonlen)
{
    size_t p = *pos;
    /* line breaks, blanks, NULs and ^Z between records are common and harmless */
    while (p < len && (data[p] == 0 || strchr("\r\n\t \x1a", data[p])))
        p++;
    if (p >= len) {
        *pos = len;
        return false;
    }
    size_t left = len - p;
    const char *buf = data + p;
    *at = p;
    *reclen = 0;
    if (left < 5 || !digits(buf, 5)) {
        *pos = resync(data, len, p);
        snprintf(reason, reasonlen,
                 "no record leader here: a record must start with its length in 5 digits");
        return true;
    }
    int n = atoi_n(buf, 5);
    if (n < 25) {
        *pos = resync(data, len, p);
        snprintf(reason, reasonlen,
                 "the leader's record length %d is too short (a record has at least 25 bytes)", n);
        return true;
    }
    if ((size_t)n > left) {
        *pos = len;
        snprintf(reason, reasonlen,
                 "the record is truncated: its leader says %d bytes, the data ends after %zu", n,
                 left);
        return true;
    }
    if (buf[n - 1] != RS) {
        *pos = resync(data, len, p);
        snprintf(reason, reasonlen,
                 "the leader's record length %d does not end at a record terminator (0x1D); "
                 "the record is damaged",
                 n);
        return true;
    }
    *pos = p + (size_t)n;
    *reclen = n;
    return true;
}

int marc_iso2709_plan(const char *data, size_t len, int nseg, long *starts, long *before,
                      long *records)
{
    size_t pos = 0, at;
    int reclen, s = 0;
    long n = 0;
    char reason[200];
    starts[0] = 0;
    before[0] = 0;
    while (delimit(data, len, &pos, &at, &reclen, reason, sizeof reason)) {
        /* a segment starts at the first record at or after its share of the bytes */
        if (s + 1 < nseg && at >= len / (size_t)nseg * (size_t)(s + 1) && n > before[s]) {
            s++;
            starts[s] = (long)at;
            before[s] = n;
        }
        n++;
    }
    *records = n;
    return s + 1;
}

/* MARC21 and UNIMARC both have two indicators and a one-letter subfield
 * code (leader/10 and /11 are '2'); libyaz 5 reads past its buffer when it
 * writes a record that declares other lengths (found by fuzzing). False, with
 * the record failed, when the leader says otherwise. */
static bool leader_lengths_ok(marc_rec *rec, const char *leader, size_t len)
{
    if (len >= 12 && leader[10] == '2' && leader[11] == '2') return true;
    fail(rec, "the leader declares an indicator count or subfield code length other than 2 "
              "(positions 10 and 11 must be '2' in MARC21 and UNIMARC)");
    return false;
}

/* The text of a MARCXML record's leader element (caller xmlFree()s), or NULL. */
static xmlChar *xml_leader(xmlNodePtr record)
{
    for (xmlNodePtr c = record->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && xmlStrcmp(c->name, BAD_CAST "leader") == 0)
            return xmlNodeGetContent(c);
    return NULL;
}

static bool next_iso2709(marc_reader *r, marc_rec *rec)
{
    size_t at;
    int reclen;
    if (!delimit(r->data, r->len, &r->pos, &at, &reclen, rec->reason, sizeof rec->reason))
        return false;
    rec->position = ++r->position;
    rec->offset = (long)at;
    if (reclen == 0) return true; /* rec->reason says why */
    const char *buf = r->data + at;
    if (!leader_lengths_ok(rec, buf, (size_t)reclen)) return true;

    bool utf8 = ibc_utf8_valid(buf, (size_t)reclen - 1);
    bool convert = r->cd != NULL;
    if (r->charset == MARC_UTF8 && !utf8) {
        fail(rec, "the record is not valid UTF-8; if the file is in CP1251 send charset=cp1251, "
                  "if in MARC-8 charset=marc-8");
        return true;
    }
    if (r->charset == MARC_CP1251 && utf8 && has_high_bytes(buf, (size_t)reclen)) {
        fail(rec, "the record's text is UTF-8, not CP1251: send charset=utf-8");
        return true;
    }
    if (r->charset == MARC_MARC8 && utf8 && has_high_bytes(buf, (size_t)reclen)) {
        /* MARC-8 text is never valid UTF-8 with non-ASCII bytes (its diacritics
         * precede their letter); leader/09 'a' says the record is Unicode */
        if (buf[9] != 'a') {
            fail(rec, "the record's text is UTF-8, not MARC-8: send charset=utf-8");
            return true;
        }
        convert = false;
    }

    yaz_marc_iconv(r->mt, convert ? r->cd : NULL);
    int n = yaz_marc_read_iso2709(r->mt, buf, reclen);
    const char *note = yaz_note(r);
    if (n <= 0) {
        fail(rec, "libyaz could not read the record%s%s", note ? ": " : "", note ? note : "");
        return true;
    }
    if (note) {
        fail(rec, "the record is damaged: %s", note);
        return true;
    }
    emit(r, rec);
    return true;
}

static bool is_marc_record(xmlTextReaderPtr xr)
{
    if (xmlTextReaderNodeType(xr) != XML_READER_TYPE_ELEMENT) return false;
    const xmlChar *name = xmlTextReaderConstLocalName(xr);
    if (!name || strcmp((const char *)name, "record") != 0) return false;
    const xmlChar *ns = xmlTextReaderConstNamespaceUri(xr);
    return !ns || strcmp((const char *)ns, "http://www.loc.gov/MARC21/slim") == 0 ||
           strcmp((const char *)ns, "info:lc/xmlns/marcxchange-v1") == 0;
}

static bool next_xml(marc_reader *r, marc_rec *rec)
{
    for (;;) {
        if (r->xml_done) return false;
        if (r->xml_entities) {
            r->xml_done = true;
            rec->position = ++r->position;
            rec->offset = -1;
            rec->line = 1;
            fail(rec, NO_ENTITIES);
            return true;
        }
        int ret = r->xml_next ? xmlTextReaderNext(r->xr) : xmlTextReaderRead(r->xr);
        r->xml_next = false;
        if (ret == 0) {
            r->xml_done = true;
            return false;
        }
        if (ret < 0) {
            r->xml_done = true;
            rec->position = ++r->position;
            rec->offset = -1;
            rec->line = r->xml_err_line;
            fail(rec, "the MARCXML is not well-formed at line %d, so reading stops here: %s",
                 r->xml_err_line, r->xml_err[0] ? r->xml_err : "malformed XML");
            return true;
        }
        if (!is_marc_record(r->xr)) continue;
        rec->position = ++r->position;
        rec->offset = -1;
        rec->line = xmlTextReaderGetParserLineNumber(r->xr);
        if (rec->position <= r->skip) {
            r->xml_next = true;
            continue;
        }
        xmlNodePtr node = xmlTextReaderExpand(r->xr);
        r->xml_next = true;
        if (!node) {
            r->xml_done = true;
            fail(rec, "the MARCXML is not well-formed at line %d, so reading stops here: %s",
                 r->xml_err_line, r->xml_err[0] ? r->xml_err : "malformed XML");
            return true;
        }
        xmlChar *leader = xml_leader(node);
        bool lengths_ok =
            !leader || leader_lengths_ok(rec, (const char *)leader, strlen((char *)leader));
        xmlFree(leader);
        if (!lengths_ok) return true;
        yaz_marc_iconv(r->mt, NULL);
        int n = yaz_marc_read_xml(r->mt, node);
        const char *note = yaz_note(r);
        if (n != 0) {
            fail(rec, "the MARCXML record is not valid%s%s", note ? ": " : "", note ? note : "");
            return true;
        }
        emit(r, rec);
        return true;
    }
}

bool marc_reader_next(marc_reader *r, marc_rec *rec)
{
    marc_rec_clear(rec);
    return r->syntax == MARC_ISO2709 ? next_iso2709(r, rec) : next_xml(r, rec);
}

bool marc_sniff(const char *data, size_t len, marc_syntax syntax, long *count, char *err,
                size_t errlen)
{
    *count = 0;
    size_t i = 0;
    while (i < len && strchr("\r\n\t ", data[i]) && data[i])
        i++;
    if (i == len) {
        snprintf(err, errlen, "the file is empty: send the MARC records as the body");
        return false;
    }
    if (syntax == MARC_ISO2709) {
        if (data[i] == '<') {
            snprintf(err, errlen,
                     "the body looks like XML, not ISO 2709: send MARCXML as "
                     "Content-Type application/marcxml+xml");
            return false;
        }
        if (len - i < 25 || !digits(data + i, 5) || atoi_n(data + i, 5) < 25) {
            snprintf(err, errlen,
                     "the body is not ISO 2709 MARC: it does not start with a record leader "
                     "(the record length in 5 digits)");
            return false;
        }
        int reclen = atoi_n(data + i, 5);
        if ((size_t)reclen > len - i) {
            snprintf(err, errlen,
                     "the file is truncated: its first record needs %d bytes, the file has %zu",
                     reclen, len - i);
            return false;
        }
        return true;
    }
    if (declares_entities(data, len)) {
        snprintf(err, errlen, NO_ENTITIES);
        return false;
    }
    marc_reader probe = {0};
    xmlTextReaderPtr xr = xml_open(data, len, &probe);
    if (!xr) {
        snprintf(err, errlen, "the MARCXML could not be read");
        return false;
    }
    int ret;
    while ((ret = xmlTextReaderRead(xr)) == 1)
        if (is_marc_record(xr)) (*count)++;
    xmlFreeTextReader(xr);
    if (ret < 0) {
        snprintf(err, errlen, "the MARCXML is not well-formed (line %d: %s)", probe.xml_err_line,
                 probe.xml_err[0] ? probe.xml_err : "malformed XML");
        return false;
    }
    if (*count == 0) {
        snprintf(err, errlen, "the MARCXML holds no record element of the MARC21 slim namespace");
        return false;
    }
    return true;
}
