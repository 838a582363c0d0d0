/* Reports as CSV and XLSX (see ibc/report.h). */
#include "ibc/report.h"
#include "ibc/csv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xlsxwriter.h>

/* "-1234.05" for -123405 kopecks; out holds 32 bytes. */
static void roubles(long long kopecks, char *out)
{
    unsigned long long a = kopecks < 0 ? -(unsigned long long)kopecks : (unsigned long long)kopecks;
    snprintf(out, 32, "%s%llu.%02llu", kopecks < 0 ? "-" : "", a / 100, a % 100);
}

static void csv_cell(ibc_csv_buf *b, ibc_col_kind kind, const json_t *v)
{
    char n[32];
    if (json_is_integer(v) && (kind == IBC_COL_KOPECKS || kind == IBC_COL_HUNDREDTHS)) {
        roubles(json_integer_value(v), n);
        ibc_csv_number(b, n);
    } else if (json_is_integer(v))
        ibc_csv_int(b, json_integer_value(v));
    else
        ibc_csv_text(b, json_string_value(v));
}

static bool same_columns(const ibc_sheet *sheets, size_t n)
{
    for (size_t s = 1; s < n; s++) {
        if (sheets[s].ncols != sheets[0].ncols) return false;
        for (size_t c = 0; c < sheets[0].ncols; c++)
            if (strcmp(sheets[s].cols[c].title, sheets[0].cols[c].title) != 0) return false;
    }
    return true;
}

static void csv_header(ibc_csv_buf *b, const ibc_sheet *s, bool named)
{
    if (named) ibc_csv_text(b, "");
    for (size_t c = 0; c < s->ncols; c++)
        ibc_csv_text(b, s->cols[c].title);
    ibc_csv_end_row(b);
}

static void csv_rows(ibc_csv_buf *b, const ibc_sheet *s, bool named)
{
    size_t i;
    const json_t *row;
    json_array_foreach(s->rows, i, row)
    {
        if (named) ibc_csv_text(b, s->name);
        for (size_t c = 0; c < s->ncols; c++)
            csv_cell(b, s->cols[c].kind, json_array_get(row, c));
        ibc_csv_end_row(b);
    }
}

char *ibc_report_csv(const ibc_sheet *sheets, size_t n, size_t *len)
{
    ibc_csv_buf b;
    if (!ibc_csv_init(&b)) return NULL;
    if (n == 0 || same_columns(sheets, n)) {
        if (n > 0) csv_header(&b, &sheets[0], n > 1);
        for (size_t s = 0; s < n; s++)
            csv_rows(&b, &sheets[s], n > 1);
        return ibc_csv_take(&b, len);
    }
    for (size_t s = 0; s < n; s++) {
        if (s > 0) ibc_csv_end_row(&b);
        ibc_csv_text(&b, sheets[s].name);
        ibc_csv_end_row(&b);
        csv_header(&b, &sheets[s], false);
        csv_rows(&b, &sheets[s], false);
    }
    return ibc_csv_take(&b, len);
}

typedef struct {
    lxw_format *header, *count, *money, *date;
} formats;

static void xlsx_cell(lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, ibc_col_kind kind,
                      const json_t *v, const formats *f)
{
    if (json_is_integer(v) && (kind == IBC_COL_KOPECKS || kind == IBC_COL_HUNDREDTHS))
        /* a spreadsheet's numbers are doubles; kopecks / 100 shows exactly at two decimals */
        worksheet_write_number(ws, r, c, (double)json_integer_value(v) / 100.0, f->money);
    else if (json_is_integer(v))
        worksheet_write_number(ws, r, c, (double)json_integer_value(v), f->count);
    else if (json_is_string(v) && kind == IBC_COL_DATE) {
        lxw_datetime d = {0};
        if (sscanf(json_string_value(v), "%4d-%2d-%2d", &d.year, &d.month, &d.day) == 3)
            worksheet_write_datetime(ws, r, c, &d, f->date);
        else
            worksheet_write_string(ws, r, c, json_string_value(v), NULL);
    } else if (json_is_string(v))
        worksheet_write_string(ws, r, c, json_string_value(v), NULL);
}

static void xlsx_sheet(lxw_workbook *wb, const ibc_sheet *s, const formats *f)
{
    lxw_worksheet *ws = workbook_add_worksheet(wb, s->name);
    if (!ws) return;
    for (size_t c = 0; c < s->ncols; c++) {
        worksheet_write_string(ws, 0, (lxw_col_t)c, s->cols[c].title, f->header);
        worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c,
                             s->cols[c].kind == IBC_COL_TEXT ? 28 : 14, NULL);
    }
    worksheet_freeze_panes(ws, 1, 0);
    size_t i;
    const json_t *row;
    json_array_foreach(s->rows, i, row)
    {
        for (size_t c = 0; c < s->ncols; c++)
            xlsx_cell(ws, (lxw_row_t)(i + 1), (lxw_col_t)c, s->cols[c].kind, json_array_get(row, c),
                      f);
    }
}

/* Reads the whole file into a new buffer; NULL on failure. */
static char *slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) return NULL;
    struct stat st;
    char *data = NULL;
    if (fstat(fileno(fp), &st) == 0 && (data = malloc((size_t)st.st_size + 1)) &&
        fread(data, 1, (size_t)st.st_size, fp) != (size_t)st.st_size) {
        free(data);
        data = NULL;
    }
    if (data) *len = (size_t)st.st_size;
    fclose(fp);
    return data;
}

char *ibc_report_xlsx(const ibc_sheet *sheets, size_t n, size_t *len, char *err, size_t errlen)
{
    const char *dir = getenv("TMPDIR");
    char path[512];
    snprintf(path, sizeof path, "%s/ibc-report-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0) {
        snprintf(err, errlen, "no temporary file could be made for the workbook");
        return NULL;
    }
    close(fd);
    lxw_workbook_options opt = {.constant_memory = LXW_FALSE, .tmpdir = NULL};
    lxw_workbook *wb = workbook_new_opt(path, &opt);
    char *data = NULL;
    if (wb) {
        formats f = {workbook_add_format(wb), workbook_add_format(wb), workbook_add_format(wb),
                     workbook_add_format(wb)};
        format_set_bold(f.header);
        format_set_text_wrap(f.header);
        format_set_bottom(f.header, LXW_BORDER_THIN);
        format_set_bg_color(f.header, 0xDDEBF7);
        format_set_num_format(f.count, "#,##0");
        format_set_num_format(f.money, "#,##0.00");
        format_set_num_format(f.date, "dd.mm.yyyy");
        for (size_t s = 0; s < n; s++)
            xlsx_sheet(wb, &sheets[s], &f);
        lxw_error e = workbook_close(wb);
        if (e == LXW_NO_ERROR)
            data = slurp(path, len);
        else
            snprintf(err, errlen, "the workbook could not be written: %s", lxw_strerror(e));
    } else
        snprintf(err, errlen, "the workbook could not be started");
    if (!data && !*err) snprintf(err, errlen, "the workbook could not be read back");
    unlink(path);
    return data;
}

ibc_rc ibc_report_reply(ibc_ctx *ctx, const char *format, const ibc_sheet *sheets, size_t n,
                        const char *basename)
{
    char err[256] = "";
    size_t len = 0;
    bool xlsx = strcmp(format, "xlsx") == 0;
    char *data =
        xlsx ? ibc_report_xlsx(sheets, n, &len, err, sizeof err) : ibc_report_csv(sheets, n, &len);
    if (!data)
        return ibc_fail(ctx, xlsx ? IBC_EINTERNAL : IBC_ENOMEM, "%s",
                        err[0] ? err : "out of memory");
    ctx->raw = data;
    ctx->raw_len = len;
    ctx->content_type = xlsx ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                             : "text/csv; charset=utf-8";
    char cd[200];
    snprintf(cd, sizeof cd, "attachment; filename=\"%s.%s\"", basename, xlsx ? "xlsx" : "csv");
    ibc_set_header(ctx, "Content-Disposition", cd);
    return IBC_OK;
}
