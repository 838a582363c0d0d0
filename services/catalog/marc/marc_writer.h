/* Writing MARC records for export with libyaz: ISO 2709, MARCXML (a
 * collection) or MARC-in-JSON (an array), in UTF-8 or CP1251. A record comes in as
 * the MARCXML kept at import or as MARC-in-JSON built from its fields. Pure
 * code. */
#ifndef CATALOG_MARC_WRITER_H
#define CATALOG_MARC_WRITER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

typedef enum { MARC_OUT_ISO2709, MARC_OUT_MARCXML, MARC_OUT_JSON } marc_out;

typedef struct marc_writer marc_writer;

/* A writer for one export, in CP1251 when cp1251 (ISO 2709 and MARCXML;
 * MARC-in-JSON is always UTF-8), else UTF-8; NULL when out of memory. */
marc_writer *marc_writer_open(marc_out out, bool cp1251);
void marc_writer_close(marc_writer *w);
/* The media type of the output. */
const char *marc_out_content_type(marc_out out);
/* What opens and closes the output (a collection element, a JSON array). */
const char *marc_writer_head(marc_out out, bool cp1251);
const char *marc_writer_tail(marc_out out);
/* Converts one record kept as MARCXML. On success *data and *len (borrowed until
 * the next call) hold the record as output, with any separator it needs. On
 * failure false with a sentence in err. */
bool marc_writer_xml(marc_writer *w, const char *marcxml, const char **data, size_t *len, char *err,
                     size_t errlen);
/* The same for a record given as MARC-in-JSON (see marc_from_record). */
bool marc_writer_json(marc_writer *w, const json_t *marc, const char **data, size_t *len, char *err,
                      size_t errlen);

#endif
