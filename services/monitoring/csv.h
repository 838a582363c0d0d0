/* CSV for spreadsheets of Russian users: UTF-8 with a byte-order mark, ';'
 * between fields, CRLF between rows, RFC 4180 quoting, and text that a
 * spreadsheet would take for a formula defused with a leading apostrophe. */
#ifndef MON_CSV_H
#define MON_CSV_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    char *data; /* NUL-terminated; the caller takes it with csv_take */
    size_t len, cap;
    bool row_open; /* a field was written on the current row */
    bool failed;   /* out of memory: every later call does nothing */
} csv_buf;

/* Starts a buffer with the BOM. Returns false when out of memory. */
bool csv_init(csv_buf *b);
/* Appends a text field (NULL writes an empty field). */
void csv_text(csv_buf *b, const char *s);
/* Appends a number field as written (digits; '.' becomes ',' for the
 * decimal separator of a Russian spreadsheet). NULL writes an empty field. */
void csv_number(csv_buf *b, const char *s);
/* Appends an integer field. */
void csv_int(csv_buf *b, long long v);
/* Ends the current row. */
void csv_end_row(csv_buf *b);
/* Returns the text (caller frees) and its length; NULL when out of memory. */
char *csv_take(csv_buf *b, size_t *len);
/* Frees a buffer not taken. */
void csv_free(csv_buf *b);

#endif
