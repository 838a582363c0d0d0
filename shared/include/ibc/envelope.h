/* The NATS envelopes between gateway and services:
 * request {"params": {...}, "body": ...}, reply {"status": N, "body": ...} or
 * {"status": N, "error": {"type", "title", "detail", ...}}, optionally with
 * "headers" and, for a non-JSON body, "content_type" and base64 "raw". */
#ifndef IBC_ENVELOPE_H
#define IBC_ENVELOPE_H

#include "errors.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* Encodes a request; borrows params and body (either may be NULL). Caller frees. */
char *ibc_envelope_request(const json_t *params, const json_t *body);
/* Parses a request envelope; *req gets a new reference. IBC_EINVAL with a
 * sentence in err when it is not a JSON object with object params. */
ibc_rc ibc_envelope_decode(const char *data, size_t len, json_t **req, char *err, size_t errlen);
/* Encodes a success reply; borrows body and headers (may be NULL). Caller frees. */
char *ibc_envelope_reply(int status, const json_t *body, const json_t *headers);
/* Encodes a success reply whose body is JSON text already (len bytes, not
 * checked): the envelope is JSON still, and its member "body_at" gives the
 * offset of the body, which runs to the envelope's last byte (a '}'), so that
 * the gateway sends it on without parsing it. ibc_envelope_reply encodes so
 * too. Caller frees. */
char *ibc_envelope_reply_text(int status, const char *body, size_t len, const json_t *headers);
/* For a reply encoded by ibc_envelope_reply_text: true with the body's offset
 * and length; false for any other envelope (parse it whole then). */
bool ibc_envelope_body_at(const char *data, size_t len, size_t *at, size_t *body_len);
/* The members before the body of such a reply (status, body_at, headers),
 * parsed; NULL when they do not parse. New reference. */
json_t *ibc_envelope_head(const char *data, size_t at);
/* Encodes a raw (non-JSON) success reply. Caller frees. */
char *ibc_envelope_reply_raw(int status, const char *content_type, const char *raw, size_t len,
                             const json_t *headers);
/* Encodes an error reply for rc; ext (may be NULL) adds members to the problem. */
char *ibc_envelope_error(ibc_rc rc, const char *detail, const json_t *ext);
/* Builds an RFC 9457 problem object for status; new reference. */
json_t *ibc_problem(int status, const char *type, const char *title, const char *detail);

/* base64 helpers; results are malloc'd and NUL-terminated. */
char *ibc_base64_encode(const unsigned char *in, size_t len, size_t *outlen);
unsigned char *ibc_base64_decode(const char *in, size_t len, size_t *outlen);

/* True when s[0..len) is valid UTF-8 with no NUL. */
int ibc_utf8_valid(const char *s, size_t len);

#endif
