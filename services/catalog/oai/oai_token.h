/* OAI-PMH resumption tokens without state: the position of a list (the last
 * datestamp and record id sent) and the request it continues (verb, format,
 * set, from, until), signed with HMAC-SHA-256 so that a harvester cannot
 * forge one or change its filter. A token therefore survives a restart of
 * every catalog replica. Pure code (GnuTLS for the MAC). */
#ifndef CATALOG_OAI_TOKEN_H
#define CATALOG_OAI_TOKEN_H

#include <stdbool.h>
#include <stddef.h>

#define OAI_TOKEN_MAX 512 /* characters of a token at most (ours are ~200) */
#define OAI_SET_MAX 80    /* "school:<64 characters>" fits */
#define OAI_PREFIX_MAX 16

/* Where a list stopped and what it lists. Times are seconds since the epoch,
 * -1 when the request had no from/until; last_us is the exact datestamp
 * (microseconds) of the last record sent, with last_id its record id. */
typedef struct {
    char verb; /* 'R' ListRecords, 'I' ListIdentifiers */
    char prefix[OAI_PREFIX_MAX];
    char set[OAI_SET_MAX]; /* "" for none */
    long long from, until; /* inclusive bounds, seconds */
    bool day;              /* from/until were given as days (echoed as such) */
    long long last_us;
    char last_id[37];
    long cursor;      /* records sent before this page */
    long long issued; /* when the token was made, seconds */
} oai_cursor;

/* The keys tokens are signed with: the current one signs and verifies, the
 * previous one (during a rotation of IBC_CONTEXT_KEY) only verifies. */
typedef struct {
    unsigned char current[32], previous[32];
    bool has_previous;
} oai_token_keys;

/* Derives the token keys from IBC_CONTEXT_KEY and IBC_CONTEXT_KEY_PREVIOUS
 * (texts; previous may be NULL): HMAC(key, "ibc-oai-token-v1"), so that a
 * token never doubles as a request signature. false when current is empty. */
bool oai_token_keys_init(oai_token_keys *k, const char *current, const char *previous);

/* Writes the token of c into out (NUL-terminated); false when it does not fit. */
bool oai_token_encode(const oai_token_keys *k, const oai_cursor *c, char *out, size_t outlen);

/* Reads token into c. false when it is not one of ours (format, signature,
 * values) or when it was issued more than ttl_s seconds before now (stale);
 * *why then says which, for the error text. Never reads past len bytes. */
bool oai_token_decode(const oai_token_keys *k, const char *token, size_t len, long long now,
                      long long ttl_s, oai_cursor *c, const char **why);

/* The field parser that decode runs once the MAC matched: payload (n bytes,
 * not NUL-terminated) into c. false on anything but the exact format. For
 * the fuzzer, which cannot forge a MAC to reach it. */
bool oai_token_parse_payload(const char *payload, size_t n, oai_cursor *c);

#endif
