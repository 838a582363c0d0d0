/* The signed request context (see ibc/signing.h): HMAC-SHA-256 (GnuTLS) over
 * a length-prefixed canonical text of the subject, the context headers and
 * the payload, compared in constant time (nettle's memeql_sec). */
#include "ibc/signing.h"

#include <gnutls/crypto.h>
#include <nettle/memops.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAC_LEN 32
#define SIG_PREFIX "v1."
/* "v1." + 8 hex kid + "." + 64 hex MAC */
#define SIG_LEN (3 + 8 + 1 + 2 * MAC_LEN)

/* The headers a signature covers, in the order they are fed to the MAC. */
static const char *const signed_headers[] = {
    "Ibc-Request-Id", "Ibc-Principal",   "Ibc-Org",  "Ibc-Role",      "Ibc-Via",
    "Ibc-Deadline",   "Idempotency-Key", "If-Match", "If-None-Match", "Accept",
};

static void hex(const unsigned char *in, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * n] = 0;
}

/* Fills one key from its text; false when it is too short or too long. */
static bool key_init(ibc_context_key *k, const char *text)
{
    size_t n = strlen(text);
    if (n < IBC_CONTEXT_KEY_MIN || n > IBC_CONTEXT_KEY_MAX) return false;
    memcpy(k->key, text, n);
    k->len = n;
    unsigned char digest[32];
    if (gnutls_hash_fast(GNUTLS_DIG_SHA256, text, n, digest) != 0) return false;
    hex(digest, 4, k->kid);
    return true;
}

ibc_rc ibc_context_keys_init(ibc_context_keys *keys, const char *current, const char *previous,
                             char *err, size_t errlen)
{
    memset(keys, 0, sizeof *keys);
    if (!current || !*current) {
        snprintf(err, errlen,
                 "IBC_CONTEXT_KEY is not set: the gateway and the services need the same "
                 "secret to sign and verify requests (scripts/stack generates one)");
        return IBC_EINVAL;
    }
    if (!key_init(&keys->current, current)) {
        snprintf(err, errlen, "IBC_CONTEXT_KEY must be %d to %d characters", IBC_CONTEXT_KEY_MIN,
                 IBC_CONTEXT_KEY_MAX);
        return IBC_EINVAL;
    }
    if (previous && *previous) {
        if (!key_init(&keys->previous, previous)) {
            snprintf(err, errlen, "IBC_CONTEXT_KEY_PREVIOUS must be %d to %d characters",
                     IBC_CONTEXT_KEY_MIN, IBC_CONTEXT_KEY_MAX);
            return IBC_EINVAL;
        }
        keys->has_previous = true;
    }
    return IBC_OK;
}

long long ibc_realtime_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The canonical text is gathered in a buffer and fed to the MAC in few
 * calls: each gnutls_hmac() call costs about as much as hashing 200 bytes. */
typedef struct {
    gnutls_hmac_hd_t h;
    size_t len;
    int rc;
    char buf[2048];
} mac_text;

static void text_flush(mac_text *t)
{
    if (t->rc == 0 && t->len) t->rc = gnutls_hmac(t->h, t->buf, t->len);
    t->len = 0;
}

static void text_add(mac_text *t, const char *s, size_t n)
{
    if (t->len + n > sizeof t->buf) text_flush(t);
    if (n > sizeof t->buf) {
        if (t->rc == 0) t->rc = gnutls_hmac(t->h, s, n);
        return;
    }
    memcpy(t->buf + t->len, s, n);
    t->len += n;
}

/* Adds one field as "<length>:<bytes>\n", or "-\n" when absent, so that no
 * two different contexts give the same text. */
static void text_field(mac_text *t, const char *v, size_t n)
{
    /* the length in decimal, by hand: snprintf took a sixth of the time */
    char len[24];
    size_t at = sizeof len;
    len[--at] = v ? ':' : '-';
    for (size_t x = n; v && (x || at == sizeof len - 1); x /= 10)
        len[--at] = (char)('0' + x % 10);
    text_add(t, len + at, sizeof len - at);
    if (v) text_add(t, v, n);
    text_add(t, "\n", 1);
}

static const char *header(natsMsg *msg, const char *name)
{
    const char *v = NULL;
    return natsMsgHeader_Get(msg, name, &v) == NATS_OK ? v : NULL;
}

/* The MAC of msg under key; false when GnuTLS fails. */
static bool context_mac(const ibc_context_key *key, natsMsg *msg, unsigned char out[MAC_LEN])
{
    mac_text t = {.len = 0, .rc = 0};
    if (gnutls_hmac_init(&t.h, GNUTLS_MAC_SHA256, key->key, key->len) != 0) return false;
    const char *subject = natsMsg_GetSubject(msg);
    text_add(&t, "ibc-context-v1\n", 15);
    text_field(&t, subject, strlen(subject));
    for (size_t i = 0; i < IBC_LEN(signed_headers); i++) {
        const char *v = header(msg, signed_headers[i]);
        text_field(&t, v, v ? strlen(v) : 0);
    }
    const char *data = natsMsg_GetData(msg);
    text_field(&t, data ? data : "", (size_t)natsMsg_GetDataLength(msg));
    text_flush(&t);
    gnutls_hmac_deinit(t.h, out);
    return t.rc == 0;
}

ibc_rc ibc_context_sign(const ibc_context_keys *keys, natsMsg *msg)
{
    unsigned char mac[MAC_LEN];
    if (!context_mac(&keys->current, msg, mac)) return IBC_EINTERNAL;
    char sig[SIG_LEN + 1];
    memcpy(sig, SIG_PREFIX, 3);
    memcpy(sig + 3, keys->current.kid, 8);
    sig[11] = '.';
    hex(mac, MAC_LEN, sig + 12);
    return natsMsgHeader_Set(msg, "Ibc-Signature", sig) == NATS_OK ? IBC_OK : IBC_EBUS;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

/* Decodes the 64 hex digits of a MAC; false on anything else. */
static bool unhex_mac(const char *s, unsigned char out[MAC_LEN])
{
    for (size_t i = 0; i < MAC_LEN; i++) {
        int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);
        if (hi < 0 || lo < 0) return false;
        out[i] = (unsigned char)(hi << 4 | lo);
    }
    return true;
}

/* An Ibc-Deadline: 1 to 15 decimal digits (milliseconds since the epoch). */
static bool parse_deadline(const char *s, long long *out)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 15 || strspn(s, "0123456789") != n) return false;
    *out = strtoll(s, NULL, 10);
    return true;
}

ibc_context_verdict ibc_context_verify(const ibc_context_keys *keys, natsMsg *msg, long long now_ms,
                                       long long *deadline_ms)
{
    const char *sig = header(msg, "Ibc-Signature");
    if (!sig) return IBC_CONTEXT_UNSIGNED;
    unsigned char given[MAC_LEN], want[MAC_LEN];
    if (strlen(sig) != SIG_LEN || strncmp(sig, SIG_PREFIX, 3) != 0 || sig[11] != '.' ||
        !unhex_mac(sig + 12, given))
        return IBC_CONTEXT_MALFORMED;
    const ibc_context_key *key = NULL;
    if (memcmp(sig + 3, keys->current.kid, 8) == 0)
        key = &keys->current;
    else if (keys->has_previous && memcmp(sig + 3, keys->previous.kid, 8) == 0)
        key = &keys->previous;
    if (!key || !context_mac(key, msg, want) || !memeql_sec(given, want, MAC_LEN))
        return IBC_CONTEXT_BAD_SIGNATURE;
    /* the deadline is covered by the MAC: only the gateway or a service wrote it */
    long long deadline;
    if (!parse_deadline(header(msg, "Ibc-Deadline"), &deadline) ||
        deadline > now_ms + IBC_CONTEXT_MAX_AHEAD_MS)
        return IBC_CONTEXT_MALFORMED;
    *deadline_ms = deadline;
    return now_ms >= deadline ? IBC_CONTEXT_EXPIRED : IBC_CONTEXT_VALID;
}

const char *ibc_context_verdict_name(ibc_context_verdict v)
{
    static const char *const names[] = {"valid", "unsigned", "malformed", "bad_signature",
                                        "expired"};
    return (unsigned)v < IBC_LEN(names) ? names[v] : "malformed";
}
