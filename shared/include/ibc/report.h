/* Reports as spreadsheets: one table (or several, a sheet each) written as
 * CSV (ibc/csv.h: UTF-8 with BOM, ';') or as XLSX (libxlsxwriter: a bold
 * header row that stays in view, number formats for counts, roubles and
 * dates). Services build the rows, this writes them. Links libxlsxwriter:
 * only the services that write reports link it (library ibc_report). */
#ifndef IBC_REPORT_H
#define IBC_REPORT_H

#include "context.h"

#include <jansson.h>
#include <stddef.h>

typedef enum {
    IBC_COL_TEXT,       /* a string (or null) */
    IBC_COL_INT,        /* an integer (or null) */
    IBC_COL_KOPECKS,    /* an integer of kopecks, shown as roubles with two decimals */
    IBC_COL_HUNDREDTHS, /* an integer of hundredths (a ratio), shown with two decimals */
    IBC_COL_DATE,       /* "YYYY-MM-DD" (or null), a real date in XLSX */
} ibc_col_kind;

typedef struct {
    const char *title;
    ibc_col_kind kind;
} ibc_col;

typedef struct {
    const char *name; /* the sheet's name (at most 31 characters); CSV's first column
                       * when there are several sheets */
    const ibc_col *cols;
    size_t ncols;
    const json_t *rows; /* array of arrays of ncols values each; borrowed */
} ibc_sheet;

/* The CSV of the sheets. Sheets with the same columns go one after another
 * under one header row, their name leading each row; sheets whose columns
 * differ are sections: the sheet's name on a row of its own, its header row,
 * its rows, and an empty row before the next. Returns a new buffer (caller
 * frees) and its length in *len; NULL when out of memory. */
char *ibc_report_csv(const ibc_sheet *sheets, size_t n, size_t *len);

/* The XLSX workbook of the sheets, written through a temporary file in
 * TMPDIR (or /tmp) that is removed. Returns a new buffer (caller frees) and
 * its length; NULL with a sentence in err when the file cannot be written. */
char *ibc_report_xlsx(const ibc_sheet *sheets, size_t n, size_t *len, char *err, size_t errlen);

/* Answers the call with the sheets as `format` ("csv" or "xlsx") and a
 * Content-Disposition naming `basename` with the format's extension. */
ibc_rc ibc_report_reply(ibc_ctx *ctx, const char *format, const ibc_sheet *sheets, size_t n,
                        const char *basename);

#endif
