/* XML writing for OAI-PMH (see oai_xml.h). Writes go to ibc_stream_write,
 * which gathers them into 64 KiB chunks: nothing here holds a whole reply. */
#include "oai_xml.h"

#include <stdio.h>
#include <string.h>

void oai_put_n(oai_out *o, const char *s, size_t n)
{
    if (o->rc == IBC_OK && n) o->rc = ibc_stream_write(o->ctx, s, n);
}

void oai_put(oai_out *o, const char *s)
{
    oai_put_n(o, s, strlen(s));
}

/* The entity for c, or NULL when c stays; "" for a byte XML 1.0 cannot
 * carry (C0 controls but tab, newline and carriage return). */
static const char *entity(unsigned char c)
{
    switch (c) {
    case '&':
        return "&amp;";
    case '<':
        return "&lt;";
    case '>':
        return "&gt;";
    case '"':
        return "&quot;";
    case '\t':
    case '\n':
    case '\r':
        return NULL;
    default:
        return c < 0x20 || c == 0x7f ? "" : NULL;
    }
}

void oai_put_text(oai_out *o, const char *s)
{
    const char *run = s;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        /* U+FFFE and U+FFFF (EF BF BE/BF) are not XML characters either */
        bool nonchar = c == 0xEF && (unsigned char)s[1] == 0xBF &&
                       ((unsigned char)s[2] == 0xBE || (unsigned char)s[2] == 0xBF);
        const char *ent = nonchar ? "" : entity(c);
        if (!ent) continue;
        oai_put_n(o, run, (size_t)(s - run));
        oai_put(o, ent);
        if (nonchar) s += 2;
        run = s + 1;
    }
    oai_put_n(o, run, (size_t)(s - run));
}

void oai_put_element(oai_out *o, const char *name, const char *text)
{
    if (!text || !*text) return;
    oai_put(o, "<");
    oai_put(o, name);
    oai_put(o, ">");
    oai_put_text(o, text);
    oai_put(o, "</");
    oai_put(o, name);
    oai_put(o, ">");
}

static const char *str(const json_t *rec, const char *key)
{
    return json_string_value(json_object_get(rec, key));
}

static void put_each(oai_out *o, const char *name, const json_t *arr)
{
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v) oai_put_element(o, name, json_string_value(v));
}

static void put_prefixed(oai_out *o, const char *name, const char *prefix, const char *value)
{
    if (!value || !*value) return;
    oai_put(o, "<");
    oai_put(o, name);
    oai_put(o, ">");
    oai_put(o, prefix);
    oai_put_text(o, value);
    oai_put(o, "</");
    oai_put(o, name);
    oai_put(o, ">");
}

/* The DCMI type of a catalog record type. */
static const char *dcmi_type(const char *type)
{
    if (!type) return NULL;
    if (strcmp(type, "e-resource") == 0) return "InteractiveResource";
    if (strcmp(type, "multimedia") == 0) return "Sound";
    return "Text";
}

static void put_title(oai_out *o, const json_t *rec)
{
    const char *title = str(rec, "title"), *sub = str(rec, "subtitle");
    if (!sub) return oai_put_element(o, "dc:title", title);
    oai_put(o, "<dc:title>");
    oai_put_text(o, title ? title : "");
    oai_put(o, " : ");
    oai_put_text(o, sub);
    oai_put(o, "</dc:title>");
}

void oai_put_dc(oai_out *o, const json_t *rec)
{
    oai_put(o, "<oai_dc:dc xmlns:oai_dc=\"http://www.openarchives.org/OAI/2.0/oai_dc/\""
               " xmlns:dc=\"http://purl.org/dc/elements/1.1/\""
               " xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\""
               " xsi:schemaLocation=\"http://www.openarchives.org/OAI/2.0/oai_dc/"
               " http://www.openarchives.org/OAI/2.0/oai_dc.xsd\">");
    put_title(o, rec);
    put_each(o, "dc:creator", json_object_get(rec, "authors"));
    put_each(o, "dc:subject", json_object_get(rec, "subjects"));
    put_prefixed(o, "dc:subject", "BBK ", str(rec, "bbk"));
    put_prefixed(o, "dc:subject", "UDC ", str(rec, "udk"));
    oai_put_element(o, "dc:description", str(rec, "annotation"));
    oai_put_element(o, "dc:publisher", str(rec, "publisher"));
    json_t *year = json_object_get(rec, "year");
    if (json_is_integer(year)) {
        char y[16];
        snprintf(y, sizeof y, "%lld", (long long)json_integer_value(year));
        oai_put_element(o, "dc:date", y);
    }
    oai_put_element(o, "dc:type", dcmi_type(str(rec, "type")));
    oai_put_element(o, "dc:type", str(rec, "type"));
    put_prefixed(o, "dc:identifier", "urn:isbn:", str(rec, "isbn"));
    put_prefixed(o, "dc:identifier", "urn:issn:", str(rec, "issn"));
    oai_put_element(o, "dc:identifier", str(json_object_get(rec, "eresource"), "url"));
    oai_put_element(o, "dc:language", str(rec, "language"));
    put_prefixed(o, "dc:relation", "series: ", str(rec, "series"));
    put_prefixed(o, "dc:rights", "age rating ", str(rec, "age_rating"));
    oai_put(o, "</oai_dc:dc>");
}
