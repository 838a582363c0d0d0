/* Encoding and decoding of the request and reply envelopes carried over NATS,
 * RFC 9457 problem objects, base64 and UTF-8 checks. Pure code. */
#include "ibc/envelope.h"

#include <stdbool.h>

#include <stdlib.h>
#include <string.h>

/* Returns the compact JSON of a new object built from borrowed parts; caller frees. */
char *ibc_envelope_request(const json_t *params, const json_t *body)
{
    json_t *env = json_object();
    json_object_set_new(env, "params", params ? json_deep_copy(params) : json_object());
    if (body) json_object_set_new(env, "body", json_deep_copy(body));
    char *out = json_dumps(env, JSON_COMPACT);
    json_decref(env);
    return out;
}

/* Parses a request; *req is a new reference on success. */
ibc_rc ibc_envelope_decode(const char *data, size_t len, json_t **req, char *err, size_t errlen)
{
    json_error_t jerr;
    json_t *env = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!env) {
        snprintf(err, errlen, "request envelope is not JSON: %s", jerr.text);
        return IBC_EINVAL;
    }
    json_t *params = json_object_get(env, "params");
    if (!json_is_object(env) || (params && !json_is_object(params))) {
        snprintf(err, errlen, "request envelope must be an object with object 'params'");
        json_decref(env);
        return IBC_EINVAL;
    }
    if (!params) json_object_set_new(env, "params", json_object());
    *req = env;
    return IBC_OK;
}

static char *dump_reply(json_t *env, const json_t *headers)
{
    if (headers && json_object_size(headers) > 0)
        json_object_set(env, "headers", (json_t *)headers);
    /* 15 significant digits (DBL_DIG): an amount 1234567.89 stays 1234567.89,
     * not jansson's default 17-digit 1234567.8899999999 */
    char *out = json_dumps(env, JSON_COMPACT | JSON_REAL_PRECISION(15));
    json_decref(env);
    return out;
}

/* Returns the encoded success reply; caller frees. */
char *ibc_envelope_reply(int status, const json_t *body, const json_t *headers)
{
    if (!body) return dump_reply(json_pack("{s:i}", "status", status), headers);
    /* 15 digits as in dump_reply */
    char *text = json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
    if (!text) return NULL;
    char *out = ibc_envelope_reply_text(status, text, strlen(text), headers);
    free(text);
    return out;
}

/* {"status":N,"body_at":AT[,"headers":{...}],"body":BODY}: AT is printed in a
 * field of fixed width (spaces ahead, which JSON allows) so that it can be
 * known before it is printed. */
#define BODY_AT_WIDTH 10
#define BODY_MEMBER ",\"body\":"

char *ibc_envelope_reply_text(int status, const char *body, size_t len, const json_t *headers)
{
    char *hdrs = NULL;
    if (headers && json_object_size(headers) > 0 && !(hdrs = json_dumps(headers, JSON_COMPACT)))
        return NULL;
    char head[48];
    int n = snprintf(head, sizeof head, "{\"status\":%d,\"body_at\":", status);
    size_t hlen = hdrs ? strlen(",\"headers\":") + strlen(hdrs) : 0;
    size_t at = (size_t)n + BODY_AT_WIDTH + hlen + strlen(BODY_MEMBER);
    char *out = malloc(at + len + 2);
    if (out) {
        int k = snprintf(out, at + 1, "%s%*zu%s%s" BODY_MEMBER, head, BODY_AT_WIDTH, at,
                         hdrs ? ",\"headers\":" : "", hdrs ? hdrs : "");
        if (k < 0 || (size_t)k != at) {
            free(out);
            out = NULL;
        } else {
            memcpy(out + at, body, len);
            out[at + len] = '}';
            out[at + len + 1] = 0;
        }
    }
    free(hdrs);
    return out;
}

bool ibc_envelope_body_at(const char *data, size_t len, size_t *at, size_t *body_len)
{
    static const char prefix[] = "{\"status\":";
    if (len < sizeof prefix || memcmp(data, prefix, sizeof prefix - 1) != 0) return false;
    const char *p = data + sizeof prefix - 1, *end = data + len;
    while (p < end && *p >= '0' && *p <= '9')
        p++;
    static const char member[] = ",\"body_at\":";
    if ((size_t)(end - p) < sizeof member || memcmp(p, member, sizeof member - 1) != 0)
        return false;
    p += sizeof member - 1;
    while (p < end && *p == ' ')
        p++;
    size_t v = 0;
    const char *digits = p;
    while (p < end && *p >= '0' && *p <= '9' && p - digits < 12)
        v = v * 10 + (size_t)(*p++ - '0');
    size_t m = strlen(BODY_MEMBER);
    if (p == digits || v < m || v >= len || data[len - 1] != '}' ||
        memcmp(data + v - m, BODY_MEMBER, m) != 0)
        return false;
    *at = v;
    *body_len = len - v - 1;
    return true;
}

json_t *ibc_envelope_head(const char *data, size_t at)
{
    size_t m = strlen(BODY_MEMBER);
    if (at < m) return NULL;
    char *head = malloc(at - m + 2);
    if (!head) return NULL;
    memcpy(head, data, at - m);
    memcpy(head + at - m, "}", 2);
    json_t *env = json_loadb(head, at - m + 1, 0, NULL);
    free(head);
    return env;
}

/* Returns the encoded raw reply (body in base64); caller frees. */
char *ibc_envelope_reply_raw(int status, const char *content_type, const char *raw, size_t len,
                             const json_t *headers)
{
    size_t blen;
    char *b64 = ibc_base64_encode((const unsigned char *)raw, len, &blen);
    if (!b64) return NULL;
    json_t *env = json_pack("{s:i, s:s, s:s%}", "status", status, "content_type", content_type,
                            "raw", b64, blen);
    free(b64);
    if (!env) return NULL;
    return dump_reply(env, headers);
}

/* Returns a new JSON string of s where every byte that does not begin a
 * valid UTF-8 sequence is replaced by U+FFFD: a message that quotes the first
 * N bytes of the caller's input ("%.60s") may cut a letter in half, and
 * jansson refuses such a string. NULL only when out of memory. */
static json_t *utf8_string(const char *s)
{
    json_t *v = json_string(s);
    if (v) return v;
    size_t len = strlen(s), o = 0;
    char *out = malloc(len * 3 + 1);
    if (!out) return NULL;
    for (size_t i = 0; i < len;) {
        unsigned c = (unsigned char)s[i];
        size_t n = c < 0x80             ? 1
                   : (c & 0xE0) == 0xC0 ? 2
                   : (c & 0xF0) == 0xE0 ? 3
                   : (c & 0xF8) == 0xF0 ? 4
                                        : 0;
        if (n && i + n <= len && ibc_utf8_valid(s + i, n)) {
            memcpy(out + o, s + i, n);
            o += n, i += n;
        } else {
            memcpy(out + o, "\xEF\xBF\xBD", 3);
            o += 3, i++;
        }
    }
    v = json_stringn(out, o);
    free(out);
    return v;
}

/* Returns a new problem object; a detail that is not valid UTF-8 is mended. */
json_t *ibc_problem(int status, const char *type, const char *title, const char *detail)
{
    char uri[160];
    snprintf(uri, sizeof uri, "https://ibcnet.example/problems/%s", type);
    return json_pack("{s:s, s:s, s:i, s:o}", "type", uri, "title", title, "status", status,
                     "detail", utf8_string(detail ? detail : title));
}

/* Returns the encoded error reply; caller frees. */
char *ibc_envelope_error(ibc_rc rc, const char *detail, const json_t *ext)
{
    int status = ibc_rc_status(rc);
    json_t *problem = ibc_problem(status, ibc_rc_type(rc), ibc_rc_title(rc), detail);
    /* extension members never replace the problem's own (RFC 9457) */
    if (ext) json_object_update_missing(problem, (json_t *)ext);
    json_t *env = json_pack("{s:i, s:o}", "status", status, "error", problem);
    char *out = json_dumps(env, JSON_COMPACT);
    json_decref(env);
    return out;
}

static const char b64chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Standard base64 with padding; caller frees. */
char *ibc_base64_encode(const unsigned char *in, size_t len, size_t *outlen)
{
    size_t n = 4 * ((len + 2) / 3);
    char *out = malloc(n + 1);
    if (!out) return NULL;
    size_t o = 0;
    for (size_t i = 0; i < len; i += 3) {
        unsigned v = in[i] << 16;
        if (i + 1 < len) v |= in[i + 1] << 8;
        if (i + 2 < len) v |= in[i + 2];
        out[o++] = b64chars[(v >> 18) & 63];
        out[o++] = b64chars[(v >> 12) & 63];
        out[o++] = i + 1 < len ? b64chars[(v >> 6) & 63] : '=';
        out[o++] = i + 2 < len ? b64chars[v & 63] : '=';
    }
    out[o] = 0;
    if (outlen) *outlen = o;
    return out;
}

static int b64val(int c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

/* Decodes padded base64; NULL on a malformed input. Caller frees. */
unsigned char *ibc_base64_decode(const char *in, size_t len, size_t *outlen)
{
    if (len % 4) return NULL;
    unsigned char *out = malloc(len / 4 * 3 + 1);
    if (!out) return NULL;
    size_t o = 0;
    for (size_t i = 0; i < len; i += 4) {
        int a = b64val(in[i]), b = b64val(in[i + 1]);
        int c = in[i + 2] == '=' ? 0 : b64val(in[i + 2]);
        int d = in[i + 3] == '=' ? 0 : b64val(in[i + 3]);
        bool pad = in[i + 2] == '=' || in[i + 3] == '=';
        /* "xx=y": nothing may follow a pad inside its group either */
        bool gap = in[i + 2] == '=' && in[i + 3] != '=';
        if (a < 0 || b < 0 || c < 0 || d < 0 || gap || (pad && i + 4 != len)) {
            free(out);
            return NULL;
        }
        unsigned v = (unsigned)a << 18 | (unsigned)b << 12 | (unsigned)c << 6 | (unsigned)d;
        out[o++] = v >> 16;
        if (in[i + 2] != '=') out[o++] = (v >> 8) & 255;
        if (in[i + 3] != '=') out[o++] = v & 255;
    }
    out[o] = 0;
    if (outlen) *outlen = o;
    return out;
}

/* Strict UTF-8: no overlongs, no surrogates, nothing above U+10FFFF, no NUL. */
int ibc_utf8_valid(const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < len) {
        unsigned c = s[i];
        if (c == 0) return 0;
        if (c < 0x80) {
            i++;
            continue;
        }
        int n;
        unsigned cp;
        if ((c & 0xE0) == 0xC0) n = 1, cp = c & 0x1F;
        else if ((c & 0xF0) == 0xE0) n = 2, cp = c & 0x0F;
        else if ((c & 0xF8) == 0xF0) n = 3, cp = c & 0x07;
        else return 0;
        for (int k = 1; k <= n; k++) {
            if (i + k >= len || (s[i + k] & 0xC0) != 0x80) return 0;
            cp = cp << 6 | (s[i + k] & 0x3F);
        }
        if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
            cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += n + 1;
    }
    return 1;
}
