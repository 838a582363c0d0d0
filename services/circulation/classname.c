/* Normalising school class names (see classname.h). Pure code. */
#include "classname.h"

#include <stdint.h>
#include <string.h>

/* Decodes one UTF-8 sequence at *s (valid UTF-8 assumed); advances *s. */
static uint32_t next_cp(const unsigned char **s)
{
    const unsigned char *p = *s;
    uint32_t c = p[0];
    int n = 0;
    if (c >= 0xF0)
        c &= 0x07, n = 3;
    else if (c >= 0xE0)
        c &= 0x0F, n = 2;
    else if (c >= 0xC0)
        c &= 0x1F, n = 1;
    p++;
    for (int i = 0; i < n && (*p & 0xC0) == 0x80; i++)
        c = (c << 6) | (*p++ & 0x3F);
    *s = p;
    return c;
}

/* Appends cp to out as UTF-8; false when it does not fit (with the NUL). */
static bool put_cp(char *out, size_t outlen, size_t *o, uint32_t cp)
{
    unsigned char b[4];
    size_t n;
    if (cp < 0x80)
        b[0] = (unsigned char)cp, n = 1;
    else if (cp < 0x800)
        b[0] = 0xC0 | (cp >> 6), b[1] = 0x80 | (cp & 0x3F), n = 2;
    else if (cp < 0x10000)
        b[0] = 0xE0 | (cp >> 12), b[1] = 0x80 | ((cp >> 6) & 0x3F), b[2] = 0x80 | (cp & 0x3F),
        n = 3;
    else
        b[0] = 0xF0 | (cp >> 18), b[1] = 0x80 | ((cp >> 12) & 0x3F),
        b[2] = 0x80 | ((cp >> 6) & 0x3F), b[3] = 0x80 | (cp & 0x3F), n = 4;
    if (*o + n + 1 > outlen) return false;
    memcpy(out + *o, b, n);
    *o += n;
    return true;
}

static uint32_t upper(uint32_t c)
{
    if (c >= 'a' && c <= 'z') return c - 32;
    if (c >= 0x430 && c <= 0x44F) return c - 0x20; /* а..я */
    if (c == 0x451) return 0x401;                  /* ё */
    return c;
}

static bool is_space(uint32_t c)
{
    return c == ' ' || c == '\t' || c == 0xA0;
}

static bool is_letter(uint32_t c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 0x410 && c <= 0x42F) || c == 0x401;
}

/* The Cyrillic capital that a Latin capital looks like, or c itself. */
static uint32_t cyrillic_twin(uint32_t c)
{
    static const struct {
        char latin;
        uint32_t cyr;
    } twins[] = {{'A', 0x410}, {'B', 0x412}, {'C', 0x421}, {'E', 0x415},
                 {'H', 0x41D}, {'K', 0x41A}, {'M', 0x41C}, {'O', 0x41E},
                 {'P', 0x420}, {'T', 0x422}, {'X', 0x425}, {'Y', 0x423}};
    for (size_t i = 0; i < sizeof twins / sizeof twins[0]; i++)
        if ((uint32_t)twins[i].latin == c) return twins[i].cyr;
    return c;
}

bool class_normalize(const char *in, char *out, size_t outlen)
{
    uint32_t cps[CLASS_NAME_MAX + 1];
    size_t n = 0;
    bool pending_space = false;
    const unsigned char *s = (const unsigned char *)in;
    while (*s) {
        uint32_t c = next_cp(&s);
        if (c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0)) return false;
        if (is_space(c)) {
            pending_space = n > 0;
            continue;
        }
        if (n + (pending_space ? 2 : 1) > CLASS_NAME_MAX) return false;
        if (pending_space) cps[n++] = ' ';
        pending_space = false;
        cps[n++] = upper(c);
    }
    if (n == 0) return false;

    /* grade and one letter: digits, blanks or hyphens, a letter */
    size_t d = 0;
    while (d < n && cps[d] >= '0' && cps[d] <= '9')
        d++;
    if (d >= 1 && d <= 2 && is_letter(cps[n - 1])) {
        size_t j = d;
        while (j < n - 1 && (cps[j] == ' ' || cps[j] == '-'))
            j++;
        if (j == n - 1) {
            cps[d] = cyrillic_twin(cps[n - 1]);
            n = d + 1;
        }
    }
    size_t o = 0;
    for (size_t i = 0; i < n; i++)
        if (!put_cp(out, outlen, &o, cps[i])) return false;
    out[o] = 0;
    return true;
}
