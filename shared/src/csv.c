/* The CSV writer (see csv.h). Pure code. */
#include "ibc/csv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void put(ibc_csv_buf *b, const char *s, size_t n)
{
    if (b->failed) return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (b->len + n + 1 > cap)
            cap *= 2;
        char *d = realloc(b->data, cap);
        if (!d) {
            b->failed = true;
            return;
        }
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = 0;
}

bool ibc_csv_init(ibc_csv_buf *b)
{
    *b = (ibc_csv_buf){0};
    put(b, "\xEF\xBB\xBF", 3);
    return !b->failed;
}

static void separator(ibc_csv_buf *b)
{
    if (b->row_open) put(b, ";", 1);
    b->row_open = true;
}

void ibc_csv_text(ibc_csv_buf *b, const char *s)
{
    separator(b);
    if (!s || !*s) return;
    /* a leading = + - @ (or tab/CR) would make a spreadsheet run a formula */
    bool formula = strchr("=+-@\t\r", s[0]) != NULL;
    bool quote = formula || strpbrk(s, ";\"\r\n") != NULL;
    if (!quote) {
        put(b, s, strlen(s));
        return;
    }
    put(b, "\"", 1);
    if (formula) put(b, "'", 1);
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            put(b, "\"\"", 2);
        else
            put(b, p, 1);
    }
    put(b, "\"", 1);
}

void ibc_csv_number(ibc_csv_buf *b, const char *s)
{
    separator(b);
    if (!s) return;
    for (const char *p = s; *p; p++) {
        char c = *p == '.' ? ',' : *p;
        bool ok =
            (c >= '0' && c <= '9') || c == ',' || c == '-' || c == 'e' || c == 'E' || c == '+';
        if (ok) put(b, &c, 1);
    }
}

void ibc_csv_int(ibc_csv_buf *b, long long v)
{
    char n[32];
    snprintf(n, sizeof n, "%lld", v);
    ibc_csv_number(b, n);
}

void ibc_csv_end_row(ibc_csv_buf *b)
{
    put(b, "\r\n", 2);
    b->row_open = false;
}

char *ibc_csv_take(ibc_csv_buf *b, size_t *len)
{
    if (b->failed) {
        ibc_csv_free(b);
        return NULL;
    }
    char *d = b->data;
    *len = b->len;
    *b = (ibc_csv_buf){0};
    return d;
}

void ibc_csv_free(ibc_csv_buf *b)
{
    free(b->data);
    *b = (ibc_csv_buf){0};
}
