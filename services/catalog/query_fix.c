/* The keyboard-layout fix of a query (see query_fix.h). */
#include "query_fix.h"

#include <ctype.h>
#include <string.h>

/* The Russian letter on the key of each ASCII character of the US layout. */
static const char *ru_key(char c)
{
    static const char keys[] = "qwertyuiop[]asdfghjkl;'zxcvbnm,.`";
    static const char *const lower[] = {"й", "ц", "у", "к", "е", "н", "г", "ш", "щ", "з", "х",
                                        "ъ", "ф", "ы", "в", "а", "п", "р", "о", "л", "д", "ж",
                                        "э", "я", "ч", "с", "м", "и", "т", "ь", "б", "ю", "ё"};
    static const char *const upper[] = {"Й", "Ц", "У", "К", "Е", "Н", "Г", "Ш", "Щ", "З", "Х",
                                        "Ъ", "Ф", "Ы", "В", "А", "П", "Р", "О", "Л", "Д", "Ж",
                                        "Э", "Я", "Ч", "С", "М", "И", "Т", "Ь", "Б", "Ю", "Ё"};
    const char *p = strchr(keys, tolower((unsigned char)c));
    if (!p || !c) return NULL;
    return isupper((unsigned char)c) ? upper[p - keys] : lower[p - keys];
}

bool query_layout_ru(const char *q, char *out, size_t outlen)
{
    size_t n = strlen(q), o = 0;
    bool letters = false;
    if (outlen) out[0] = 0;
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)q[i] >= 0x80) return false;
        letters |= isalpha((unsigned char)q[i]) != 0;
    }
    if (!letters) return false;
    for (size_t i = 0; i < n; i++) {
        char c = q[i];
        /* a key with punctuation is a letter next to a letter ("yj;" -> "нож",
         * "[ktu" -> "хлеб"), but not a full stop or comma ending the query */
        bool punct = !isalpha((unsigned char)c);
        bool in_word = ((i > 0 && isalpha((unsigned char)q[i - 1])) ||
                        (i + 1 < n && isalpha((unsigned char)q[i + 1]))) &&
                       !(i + 1 == n && (c == '.' || c == ','));
        const char *k = ru_key(c);
        const char *put = k && (!punct || in_word) ? k : NULL;
        size_t len = put ? strlen(put) : 1;
        if (o + len + 1 > outlen) {
            out[0] = 0;
            return false;
        }
        if (put)
            memcpy(out + o, put, len);
        else
            out[o] = c;
        o += len;
    }
    out[o] = 0;
    return true;
}
