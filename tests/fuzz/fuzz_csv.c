/* libFuzzer target: the CSV of the reports (shared/src/csv.c, used by the
 * monitoring and catalog services). The input is a table: rows split at '\n', fields at '\t', a field
 * starting with '#' written as a number. What csv.c writes is read back
 * with an RFC 4180 reader (';' between fields, CRLF between rows) and must
 * give the same rows and fields: text exactly, with the apostrophe that
 * defuses a formula in front; numbers as their digits. */
#include <ibc/csv.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAXF 4096

typedef struct {
    char *f[MAXF];
    int rowlen[MAXF];
    int nf, nrows;
} table;

/* Reads the CSV (after the BOM) into t; returns false when it is malformed. */
static bool read_csv(const char *s, size_t len, table *t)
{
    if (len < 3 || memcmp(s, "\xEF\xBB\xBF", 3) != 0) return false;
    size_t i = 3;
    int inrow = 0;
    while (i < len) {
        char *field = malloc(len + 1);
        size_t o = 0;
        if (s[i] == '"') {
            for (i++;; i++) {
                if (i >= len) return free(field), false;
                if (s[i] == '"' && i + 1 < len && s[i + 1] == '"')
                    field[o++] = '"', i++;
                else if (s[i] == '"')
                    break;
                else
                    field[o++] = s[i];
            }
            i++;
        } else {
            while (i < len && s[i] != ';' && s[i] != '\r' && s[i] != '\n' && s[i] != '"')
                field[o++] = s[i++];
            if (i < len && (s[i] == '"' || s[i] == '\n')) return free(field), false;
        }
        field[o] = 0;
        if (t->nf >= MAXF) return free(field), false;
        t->f[t->nf++] = field;
        inrow++;
        if (i < len && s[i] == ';') {
            i++;
            continue;
        }
        if (i + 1 >= len || s[i] != '\r' || s[i + 1] != '\n') return false;
        i += 2;
        t->rowlen[t->nrows++] = inrow;
        inrow = 0;
    }
    return inrow == 0;
}

/* What a number field reads back as. */
static void number_text(const char *s, char *out)
{
    for (; *s; s++) {
        char c = *s == '.' ? ',' : *s;
        if ((c >= '0' && c <= '9') || c == ',' || c == '-' || c == 'e' || c == 'E' || c == '+')
            *out++ = c;
    }
    *out = 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096 || memchr(data, 0, size)) return 0;
    char *in = malloc(size + 1);
    memcpy(in, data, size);
    in[size] = 0;
    ibc_csv_buf b;
    if (!ibc_csv_init(&b)) __builtin_trap();
    char *expect[MAXF];
    int nexpect = 0, rows[MAXF], nrows = 0, inrow = 0;
    char *save = NULL;
    for (char *line = strtok_r(in, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *fs = NULL;
        for (char *f = strtok_r(line, "\t", &fs); f && nexpect < MAXF - 1;
             f = strtok_r(NULL, "\t", &fs)) {
            char *want = malloc(2 * strlen(f) + 2);
            if (f[0] == '#') {
                ibc_csv_number(&b, f + 1);
                number_text(f + 1, want);
            } else {
                ibc_csv_text(&b, f);
                bool formula = strchr("=+-@\t\r", f[0]) != NULL;
                strcpy(want, formula ? "'" : "");
                strcat(want, f);
            }
            expect[nexpect++] = want;
            inrow++;
        }
        if (inrow) ibc_csv_end_row(&b), rows[nrows++] = inrow, inrow = 0;
    }
    size_t len;
    char *out = ibc_csv_take(&b, &len);
    if (!out || strlen(out) != len) __builtin_trap();
    table *t = calloc(1, sizeof *t);
    if (!read_csv(out, len, t) || t->nf != nexpect || t->nrows != nrows) __builtin_trap();
    for (int i = 0; i < nexpect; i++)
        if (strcmp(t->f[i], expect[i]) != 0) __builtin_trap();
    for (int i = 0; i < nrows; i++)
        if (t->rowlen[i] != rows[i]) __builtin_trap();
    for (int i = 0; i < t->nf; i++)
        free(t->f[i]);
    for (int i = 0; i < nexpect; i++)
        free(expect[i]);
    free(t), free(out), free(in);
    return 0;
}
