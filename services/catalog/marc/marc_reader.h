/* Reading a MARC file record by record with libyaz: ISO 2709 (UTF-8, CP1251
 * or MARC-8) or MARCXML. Each record comes out as yaz's MARC-in-JSON (for the
 * mapping) and as UTF-8 MARCXML (kept for a faithful round trip), or with the
 * reason it could not be read. A broken record never stops the reader. Pure
 * code: no database, no bus. */
#ifndef CATALOG_MARC_READER_H
#define CATALOG_MARC_READER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

typedef enum { MARC_ISO2709, MARC_XML } marc_syntax;
typedef enum { MARC_UTF8, MARC_CP1251, MARC_MARC8 } marc_charset;

/* One record of the file. */
typedef struct {
    long position; /* 1-based record number in the file */
    long offset;   /* byte offset of the record in the file (ISO 2709), -1 for MARCXML */
    long line;     /* MARCXML: line of the record element; 0 for ISO 2709 */
    json_t *marc; /* {"leader": "...", "fields": [...]} in UTF-8, new reference; NULL when failed */
    char *marcxml;    /* the record as MARCXML in UTF-8 (malloc'd); NULL when failed */
    char reason[300]; /* why the record could not be read; "" when it could */
} marc_rec;

typedef struct marc_reader marc_reader;

/* Opens a reader over data[0..len) (borrowed: it must outlive the reader).
 * charset is ignored for MARCXML (XML says its own encoding). Returns NULL
 * only when out of memory. */
marc_reader *marc_reader_open(const char *data, size_t len, marc_syntax syntax,
                              marc_charset charset);
/* Continues after a resume point: `position` records were already read and
 * the next one starts at byte `offset` (ISO 2709; MARCXML skips records). */
void marc_reader_seek(marc_reader *r, long position, long offset);
/* Reads the next record into rec (cleared first). Returns true when rec holds
 * a record (good or failed), false at the end of the file. */
bool marc_reader_next(marc_reader *r, marc_rec *rec);
/* Byte offset where the next record starts (ISO 2709), or 0 for MARCXML. */
long marc_reader_offset(const marc_reader *r);
/* Records read so far (the position of the last record). */
long marc_reader_position(const marc_reader *r);
void marc_reader_close(marc_reader *r);
/* Frees what rec holds and zeroes it. */
void marc_rec_clear(marc_rec *rec);

/* Splits an ISO 2709 file into at most nseg segments of about equal size at
 * record boundaries (as the reader delimits records), so that they can be
 * imported in parallel: segment s starts at byte starts[s] after before[s]
 * records. Returns the number of segments; *records = records in the file. */
int marc_iso2709_plan(const char *data, size_t len, int nseg, long *starts, long *before,
                      long *records);

/* Checks quickly that data looks like the syntax claimed, so that a file of
 * garbage, an empty file or a truncated MARCXML are refused at once. Returns
 * true, or false with a sentence for the caller in err. For MARCXML it parses
 * the whole document and *count gets the number of records (ISO 2709: 0). */
bool marc_sniff(const char *data, size_t len, marc_syntax syntax, long *count, char *err,
                size_t errlen);

/* Calls xmlInitParser once; any thread may call it. */
void marc_xml_init(void);

#endif
