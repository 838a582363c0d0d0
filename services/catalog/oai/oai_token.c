/* Resumption tokens (see oai_token.h). A token is
 * base64url(payload) "." base64url(HMAC-SHA-256(key, payload)), the payload
 * "1|verb|prefix|set|from|until|day|last_us|last_id|cursor|issued". The MAC
 * is checked (in constant time) before a field is read; the fields are then
 * checked one by one all the same, since the key may leak some day. */
#include "oai_token.h"

#include <gnutls/crypto.h>
#include <nettle/memops.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAC_LEN 32
#define PAYLOAD_MAX 384
#define MAX_TIME 253402300799LL /* 9999-12-31T23:59:59Z */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* base64url without padding; returns the length written (out has room for
 * 4 * n / 3 + 4). */
static size_t b64url_encode(const unsigned char *in, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)in[i] << 16 | (i + 1 < n ? (unsigned)in[i + 1] << 8 : 0) |
                     (i + 2 < n ? in[i + 2] : 0);
        out[o++] = b64[v >> 18 & 63];
        out[o++] = b64[v >> 12 & 63];
        if (i + 1 < n) out[o++] = b64[v >> 6 & 63];
        if (i + 2 < n) out[o++] = b64[v & 63];
    }
    out[o] = 0;
    return o;
}

static int b64_value(char c)
{
    const char *p = c ? strchr(b64, c) : NULL;
    return p ? (int)(p - b64) : -1;
}

/* Decodes n characters of base64url into out (at most max bytes); -1 on a
 * bad character, a bad length or too much data. */
static long b64url_decode(const char *in, size_t n, unsigned char *out, size_t max)
{
    if (n % 4 == 1) return -1;
    size_t o = 0;
    for (size_t i = 0; i < n; i += 4) {
        unsigned v = 0;
        size_t k = 0;
        for (; k < 4 && i + k < n; k++) {
            int d = b64_value(in[i + k]);
            if (d < 0) return -1;
            v |= (unsigned)d << (18 - 6 * k);
        }
        size_t bytes = k - 1;
        if (o + bytes > max) return -1;
        for (size_t b = 0; b < bytes; b++)
            out[o++] = (unsigned char)(v >> (16 - 8 * b));
    }
    return (long)o;
}

static bool derive(const char *text, unsigned char out[32])
{
    static const char label[] = "ibc-oai-token-v1";
    return text && *text &&
           gnutls_hmac_fast(GNUTLS_MAC_SHA256, text, strlen(text), label, sizeof label - 1, out) ==
               0;
}

bool oai_token_keys_init(oai_token_keys *k, const char *current, const char *previous)
{
    memset(k, 0, sizeof *k);
    if (!derive(current, k->current)) return false;
    k->has_previous = previous && *previous && derive(previous, k->previous);
    return true;
}

static bool mac(const unsigned char key[32], const char *payload, size_t n,
                unsigned char out[MAC_LEN])
{
    return gnutls_hmac_fast(GNUTLS_MAC_SHA256, key, 32, payload, n, out) == 0;
}

bool oai_token_encode(const oai_token_keys *k, const oai_cursor *c, char *out, size_t outlen)
{
    char payload[PAYLOAD_MAX];
    int n = snprintf(payload, sizeof payload, "1|%c|%s|%s|%lld|%lld|%d|%lld|%s|%ld|%lld", c->verb,
                     c->prefix, c->set, c->from, c->until, c->day ? 1 : 0, c->last_us, c->last_id,
                     c->cursor, c->issued);
    unsigned char m[MAC_LEN];
    if (n < 0 || n >= (int)sizeof payload || !mac(k->current, payload, (size_t)n, m)) return false;
    if ((size_t)n * 4 / 3 + 4 + 1 + MAC_LEN * 4 / 3 + 4 > outlen) return false;
    size_t o = b64url_encode((const unsigned char *)payload, (size_t)n, out);
    out[o++] = '.';
    b64url_encode(m, MAC_LEN, out + o);
    return true;
}

/* A decimal integer in [min, max] filling the whole field. */
static bool field_ll(const char *s, long long min, long long max, long long *out)
{
    if (!*s || strlen(s) > 19) return false;
    const char *p = s;
    if (*p == '-') p++;
    if (!*p) return false;
    for (; *p; p++)
        if (*p < '0' || *p > '9') return false;
    long long v = strtoll(s, NULL, 10);
    if (v < min || v > max) return false;
    *out = v;
    return true;
}

/* Characters of a setSpec or metadata prefix (the OAI-PMH schema's unreserved
 * characters, and ':' between set levels). */
static bool spec_chars(const char *s, size_t max, bool colon)
{
    size_t n = strlen(s);
    if (n >= max) return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              strchr("-_.!~*'()", *s) || (colon && *s == ':')))
            return false;
    return true;
}

static bool uuid_text(const char *s)
{
    if (strlen(s) != 36) return false;
    for (int i = 0; i < 36; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    }
    return true;
}

/* Splits payload (modified) at '|' into exactly n fields. */
static bool split(char *payload, char **f, int n)
{
    int i = 0;
    f[i++] = payload;
    for (char *p = payload; *p; p++)
        if (*p == '|') {
            if (i == n) return false;
            *p = 0;
            f[i++] = p + 1;
        }
    return i == n;
}

static bool fields(char *payload, oai_cursor *c)
{
    char *f[11];
    long long v;
    if (!split(payload, f, 11) || strcmp(f[0], "1") != 0) return false;
    if (strlen(f[1]) != 1 || (f[1][0] != 'R' && f[1][0] != 'I')) return false;
    c->verb = f[1][0];
    if (!*f[2] || !spec_chars(f[2], OAI_PREFIX_MAX, false)) return false;
    snprintf(c->prefix, sizeof c->prefix, "%s", f[2]);
    if (!spec_chars(f[3], OAI_SET_MAX, true)) return false;
    snprintf(c->set, sizeof c->set, "%s", f[3]);
    if (!field_ll(f[4], -1, MAX_TIME, &c->from) || !field_ll(f[5], -1, MAX_TIME, &c->until))
        return false;
    if (!field_ll(f[6], 0, 1, &v)) return false;
    c->day = v == 1;
    if (!field_ll(f[7], 0, MAX_TIME * 1000000LL, &c->last_us) || !uuid_text(f[8])) return false;
    snprintf(c->last_id, sizeof c->last_id, "%s", f[8]);
    if (!field_ll(f[9], 0, 1000000000000LL, &v)) return false;
    c->cursor = (long)v;
    return field_ll(f[10], 0, MAX_TIME, &c->issued);
}

bool oai_token_parse_payload(const char *payload, size_t n, oai_cursor *c)
{
    char copy[PAYLOAD_MAX + 1];
    if (n > PAYLOAD_MAX || memchr(payload, 0, n)) return false;
    memcpy(copy, payload, n);
    copy[n] = 0;
    memset(c, 0, sizeof *c);
    return fields(copy, c);
}

bool oai_token_decode(const oai_token_keys *k, const char *token, size_t len, long long now,
                      long long ttl_s, oai_cursor *c, const char **why)
{
    *why = "it is not a resumption token of this repository";
    memset(c, 0, sizeof *c);
    if (len == 0 || len > OAI_TOKEN_MAX || memchr(token, 0, len)) return false;
    const char *dot = memchr(token, '.', len);
    if (!dot) return false;
    char payload[PAYLOAD_MAX + 1];
    unsigned char given[MAC_LEN + 3], want[MAC_LEN];
    long n = b64url_decode(token, (size_t)(dot - token), (unsigned char *)payload, PAYLOAD_MAX);
    long m = b64url_decode(dot + 1, len - (size_t)(dot - token) - 1, given, sizeof given);
    if (n <= 0 || m != MAC_LEN) return false;
    payload[n] = 0;
    bool ok = mac(k->current, payload, (size_t)n, want) && memeql_sec(given, want, MAC_LEN);
    if (!ok && k->has_previous)
        ok = mac(k->previous, payload, (size_t)n, want) && memeql_sec(given, want, MAC_LEN);
    if (!ok) {
        *why = "its signature does not match: it was altered, or made with another key";
        return false;
    }
    if (!oai_token_parse_payload(payload, (size_t)n, c)) return false;
    if (c->issued > now + 300 || now - c->issued > ttl_s) {
        *why = "it has expired: start the list again without a token";
        return false;
    }
    return true;
}
