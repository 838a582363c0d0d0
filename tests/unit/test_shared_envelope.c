/* Unit tests of shared/src/envelope.c: the request/reply/error envelopes
 * between gateway and services, raw (base64) replies, base64 itself and the
 * strict UTF-8 check the gateway applies to paths, queries and bodies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ibc/envelope.h>
#include <ibc/request.h>

/* Parses a compact JSON text the code under test produced; frees text. */
static json_t *parse_and_free(char *text)
{
    assert_non_null(text);
    json_error_t err;
    json_t *j = json_loads(text, 0, &err);
    if (!j) fail_msg("not JSON: %s (%s)", text, err.text);
    free(text);
    return j;
}

/* ------------------------------------------------------------- requests */

static void request_with_params_and_body_round_trips_through_decode(void **state)
{
    (void)state;
    json_t *params = json_pack("{s:s, s:s}", "id", "42", "q", "Пушкин");
    json_t *body = json_pack("{s:s, s:[i,i]}", "title", "Азбука", "grades", 1, 2);
    char *text = ibc_envelope_request(params, body);
    assert_non_null(text);

    json_t *req = NULL;
    char err[128] = "";
    assert_int_equal(ibc_envelope_decode(text, strlen(text), &req, err, sizeof err), IBC_OK);
    assert_true(json_equal(json_object_get(req, "params"), params));
    assert_true(json_equal(json_object_get(req, "body"), body));
    assert_true(json_equal(ibc_params(req), params));
    assert_true(json_equal(ibc_body(req), body));
    assert_string_equal(ibc_param(req, "q"), "Пушкин");
    assert_null(ibc_param(req, "missing"));
    json_decref(req);
    free(text);
    json_decref(params);
    json_decref(body);
}

static void request_does_not_take_ownership_of_params_or_body(void **state)
{
    (void)state;
    json_t *params = json_pack("{s:s}", "id", "1");
    json_t *body = json_pack("{s:i}", "n", 1);
    free(ibc_envelope_request(params, body));
    /* still ours: the encoder copied them */
    assert_int_equal(params->refcount, 1);
    assert_int_equal(body->refcount, 1);
    assert_string_equal(json_string_value(json_object_get(params, "id")), "1");
    json_decref(params);
    json_decref(body);
}

static void request_without_params_or_body_has_empty_params_and_no_body(void **state)
{
    (void)state;
    json_t *env = parse_and_free(ibc_envelope_request(NULL, NULL));
    assert_true(json_is_object(json_object_get(env, "params")));
    assert_int_equal(json_object_size(json_object_get(env, "params")), 0);
    assert_null(json_object_get(env, "body"));
    assert_int_equal(json_object_size(env), 1);
    json_decref(env);
}

static void request_body_may_be_any_json_value(void **state)
{
    (void)state;
    json_t *body = json_pack("[s, i, n]", "a", 1);
    json_t *env = parse_and_free(ibc_envelope_request(NULL, body));
    assert_true(json_equal(json_object_get(env, "body"), body));
    json_decref(env);
    json_decref(body);
}

static void decode_adds_empty_params_when_missing(void **state)
{
    (void)state;
    const char *text = "{\"body\":{\"a\":1}}";
    json_t *req = NULL;
    char err[128];
    assert_int_equal(ibc_envelope_decode(text, strlen(text), &req, err, sizeof err), IBC_OK);
    assert_true(json_is_object(ibc_params(req)));
    assert_int_equal(json_object_size(ibc_params(req)), 0);
    assert_int_equal(json_integer_value(json_object_get(ibc_body(req), "a")), 1);
    json_decref(req);
}

static void decode_reads_only_len_bytes(void **state)
{
    (void)state;
    const char *text = "{\"params\":{}}trailing garbage";
    json_t *req = NULL;
    char err[128];
    assert_int_equal(ibc_envelope_decode(text, strlen("{\"params\":{}}"), &req, err, sizeof err),
                     IBC_OK);
    json_decref(req);
    /* and the same text at its full length is not one JSON value */
    req = NULL;
    assert_int_equal(ibc_envelope_decode(text, strlen(text), &req, err, sizeof err), IBC_EINVAL);
    assert_null(req);
}

static void decode_rejects_text_that_is_not_json(void **state)
{
    (void)state;
    static const char *bad[] = {"", "not json", "{", "{\"params\":}", "{\"a\":1,}", "\xff\xfe"};
    for (size_t i = 0; i < IBC_LEN(bad); i++) {
        json_t *req = NULL;
        char err[128] = "";
        assert_int_equal(ibc_envelope_decode(bad[i], strlen(bad[i]), &req, err, sizeof err),
                         IBC_EINVAL);
        assert_null(req);
        assert_non_null(strstr(err, "request envelope is not JSON"));
    }
}

static void decode_rejects_an_envelope_that_is_not_an_object(void **state)
{
    (void)state;
    static const char *bad[] = {"[]", "[{\"params\":{}}]", "\"params\"", "42", "null", "true"};
    for (size_t i = 0; i < IBC_LEN(bad); i++) {
        json_t *req = NULL;
        char err[128] = "";
        int rc = ibc_envelope_decode(bad[i], strlen(bad[i]), &req, err, sizeof err);
        if (rc != IBC_EINVAL) fail_msg("'%s' decoded", bad[i]);
        assert_null(req);
        assert_true(err[0] != 0);
    }
}

static void decode_rejects_params_that_are_not_an_object(void **state)
{
    (void)state;
    static const char *bad[] = {"{\"params\":[]}", "{\"params\":\"id=1\"}", "{\"params\":1}",
                                "{\"params\":null}"};
    for (size_t i = 0; i < IBC_LEN(bad); i++) {
        json_t *req = NULL;
        char err[128] = "";
        int rc = ibc_envelope_decode(bad[i], strlen(bad[i]), &req, err, sizeof err);
        if (rc != IBC_EINVAL) fail_msg("'%s' decoded", bad[i]);
        assert_string_equal(err, "request envelope must be an object with object 'params'");
    }
}

static void decode_rejects_duplicate_keys(void **state)
{
    (void)state;
    const char *text = "{\"params\":{\"id\":\"1\",\"id\":\"2\"}}";
    json_t *req = NULL;
    char err[128] = "";
    assert_int_equal(ibc_envelope_decode(text, strlen(text), &req, err, sizeof err), IBC_EINVAL);
    assert_non_null(strstr(err, "duplicate"));
}

static void param_that_is_not_a_string_reads_as_null(void **state)
{
    (void)state;
    const char *text = "{\"params\":{\"n\":5}}";
    json_t *req = NULL;
    char err[128];
    assert_int_equal(ibc_envelope_decode(text, strlen(text), &req, err, sizeof err), IBC_OK);
    assert_null(ibc_param(req, "n"));
    assert_null(ibc_body(req));
    json_decref(req);
}

/* --------------------------------------------------------------- replies */

static void reply_carries_status_body_and_headers(void **state)
{
    (void)state;
    json_t *body = json_pack("{s:s}", "id", "r1");
    json_t *headers = json_pack("{s:s}", "ETag", "\"3\"");
    json_t *env = parse_and_free(ibc_envelope_reply(201, body, headers));
    assert_int_equal(json_integer_value(json_object_get(env, "status")), 201);
    assert_true(json_equal(json_object_get(env, "body"), body));
    assert_true(json_equal(json_object_get(env, "headers"), headers));
    assert_null(json_object_get(env, "error"));
    json_decref(env);
    /* borrowed, not stolen */
    assert_int_equal(body->refcount, 1);
    assert_int_equal(headers->refcount, 1);
    json_decref(body);
    json_decref(headers);
}

static void reply_omits_empty_headers_and_missing_body(void **state)
{
    (void)state;
    json_t *headers = json_object();
    json_t *env = parse_and_free(ibc_envelope_reply(204, NULL, headers));
    assert_int_equal(json_integer_value(json_object_get(env, "status")), 204);
    assert_null(json_object_get(env, "body"));
    assert_null(json_object_get(env, "headers"));
    assert_int_equal(json_object_size(env), 1);
    json_decref(env);
    json_decref(headers);
}

/* The body's offset in a reply: the bytes there, to the last but one, are
 * the body as printed, and the envelope parses whole to the same members. */
static void reply_says_where_its_body_begins(void **state)
{
    (void)state;
    json_t *body = json_pack("{s:s, s:[i,f]}", "title", "Азбука", "n", 1, 0.5);
    json_t *headers = json_pack("{s:s}", "ETag", "\"7\"");
    char *text = ibc_envelope_reply(200, body, headers);
    assert_non_null(text);
    size_t at = 0, len = 0;
    assert_true(ibc_envelope_body_at(text, strlen(text), &at, &len));
    json_t *inner = json_loadb(text + at, len, 0, NULL);
    assert_non_null(inner);
    assert_true(json_equal(inner, body));
    json_decref(inner);
    json_t *head = ibc_envelope_head(text, at);
    assert_non_null(head);
    assert_int_equal(json_integer_value(json_object_get(head, "status")), 200);
    assert_true(json_equal(json_object_get(head, "headers"), headers));
    assert_null(json_object_get(head, "body"));
    json_decref(head);
    json_t *env = parse_and_free(text);
    assert_int_equal(json_integer_value(json_object_get(env, "status")), 200);
    assert_int_equal(json_integer_value(json_object_get(env, "body_at")), (json_int_t)at);
    assert_true(json_equal(json_object_get(env, "body"), body));
    assert_true(json_equal(json_object_get(env, "headers"), headers));
    json_decref(env);
    json_decref(body);
    json_decref(headers);
}

/* A body that is JSON text already goes in byte for byte. */
static void text_reply_keeps_the_body_as_given(void **state)
{
    (void)state;
    const char *body = "{\"a\" : [1, 2], \"b\" : \"ё\"}";
    char *text = ibc_envelope_reply_text(201, body, strlen(body), NULL);
    assert_non_null(text);
    size_t at = 0, len = 0;
    assert_true(ibc_envelope_body_at(text, strlen(text), &at, &len));
    assert_int_equal(len, strlen(body));
    assert_memory_equal(text + at, body, len);
    json_t *env = parse_and_free(text);
    assert_null(json_object_get(env, "headers"));
    assert_string_equal(json_string_value(json_object_get(json_object_get(env, "body"), "b")), "ё");
    json_decref(env);
}

/* Anything else is not taken for such a reply: the gateway parses it whole. */
static void body_at_refuses_other_envelopes(void **state)
{
    (void)state;
    static const char *const others[] = {
        "",
        "{}",
        "{\"status\":200,\"body\":{}}",
        "{\"status\":200,\"body_at\":         9,\"body\":{}}", /* points elsewhere */
        "{\"status\":200,\"body_at\":        99,\"body\":{}}", /* past the end */
        "{\"status\":200,\"body_at\":          ,\"body\":{}}", /* no number */
        "{\"status\":200,\"body_at\":        42,\"body\":{} ", /* no closing brace last */
        "{\"status\":200,\"body_at\":        42,\"bodx\":{}}", /* not the body */
        "{\"status\":500,\"error\":{\"status\":500}}",
    };
    for (size_t i = 0; i < sizeof others / sizeof *others; i++) {
        size_t at = 0, len = 0;
        if (ibc_envelope_body_at(others[i], strlen(others[i]), &at, &len))
            fail_msg("taken for a reply with body_at: %s", others[i]);
    }
    const char *good = "{\"status\":200,\"body_at\":        42,\"body\":{}}";
    size_t at = 0, len = 0;
    assert_true(ibc_envelope_body_at(good, strlen(good), &at, &len));
    assert_int_equal(at, 42);
    assert_int_equal(len, 2);
}

static void raw_reply_carries_bytes_in_base64_with_content_type(void **state)
{
    (void)state;
    static const char bytes[] = "MARC\0\x1e\x1d\xff\x80 end";
    size_t len = sizeof bytes - 1;
    json_t *headers = json_pack("{s:s}", "Content-Disposition", "attachment");
    json_t *env =
        parse_and_free(ibc_envelope_reply_raw(200, "application/marc", bytes, len, headers));
    assert_int_equal(json_integer_value(json_object_get(env, "status")), 200);
    assert_string_equal(json_string_value(json_object_get(env, "content_type")),
                        "application/marc");
    assert_true(json_equal(json_object_get(env, "headers"), headers));
    assert_null(json_object_get(env, "body"));
    json_t *raw = json_object_get(env, "raw");
    assert_true(json_is_string(raw));
    size_t n = 0;
    unsigned char *back = ibc_base64_decode(json_string_value(raw), json_string_length(raw), &n);
    assert_non_null(back);
    assert_int_equal(n, len);
    assert_memory_equal(back, bytes, len);
    free(back);
    json_decref(env);
    json_decref(headers);
}

static void raw_reply_of_zero_bytes_has_empty_raw(void **state)
{
    (void)state;
    json_t *env = parse_and_free(ibc_envelope_reply_raw(200, "text/csv", "", 0, NULL));
    assert_string_equal(json_string_value(json_object_get(env, "raw")), "");
    assert_string_equal(json_string_value(json_object_get(env, "content_type")), "text/csv");
    assert_null(json_object_get(env, "headers"));
    json_decref(env);
}

/* ---------------------------------------------------------------- errors */

static void error_reply_is_a_problem_with_status_type_title_and_detail(void **state)
{
    (void)state;
    json_t *env = parse_and_free(ibc_envelope_error(IBC_EINVAL, "'title' is required", NULL));
    assert_int_equal(json_integer_value(json_object_get(env, "status")), 400);
    assert_null(json_object_get(env, "body"));
    json_t *p = json_object_get(env, "error");
    assert_string_equal(json_string_value(json_object_get(p, "type")),
                        "https://ibcnet.example/problems/invalid-input");
    assert_string_equal(json_string_value(json_object_get(p, "title")), "Invalid input");
    assert_int_equal(json_integer_value(json_object_get(p, "status")), 400);
    assert_string_equal(json_string_value(json_object_get(p, "detail")), "'title' is required");
    json_decref(env);
}

static void error_reply_without_detail_uses_the_title(void **state)
{
    (void)state;
    json_t *env = parse_and_free(ibc_envelope_error(IBC_ENOTFOUND, NULL, NULL));
    json_t *p = json_object_get(env, "error");
    assert_int_equal(json_integer_value(json_object_get(env, "status")), 404);
    assert_string_equal(json_string_value(json_object_get(p, "detail")), "Not found");
    json_decref(env);
}

static void error_reply_adds_extension_members(void **state)
{
    (void)state;
    json_t *ext = json_pack("{s:s}", "existing_id", "abc");
    json_t *env = parse_and_free(ibc_envelope_error(IBC_ECONFLICT, "ISBN exists", ext));
    json_t *p = json_object_get(env, "error");
    assert_int_equal(json_integer_value(json_object_get(env, "status")), 409);
    assert_string_equal(json_string_value(json_object_get(p, "existing_id")), "abc");
    assert_string_equal(json_string_value(json_object_get(p, "type")),
                        "https://ibcnet.example/problems/conflict");
    json_decref(env);
    assert_int_equal(ext->refcount, 1);
    json_decref(ext);
}

static void error_reply_status_follows_the_rc_table_for_every_rc(void **state)
{
    (void)state;
    for (int rc = IBC_EINVAL; rc < IBC_RC_COUNT; rc++) {
        json_t *env = parse_and_free(ibc_envelope_error((ibc_rc)rc, "x", NULL));
        json_t *p = json_object_get(env, "error");
        assert_int_equal(json_integer_value(json_object_get(env, "status")),
                         ibc_rc_status((ibc_rc)rc));
        assert_int_equal(json_integer_value(json_object_get(p, "status")),
                         ibc_rc_status((ibc_rc)rc));
        assert_string_equal(json_string_value(json_object_get(p, "title")),
                            ibc_rc_title((ibc_rc)rc));
        json_decref(env);
    }
}

static void problem_detail_keeps_utf8(void **state)
{
    (void)state;
    json_t *p = ibc_problem(422, "unprocessable", "Unprocessable content", "Книга уже выдана");
    assert_string_equal(json_string_value(json_object_get(p, "detail")), "Книга уже выдана");
    assert_int_equal(json_integer_value(json_object_get(p, "status")), 422);
    json_decref(p);
}

/* "%.6s" of "aяяя" keeps a, я, я and half of the third я: the problem still
 * exists, with the broken byte shown as U+FFFD, so that the service answers */
static void problem_detail_with_a_letter_cut_in_half_is_mended(void **state)
{
    (void)state;
    char detail[64];
    snprintf(detail, sizeof detail, "not '%.6s'", "aяяя");
    json_t *p = ibc_problem(400, "invalid-input", "Invalid input", detail);
    assert_non_null(p);
    assert_string_equal(json_string_value(json_object_get(p, "detail")), "not 'aяя\xEF\xBF\xBD'");
    json_decref(p);
    char *env = ibc_envelope_error(IBC_EINVAL, "\xFF\xC3(\xE2\x82 ok", NULL);
    assert_non_null(env);
    assert_non_null(strstr(env, "\xEF\xBF\xBD\xEF\xBF\xBD(\xEF\xBF\xBD\xEF\xBF\xBD ok"));
    free(env);
}

/* ---------------------------------------------------------------- base64 */

static void base64_encodes_rfc4648_vectors_of_length_0_to_6(void **state)
{
    (void)state;
    static const char *want[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
    for (size_t len = 0; len < IBC_LEN(want); len++) {
        size_t n = 99;
        char *enc = ibc_base64_encode((const unsigned char *)"foobar", len, &n);
        assert_non_null(enc);
        assert_string_equal(enc, want[len]);
        assert_int_equal(n, strlen(want[len]));
        size_t m = 99;
        unsigned char *dec = ibc_base64_decode(enc, n, &m);
        assert_non_null(dec);
        assert_int_equal(m, len);
        assert_memory_equal(dec, "foobar", len);
        assert_int_equal(dec[m], 0); /* NUL-terminated */
        free(enc);
        free(dec);
    }
}

static void base64_round_trips_every_byte_value_at_lengths_0_to_5(void **state)
{
    (void)state;
    unsigned char in[5];
    /* every length 0..5, bytes covering 0x00, 0xff and the 6-bit boundaries */
    static const unsigned char probes[] = {0x00, 0x01, 0x3f, 0x40, 0x7f, 0x80, 0xc0, 0xfe, 0xff};
    for (size_t len = 0; len <= 5; len++) {
        for (size_t a = 0; a < IBC_LEN(probes); a++) {
            for (size_t i = 0; i < len; i++)
                in[i] = probes[(a + i * 3) % IBC_LEN(probes)];
            size_t n, m;
            char *enc = ibc_base64_encode(in, len, &n);
            assert_int_equal(n, 4 * ((len + 2) / 3));
            assert_int_equal(strlen(enc), n);
            unsigned char *dec = ibc_base64_decode(enc, n, &m);
            assert_non_null(dec);
            assert_int_equal(m, len);
            if (len) assert_memory_equal(dec, in, len);
            free(enc);
            free(dec);
        }
    }
}

static void base64_round_trips_all_256_bytes(void **state)
{
    (void)state;
    unsigned char in[256];
    for (int i = 0; i < 256; i++)
        in[i] = (unsigned char)i;
    size_t n, m;
    char *enc = ibc_base64_encode(in, sizeof in, &n);
    assert_int_equal(n, 344);
    assert_string_equal(enc + n - 4, "/w==");
    unsigned char *dec = ibc_base64_decode(enc, n, &m);
    assert_int_equal(m, 256);
    assert_memory_equal(dec, in, 256);
    free(enc);
    free(dec);
}

static void base64_encode_accepts_null_outlen(void **state)
{
    (void)state;
    char *enc = ibc_base64_encode((const unsigned char *)"ab", 2, NULL);
    assert_string_equal(enc, "YWI=");
    free(enc);
    unsigned char *dec = ibc_base64_decode("YWI=", 4, NULL);
    assert_string_equal((char *)dec, "ab");
    free(dec);
}

static void base64_decode_rejects_malformed_input(void **state)
{
    (void)state;
    static const char *bad[] = {
        "Z",                /* length not a multiple of 4 */
        "Zg=",              /* padding cut short */
        "Zm9vY",            /* 5 characters */
        "Zm9v\n",           /* trailing newline */
        "Zm 9",             /* space */
        "Zm9*",             /* not in the alphabet */
        "Zm9-",             /* base64url is not base64 */
        "Zm9_",             /* base64url is not base64 */
        "====",             /* nothing but padding */
        "Z===",             /* three pads */
        "=Zg=",             /* pad first */
        "Zg==Zm9v",         /* padding in the middle */
        "Zm8=Zg==",         /* padding in the middle */
        "Zg=v",             /* data after padding */
        "Zm9vZ=g=",         /* data after padding in the last group */
        "\xc3\xa9\xc3\xa9", /* non-ASCII */
    };
    for (size_t i = 0; i < IBC_LEN(bad); i++) {
        size_t n = 12345;
        unsigned char *dec = ibc_base64_decode(bad[i], strlen(bad[i]), &n);
        if (dec) fail_msg("'%s' decoded to %zu bytes", bad[i], n);
    }
}

static void base64_decode_rejects_embedded_nul(void **state)
{
    (void)state;
    static const char in[] = "Zm\0v";
    assert_null(ibc_base64_decode(in, 4, NULL));
}

static void base64_decode_of_empty_input_is_empty(void **state)
{
    (void)state;
    size_t n = 7;
    unsigned char *dec = ibc_base64_decode("", 0, &n);
    assert_non_null(dec);
    assert_int_equal(n, 0);
    assert_int_equal(dec[0], 0);
    free(dec);
}

/* ----------------------------------------------------------------- UTF-8 */

static bool valid(const char *s)
{
    return ibc_utf8_valid(s, strlen(s)) != 0;
}

static void utf8_accepts_ascii_cyrillic_and_4_byte_characters(void **state)
{
    (void)state;
    assert_true(ibc_utf8_valid("", 0));
    assert_true(valid("Hello, world ~\x7f"));
    assert_true(valid("Школьная библиотека №17"));
    assert_true(valid("\xc2\x80"));               /* U+0080, smallest 2-byte */
    assert_true(valid("\xdf\xbf"));               /* U+07FF */
    assert_true(valid("\xe0\xa0\x80"));           /* U+0800, smallest 3-byte */
    assert_true(valid("€ \xef\xbf\xbf"));         /* U+20AC, U+FFFF */
    assert_true(valid("\xed\x9f\xbf"));           /* U+D7FF, just below surrogates */
    assert_true(valid("\xee\x80\x80"));           /* U+E000, just above */
    assert_true(valid("\xf0\x90\x80\x80"));       /* U+10000, smallest 4-byte */
    assert_true(valid("\xf0\x9f\x93\x9a books")); /* U+1F4DA */
    assert_true(valid("\xf4\x8f\xbf\xbf"));       /* U+10FFFF, the last code point */
}

static void utf8_rejects_overlong_encodings(void **state)
{
    (void)state;
    assert_false(valid("\xc0\x80"));         /* NUL in 2 bytes */
    assert_false(valid("\xc0\xaf"));         /* '/' in 2 bytes */
    assert_false(valid("\xc1\xbf"));         /* U+007F in 2 bytes */
    assert_false(valid("\xe0\x80\x80"));     /* NUL in 3 bytes */
    assert_false(valid("\xe0\x80\xaf"));     /* '/' in 3 bytes */
    assert_false(valid("\xe0\x9f\xbf"));     /* U+07FF in 3 bytes */
    assert_false(valid("\xf0\x80\x80\x80")); /* NUL in 4 bytes */
    assert_false(valid("\xf0\x8f\xbf\xbf")); /* U+FFFF in 4 bytes */
}

static void utf8_rejects_surrogates(void **state)
{
    (void)state;
    assert_false(valid("\xed\xa0\x80"));             /* U+D800 */
    assert_false(valid("\xed\xad\xbf"));             /* U+DB7F */
    assert_false(valid("\xed\xb0\x80"));             /* U+DC00 */
    assert_false(valid("\xed\xbf\xbf"));             /* U+DFFF */
    assert_false(valid("\xed\xa0\xbd\xed\xb3\x9a")); /* CESU-8 pair for U+1F4DA */
}

static void utf8_rejects_code_points_above_10ffff_and_5_6_byte_forms(void **state)
{
    (void)state;
    assert_false(valid("\xf4\x90\x80\x80")); /* U+110000 */
    assert_false(valid("\xf5\x80\x80\x80"));
    assert_false(valid("\xf7\xbf\xbf\xbf"));         /* U+1FFFFF */
    assert_false(valid("\xf8\x88\x80\x80\x80"));     /* 5-byte form */
    assert_false(valid("\xfc\x84\x80\x80\x80\x80")); /* 6-byte form */
    assert_false(valid("\xfe"));
    assert_false(valid("\xff"));
}

static void utf8_rejects_truncated_sequences_and_stray_continuations(void **state)
{
    (void)state;
    assert_false(valid("\xd0")); /* 2-byte lead at the end */
    assert_false(valid("ab\xd0"));
    assert_false(valid("\xd0z"));    /* lead followed by ASCII */
    assert_false(valid("\xe2\x82")); /* 3-byte cut after 2 */
    assert_false(valid("\xe2\x82z"));
    assert_false(valid("\xf0\x9f\x93")); /* 4-byte cut after 3 */
    assert_false(valid("\xf0\x9f\x93 "));
    assert_false(valid("\x80")); /* continuation without lead */
    assert_false(valid("a\xbf"));
    assert_false(valid("\xd0\x91\x91")); /* one continuation too many */
    assert_false(valid("\xd0\xd0\x91")); /* lead where a continuation belongs */
}

static void utf8_rejects_nul_anywhere(void **state)
{
    (void)state;
    assert_false(ibc_utf8_valid("\0", 1));
    assert_false(ibc_utf8_valid("a\0b", 3));
    assert_false(ibc_utf8_valid("ab\0", 3));
}

static void utf8_checks_exactly_len_bytes(void **state)
{
    (void)state;
    /* "Б" is d0 91: a length cutting it in half is a truncated sequence */
    assert_false(ibc_utf8_valid("\xd0\x91", 1));
    assert_true(ibc_utf8_valid("\xd0\x91", 2));
    /* bytes after len are not looked at */
    assert_true(ibc_utf8_valid("ok\xff\xfe", 2));
    assert_true(ibc_utf8_valid("ok\0garbage", 2));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(request_with_params_and_body_round_trips_through_decode),
        cmocka_unit_test(request_does_not_take_ownership_of_params_or_body),
        cmocka_unit_test(request_without_params_or_body_has_empty_params_and_no_body),
        cmocka_unit_test(request_body_may_be_any_json_value),
        cmocka_unit_test(decode_adds_empty_params_when_missing),
        cmocka_unit_test(decode_reads_only_len_bytes),
        cmocka_unit_test(decode_rejects_text_that_is_not_json),
        cmocka_unit_test(decode_rejects_an_envelope_that_is_not_an_object),
        cmocka_unit_test(decode_rejects_params_that_are_not_an_object),
        cmocka_unit_test(decode_rejects_duplicate_keys),
        cmocka_unit_test(param_that_is_not_a_string_reads_as_null),
        cmocka_unit_test(reply_carries_status_body_and_headers),
        cmocka_unit_test(reply_omits_empty_headers_and_missing_body),
        cmocka_unit_test(reply_says_where_its_body_begins),
        cmocka_unit_test(text_reply_keeps_the_body_as_given),
        cmocka_unit_test(body_at_refuses_other_envelopes),
        cmocka_unit_test(raw_reply_carries_bytes_in_base64_with_content_type),
        cmocka_unit_test(raw_reply_of_zero_bytes_has_empty_raw),
        cmocka_unit_test(error_reply_is_a_problem_with_status_type_title_and_detail),
        cmocka_unit_test(error_reply_without_detail_uses_the_title),
        cmocka_unit_test(error_reply_adds_extension_members),
        cmocka_unit_test(error_reply_status_follows_the_rc_table_for_every_rc),
        cmocka_unit_test(problem_detail_keeps_utf8),
        cmocka_unit_test(problem_detail_with_a_letter_cut_in_half_is_mended),
        cmocka_unit_test(base64_encodes_rfc4648_vectors_of_length_0_to_6),
        cmocka_unit_test(base64_round_trips_every_byte_value_at_lengths_0_to_5),
        cmocka_unit_test(base64_round_trips_all_256_bytes),
        cmocka_unit_test(base64_encode_accepts_null_outlen),
        cmocka_unit_test(base64_decode_rejects_malformed_input),
        cmocka_unit_test(base64_decode_rejects_embedded_nul),
        cmocka_unit_test(base64_decode_of_empty_input_is_empty),
        cmocka_unit_test(utf8_accepts_ascii_cyrillic_and_4_byte_characters),
        cmocka_unit_test(utf8_rejects_overlong_encodings),
        cmocka_unit_test(utf8_rejects_surrogates),
        cmocka_unit_test(utf8_rejects_code_points_above_10ffff_and_5_6_byte_forms),
        cmocka_unit_test(utf8_rejects_truncated_sequences_and_stray_continuations),
        cmocka_unit_test(utf8_rejects_nul_anywhere),
        cmocka_unit_test(utf8_checks_exactly_len_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
