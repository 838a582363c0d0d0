/* CSV for spreadsheets of Russian users: UTF-8 with a byte-order mark, ';'
 * between fields, CRLF between rows, RFC 4180 quoting, and text that a
 * spreadsheet would take for a formula defused with a leading apostrophe. */
#ifndef IBC_CSV_H
#define IBC_CSV_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    char *data; /* NUL-terminated; the caller takes it with ibc_csv_take */
    size_t len, cap;
    bool row_open; /* a field was written on the current row */
    bool failed;   /* out of memory: every later call does nothing */
} ibc_csv_buf;

/* Starts a buffer with the BOM. Returns false when out of memory. */
bool ibc_csv_init(ibc_csv_buf *b);
/* Appends a text field (NULL writes an empty field). */
void ibc_csv_text(ibc_csv_buf *b, const char *s);
/* Appends a number field as written (digits; '.' becomes ',' for the
 * decimal separator of a Russian spreadsheet). NULL writes an empty field. */
void ibc_csv_number(ibc_csv_buf *b, const char *s);
/* Appends an integer field. */
void ibc_csv_int(ibc_csv_buf *b, long long v);
/* Ends the current row. */
void ibc_csv_end_row(ibc_csv_buf *b);
/* Returns the text (caller frees) and its length; NULL when out of memory. */
char *ibc_csv_take(ibc_csv_buf *b, size_t *len);
/* Frees a buffer not taken. */
void ibc_csv_free(ibc_csv_buf *b);

#endif
