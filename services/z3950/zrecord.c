/* Record conversion with libyaz (see zrecord.h). */
#include "zrecord.h"

#include <libxml/parser.h>
#include <stdio.h>
#include <string.h>
#include <yaz/marcdisp.h>
#include <yaz/oid_db.h>
#include <yaz/proto.h>
#include <yaz/wrbuf.h>

char *zrec_marcxml(ODR o, const json_t *rec, int *len)
{
    const char *x = json_string_value(json_object_get(rec, "marcxml"));
    if (!x) return NULL;
    if (strncmp(x, "<?xml", 5) == 0) { /* inside an SRU response: no declaration */
        const char *end = strstr(x, "?>");
        x = end ? end + 2 : x;
        while (*x == '\n' || *x == '\r' || *x == ' ')
            x++;
    }
    *len = (int)strlen(x);
    return odr_strdup(o, x);
}

/* The ISO 2709 the catalog wrote (form iso2709 or opac), in o's memory. */
static char *iso2709_as_sent(ODR o, const json_t *v, int *len)
{
    size_t n = json_string_length(v);
    if (n < 24 || n > 99999) return NULL; /* a leader at least; ISO 2709's own limit */
    char *out = (char *)odr_malloc(o, n + 1);
    memcpy(out, json_string_value(v), n);
    out[n] = 0;
    *len = (int)n;
    return out;
}

char *zrec_iso2709(ODR o, const json_t *rec, int *len)
{
    const json_t *iso = json_object_get(rec, "iso2709");
    if (json_is_string(iso)) return iso2709_as_sent(o, iso, len);
    const char *x = json_string_value(json_object_get(rec, "marcxml"));
    if (!x) return NULL;
    xmlDocPtr doc = xmlReadMemory(x, (int)strlen(x), NULL, "UTF-8",
                                  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!doc) return NULL;
    yaz_marc_t mt = yaz_marc_create();
    WRBUF w = wrbuf_alloc();
    char *out = NULL;
    /* yaz's nodes point into the document: write before freeing it */
    if (yaz_marc_read_xml(mt, xmlDocGetRootElement(doc)) == 0 &&
        yaz_marc_write_iso2709(mt, w) == 0) {
        *len = (int)wrbuf_len(w);
        out = (char *)odr_malloc(o, wrbuf_len(w) + 1);
        memcpy(out, wrbuf_buf(w), wrbuf_len(w));
        out[*len] = 0;
    }
    xmlFreeDoc(doc);
    wrbuf_destroy(w);
    yaz_marc_destroy(mt);
    return out;
}

/* One school's holdings with its circulation record. */
static Z_HoldingsRecord *holding(ODR o, const json_t *h)
{
    Z_HoldingsRecord *hr = (Z_HoldingsRecord *)odr_malloc(o, sizeof *hr);
    Z_HoldingsAndCircData *hc = (Z_HoldingsAndCircData *)odr_malloc(o, sizeof *hc);
    memset(hc, 0, sizeof *hc);
    hr->which = Z_HoldingsRecord_holdingsAndCirc;
    hr->u.holdingsAndCirc = hc;
    const char *school = json_string_value(json_object_get(h, "school"));
    const char *loc = json_string_value(json_object_get(h, "location"));
    long held = (long)json_integer_value(json_object_get(h, "held"));
    long avail = (long)json_integer_value(json_object_get(h, "available"));
    char note[80];
    snprintf(note, sizeof note, "%ld of %ld copies available", avail, held);
    hc->nucCode = odr_strdup(o, school ? school : "");
    hc->localLocation = odr_strdup(o, school ? school : "");
    if (loc) hc->shelvingLocation = odr_strdup(o, loc);
    hc->publicNote = odr_strdup(o, note);
    Z_CircRecord *c = (Z_CircRecord *)odr_malloc(o, sizeof *c);
    memset(c, 0, sizeof *c);
    c->availableNow = odr_booldup(o, avail > 0);
    c->renewable = odr_booldup(o, 0);
    c->onHold = odr_booldup(o, 0);
    hc->num_circulationData = 1;
    hc->circulationData = (Z_CircRecord **)odr_malloc(o, sizeof *hc->circulationData);
    hc->circulationData[0] = c;
    return hr;
}

Z_OPACRecord *zrec_opac(ODR o, const json_t *rec)
{
    int len = 0;
    char *marc = zrec_iso2709(o, rec, &len);
    if (!marc) return NULL;
    Z_OPACRecord *r = (Z_OPACRecord *)odr_malloc(o, sizeof *r);
    r->bibliographicRecord = z_ext_record_oid(o, yaz_oid_recsyn_usmarc, marc, len);
    const json_t *hs = json_object_get(rec, "holdings");
    r->num_holdingsData = (int)json_array_size(hs);
    r->holdingsData = r->num_holdingsData
                          ? (Z_HoldingsRecord **)odr_malloc(o, sizeof *r->holdingsData *
                                                                   (size_t)r->num_holdingsData)
                          : NULL;
    for (int i = 0; i < r->num_holdingsData; i++)
        r->holdingsData[i] = holding(o, json_array_get(hs, (size_t)i));
    return r->bibliographicRecord ? r : NULL;
}

/* Appends <dc:name>value</dc:name> with value escaped. */
static void dc_element(WRBUF w, const char *name, const json_t *v)
{
    char num[32];
    const char *s = json_string_value(v);
    if (json_is_integer(v)) {
        snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
        s = num;
    }
    if (!s) return;
    wrbuf_printf(w, "  <dc:%s>", name);
    wrbuf_xmlputs(w, s);
    wrbuf_printf(w, "</dc:%s>\n", name);
}

char *zrec_dc(ODR o, const json_t *rec, int *len)
{
    static const char *const names[] = {"title",    "creator",     "subject",
                                        "date",     "publisher",   "identifier",
                                        "language", "description", "type"};
    const json_t *dc = json_object_get(rec, "dc");
    WRBUF w = wrbuf_alloc();
    wrbuf_puts(w, "<srw_dc:dc xmlns:srw_dc=\"info:srw/schema/1/dc-schema\""
                  " xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n");
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const json_t *v = json_object_get(dc, names[i]);
        size_t k;
        const json_t *item;
        if (json_is_array(v))
            json_array_foreach(v, k, item) dc_element(w, names[i], item);
        else
            dc_element(w, names[i], v);
    }
    wrbuf_puts(w, "</srw_dc:dc>\n");
    *len = (int)wrbuf_len(w);
    char *out = odr_strdup(o, wrbuf_cstr(w));
    wrbuf_destroy(w);
    return out;
}
