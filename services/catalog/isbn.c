/* ISBN-10 and ISBN-13 check digits and the 10 → 13 conversion. */
#include "isbn.h"

#include <string.h>

static char isbn13_check(const char *d12)
{
    int sum = 0;
    for (int i = 0; i < 12; i++) sum += (d12[i] - '0') * (i % 2 ? 3 : 1);
    return (char)('0' + (10 - sum % 10) % 10);
}

bool isbn_normalize(const char *in, char out[14])
{
    char d[14];
    int n = 0;
    for (const char *p = in; *p; p++) {
        if (*p == '-' || *p == ' ') continue;
        if (n >= 13) return false;
        if (*p >= '0' && *p <= '9') d[n++] = *p;
        /* X only as the tenth character, followed by nothing but separators */
        else if ((*p == 'X' || *p == 'x') && n == 9 && !p[1 + strspn(p + 1, "- ")])
            d[n++] = 'X';
        else return false;
    }
    d[n] = 0;
    if (n == 10) {
        int sum = 0;
        for (int i = 0; i < 10; i++) {
            if (d[i] == 'X' && i != 9) return false;
            sum += (d[i] == 'X' ? 10 : d[i] - '0') * (10 - i);
        }
        if (sum % 11) return false;
        memcpy(out, "978", 3);
        memcpy(out + 3, d, 9);
        out[12] = isbn13_check(out);
        out[13] = 0;
        return true;
    }
    if (n == 13) {
        if (strncmp(d, "978", 3) && strncmp(d, "979", 3)) return false;
        if (isbn13_check(d) != d[12]) return false;
        memcpy(out, d, 14);
        return true;
    }
    return false;
}
