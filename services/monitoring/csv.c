/* The CSV writer (see csv.h). Pure code. */
#include "csv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void put(csv_buf *b, const char *s, size_t n)
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

bool csv_init(csv_buf *b)
{
    *b = (csv_buf){0};
    put(b, "\xEF\xBB\xBF", 3);
    return !b->failed;
}

static void separator(csv_buf *b)
{
    if (b->row_open) put(b, ";", 1);
    b->row_open = true;
}

void csv_text(csv_buf *b, const char *s)
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

void csv_number(csv_buf *b, const char *s)
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

void csv_int(csv_buf *b, long long v)
{
    char n[32];
    snprintf(n, sizeof n, "%lld", v);
    csv_number(b, n);
}

void csv_end_row(csv_buf *b)
{
    put(b, "\r\n", 2);
    b->row_open = false;
}

char *csv_take(csv_buf *b, size_t *len)
{
    if (b->failed) {
        csv_free(b);
        return NULL;
    }
    char *d = b->data;
    *len = b->len;
    *b = (csv_buf){0};
    return d;
}

void csv_free(csv_buf *b)
{
    free(b->data);
    *b = (csv_buf){0};
}
