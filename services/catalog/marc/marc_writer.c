/* Export writing with libyaz (see marc_writer.h). Kept MARCXML is parsed with
 * libxml2 and read by yaz; built records go through yaz's MARC-in-JSON reader;
 * yaz then writes the requested syntax. MARCXML kept at import is already what
 * yaz writes, so for MARCXML output it is copied as it is. */
#include "marc_writer.h"
#include "marc_reader.h"

#include <libxml/parser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaz/json.h>
#include <yaz/marcdisp.h>

struct marc_writer {
    marc_out out;
    bool cp1251;
    yaz_iconv_t cd; /* UTF-8 to CP1251, or NULL */
    yaz_marc_t mt;
    WRBUF wr;
    bool first;
};

marc_writer *marc_writer_open(marc_out out, bool cp1251)
{
    marc_xml_init();
    marc_writer *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    w->out = out;
    w->first = true;
    w->cp1251 = cp1251 && out != MARC_OUT_JSON;
    w->mt = yaz_marc_create();
    w->wr = wrbuf_alloc();
    if (w->cp1251) w->cd = yaz_iconv_open("cp1251", "utf-8");
    if (!w->mt || !w->wr || (w->cp1251 && !w->cd)) {
        marc_writer_close(w);
        return NULL;
    }
    if (w->cd) {
        yaz_marc_iconv(w->mt, w->cd);
        /* leader/09 blank: not UCS (MARC21); RUSMARC says its sets in 100$a */
        yaz_marc_leader_spec(w->mt, "9=32");
    }
    return w;
}

void marc_writer_close(marc_writer *w)
{
    if (!w) return;
    if (w->mt) yaz_marc_destroy(w->mt);
    if (w->cd) yaz_iconv_close(w->cd);
    if (w->wr) wrbuf_destroy(w->wr);
    free(w);
}

const char *marc_out_content_type(marc_out out)
{
    return out == MARC_OUT_ISO2709   ? "application/marc"
           : out == MARC_OUT_MARCXML ? "application/marcxml+xml"
                                     : "application/json";
}

const char *marc_writer_head(marc_out out, bool cp1251)
{
    if (out == MARC_OUT_MARCXML)
        return cp1251 ? "<?xml version=\"1.0\" encoding=\"windows-1251\"?>\n"
                        "<collection xmlns=\"http://www.loc.gov/MARC21/slim\">\n"
                      : "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                        "<collection xmlns=\"http://www.loc.gov/MARC21/slim\">\n";
    return out == MARC_OUT_JSON ? "[" : "";
}

const char *marc_writer_tail(marc_out out)
{
    return out == MARC_OUT_MARCXML ? "</collection>\n" : out == MARC_OUT_JSON ? "]\n" : "";
}

/* Writes the record yaz holds in the output syntax into w->wr. */
static bool write_out(marc_writer *w, char *err, size_t errlen)
{
    wrbuf_rewind(w->wr);
    if (w->out == MARC_OUT_JSON && !w->first) wrbuf_puts(w->wr, ",\n");
    int rc = w->out == MARC_OUT_ISO2709   ? yaz_marc_write_iso2709(w->mt, w->wr)
             : w->out == MARC_OUT_MARCXML ? yaz_marc_write_marcxml(w->mt, w->wr)
                                          : yaz_marc_write_json(w->mt, w->wr);
    if (rc != 0) {
        snprintf(err, errlen, "libyaz could not write the record");
        return false;
    }
    w->first = false;
    return true;
}

bool marc_writer_xml(marc_writer *w, const char *marcxml, const char **data, size_t *len, char *err,
                     size_t errlen)
{
    if (w->out == MARC_OUT_MARCXML && !w->cp1251) {
        *data = marcxml;
        *len = strlen(marcxml);
        return true;
    }
    xmlDocPtr doc = xmlReadMemory(marcxml, (int)strlen(marcxml), NULL, "UTF-8",
                                  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!doc) {
        snprintf(err, errlen, "the kept MARCXML is not well-formed");
        return false;
    }
    bool ok = yaz_marc_read_xml(w->mt, xmlDocGetRootElement(doc)) == 0;
    if (!ok) snprintf(err, errlen, "libyaz could not read the kept MARCXML");
    /* yaz's nodes point into the document: write before freeing it */
    if (ok) ok = write_out(w, err, errlen);
    xmlFreeDoc(doc);
    if (!ok) return false;
    *data = wrbuf_buf(w->wr);
    *len = wrbuf_len(w->wr);
    return true;
}

bool marc_writer_json(marc_writer *w, const json_t *marc, const char **data, size_t *len, char *err,
                      size_t errlen)
{
    char *text = json_dumps(marc, JSON_COMPACT);
    const char *msg = NULL;
    struct json_node *n = text ? json_parse(text, &msg) : NULL;
    free(text);
    if (!n) {
        snprintf(err, errlen, "the record could not be turned into MARC: %s", msg ? msg : "?");
        return false;
    }
    yaz_marc_reset(w->mt);
    bool ok = yaz_marc_read_json_node(w->mt, n) == 0;
    if (!ok) snprintf(err, errlen, "libyaz could not read the built record");
    if (ok) ok = write_out(w, err, errlen);
    json_remove_node(n);
    if (!ok) return false;
    *data = wrbuf_buf(w->wr);
    *len = wrbuf_len(w->wr);
    return true;
}
