/* Unit tests of shared/src/context.c: the gateway's signature over the request
 * context. Each field, the subject and the payload are covered; a wrong or
 * unknown key is refused; the previous key still verifies during a rotation;
 * the deadline is checked to the millisecond. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ibc/signing.h>

#define KEY_A "key-a-0123456789-0123456789-0123456789"
#define KEY_B "key-b-0123456789-0123456789-0123456789"
#define NOW 1800000000000LL

static ibc_context_keys keys_of(const char *current, const char *previous)
{
    ibc_context_keys k;
    char err[256];
    assert_int_equal(ibc_context_keys_init(&k, current, previous, err, sizeof err), IBC_OK);
    return k;
}

/* A request as the gateway builds it, deadline NOW + 5 s; caller destroys. */
static natsMsg *request(const char *subject, const char *payload)
{
    natsMsg *m = NULL;
    assert_int_equal(natsMsg_Create(&m, subject, NULL, payload, (int)strlen(payload)), NATS_OK);
    const char *h[][2] = {{"Ibc-Request-Id", "rid-1"},
                          {"Ibc-Principal", "key-1"},
                          {"Ibc-Org", "school-1"},
                          {"Ibc-Role", "librarian"},
                          {"Ibc-Deadline", "1800000005000"}};
    for (size_t i = 0; i < sizeof h / sizeof h[0]; i++)
        assert_int_equal(natsMsgHeader_Set(m, h[i][0], h[i][1]), NATS_OK);
    return m;
}

static natsMsg *signed_request(const ibc_context_keys *k)
{
    natsMsg *m = request("ibc.rpc.circulation.checkouts.create", "{\"params\":{}}");
    assert_int_equal(ibc_context_sign(k, m), IBC_OK);
    return m;
}

static ibc_context_verdict verify(const ibc_context_keys *k, natsMsg *m, long long now)
{
    long long deadline = 0;
    ibc_context_verdict v = ibc_context_verify(k, m, now, &deadline);
    if (v == IBC_CONTEXT_VALID) assert_int_equal(deadline, 1800000005000LL);
    return v;
}

/* A copy of m with header name set to value (NULL: removed). */
static natsMsg *with_header(natsMsg *m, const char *name, const char *value)
{
    natsMsg *c = NULL;
    assert_int_equal(natsMsg_Create(&c, natsMsg_GetSubject(m), NULL, natsMsg_GetData(m),
                                    natsMsg_GetDataLength(m)),
                     NATS_OK);
    const char **names = NULL;
    int n = 0;
    assert_int_equal(natsMsgHeader_Keys(m, &names, &n), NATS_OK);
    for (int i = 0; i < n; i++) {
        const char *v = NULL;
        natsMsgHeader_Get(m, names[i], &v);
        if (strcmp(names[i], name) != 0)
            assert_int_equal(natsMsgHeader_Set(c, names[i], v), NATS_OK);
    }
    free((void *)names);
    if (value) assert_int_equal(natsMsgHeader_Set(c, name, value), NATS_OK);
    return c;
}

static void a_signed_request_verifies(void **state)
{
    (void)state;
    ibc_context_keys k = keys_of(KEY_A, NULL);
    natsMsg *m = signed_request(&k);
    assert_int_equal(verify(&k, m, NOW), IBC_CONTEXT_VALID);
    const char *sig = NULL;
    assert_int_equal(natsMsgHeader_Get(m, "Ibc-Signature", &sig), NATS_OK);
    assert_int_equal(strlen(sig), 3 + 8 + 1 + 64);
    assert_memory_equal(sig, "v1.", 3);
    assert_memory_equal(sig + 3, k.current.kid, 8);
    natsMsg_Destroy(m);
}

static void an_unsigned_request_is_unsigned(void **state)
{
    (void)state;
    ibc_context_keys k = keys_of(KEY_A, NULL);
    natsMsg *m = request("ibc.rpc.training.staff.list", "{}");
    assert_int_equal(verify(&k, m, NOW), IBC_CONTEXT_UNSIGNED);
    natsMsg_Destroy(m);
}

static void every_signed_header_is_covered(void **state)
{
    (void)state;
    ibc_context_keys k = keys_of(KEY_A, NULL);
    natsMsg *m = signed_request(&k);
    /* changed, added or removed: each breaks the signature */
    const char *changes[][2] = {
        {"Ibc-Org", "school-2"},     {"Ibc-Role", "admin"},  {"Ibc-Principal", "key-2"},
        {"Ibc-Request-Id", "rid-2"}, {"Ibc-Via", "catalog"}, {"Ibc-Deadline", "1800000009000"},
        {"Idempotency-Key", "k"},    {"If-Match", "\"3\""},  {"If-None-Match", "*"},
        {"Accept", "text/csv"},      {"Ibc-Org", ""},        {"Ibc-Org", NULL},
        {"Ibc-Role", NULL},
    };
    for (size_t i = 0; i < sizeof changes / sizeof changes[0]; i++) {
        natsMsg *c = with_header(m, changes[i][0], changes[i][1]);
        if (verify(&k, c, NOW) != IBC_CONTEXT_BAD_SIGNATURE)
            fail_msg("%s: %s was accepted", changes[i][0],
                     changes[i][1] ? changes[i][1] : "(removed)");
        natsMsg_Destroy(c);
    }
    natsMsg_Destroy(m);
}

/* The same headers and signature on another subject or payload. */
static void subject_and_payload_are_covered(void **state)
{
    (void)state;
    ibc_context_keys k = keys_of(KEY_A, NULL);
    natsMsg *m = signed_request(&k);
    const char *sig = NULL;
    natsMsgHeader_Get(m, "Ibc-Signature", &sig);
    natsMsg *other[] = {request("ibc.rpc.circulation.checkins.create", "{\"params\":{}}"),
                        request("ibc.rpc.circulation.checkouts.create", "{\"params\":{ }}"),
                        request("ibc.rpc.circulation.checkouts.create", "")};
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(natsMsgHeader_Set(other[i], "Ibc-Signature", sig), NATS_OK);
        assert_int_equal(verify(&k, other[i], NOW), IBC_CONTEXT_BAD_SIGNATURE);
        natsMsg_Destroy(other[i]);
    }
    natsMsg_Destroy(m);
}

static void another_key_is_a_bad_signature(void **state)
{
    (void)state;
    ibc_context_keys a = keys_of(KEY_A, NULL), b = keys_of(KEY_B, NULL);
    natsMsg *m = signed_request(&b);
    assert_int_equal(verify(&a, m, NOW), IBC_CONTEXT_BAD_SIGNATURE);
    natsMsg_Destroy(m);
    /* a forger who copies the right key id still needs the key */
    m = signed_request(&a);
    const char *sig = NULL;
    natsMsgHeader_Get(m, "Ibc-Signature", &sig);
    char forged[80];
    snprintf(forged, sizeof forged, "%s", sig);
    forged[20] = forged[20] == '0' ? '1' : '0';
    natsMsg *f = with_header(m, "Ibc-Signature", forged);
    assert_int_equal(verify(&a, f, NOW), IBC_CONTEXT_BAD_SIGNATURE);
    natsMsg_Destroy(f);
    natsMsg_Destroy(m);
}

static void previous_key_verifies_during_a_rotation(void **state)
{
    (void)state;
    ibc_context_keys old = keys_of(KEY_A, NULL), rotated = keys_of(KEY_B, KEY_A);
    natsMsg *m = signed_request(&old);
    assert_int_equal(verify(&rotated, m, NOW), IBC_CONTEXT_VALID);
    natsMsg_Destroy(m);
    /* the rotated process signs with its current key, which the old one refuses */
    m = signed_request(&rotated);
    assert_int_equal(verify(&rotated, m, NOW), IBC_CONTEXT_VALID);
    assert_int_equal(verify(&old, m, NOW), IBC_CONTEXT_BAD_SIGNATURE);
    natsMsg_Destroy(m);
    /* the rotation over: the old key's signatures are refused */
    ibc_context_keys done = keys_of(KEY_B, "");
    assert_false(done.has_previous);
    m = signed_request(&old);
    assert_int_equal(verify(&done, m, NOW), IBC_CONTEXT_BAD_SIGNATURE);
    natsMsg_Destroy(m);
}

static void deadline_is_exclusive_to_the_millisecond(void **state)
{
    (void)state;
    ibc_context_keys k = keys_of(KEY_A, NULL);
    natsMsg *m = signed_request(&k);
    long long deadline = 0;
    assert_int_equal(verify(&k, m, 1800000004999LL), IBC_CONTEXT_VALID);
    assert_int_equal(ibc_context_verify(&k, m, 1800000005000LL, &deadline), IBC_CONTEXT_EXPIRED);
    assert_int_equal(deadline, 1800000005000LL);
    assert_int_equal(verify(&k, m, NOW + 60000), IBC_CONTEXT_EXPIRED);
    /* a deadline further ahead than any request waits is malformed */
    assert_int_equal(verify(&k, m, 1800000005000LL - IBC_CONTEXT_MAX_AHEAD_MS - 1),
                     IBC_CONTEXT_MALFORMED);
    natsMsg_Destroy(m);
}

static void malformed_signatures_and_deadlines_are_refused(void **state)
{
    (void)state;
    ibc_context_keys k = keys_of(KEY_A, NULL);
    const char *sigs[] = {
        "",
        "v1.",
        "v2.00000000.",
        "garbage",
        "v1.0000000.0000000000000000000000000000000000000000000000000000000000000000",
        "v1.00000000.000000000000000000000000000000000000000000000000000000000000000G"};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        natsMsg *m = request("ibc.rpc.training.staff.list", "{}");
        assert_int_equal(natsMsgHeader_Set(m, "Ibc-Signature", sigs[i]), NATS_OK);
        if (verify(&k, m, NOW) != IBC_CONTEXT_MALFORMED) fail_msg("'%s' not malformed", sigs[i]);
        natsMsg_Destroy(m);
    }
    /* a well-signed context whose deadline is not a number */
    const char *deadlines[] = {"", "-1", "12a", "1800000005000.5", "9999999999999999", NULL};
    for (size_t i = 0; i < sizeof deadlines / sizeof deadlines[0]; i++) {
        natsMsg *m = request("ibc.rpc.training.staff.list", "{}"), *c;
        c = with_header(m, "Ibc-Deadline", deadlines[i]);
        assert_int_equal(ibc_context_sign(&k, c), IBC_OK);
        if (verify(&k, c, NOW) != IBC_CONTEXT_MALFORMED)
            fail_msg("deadline '%s' accepted", deadlines[i] ? deadlines[i] : "(none)");
        natsMsg_Destroy(c);
        natsMsg_Destroy(m);
    }
}

static void keys_must_be_set_and_long_enough(void **state)
{
    (void)state;
    ibc_context_keys k;
    char err[256];
    assert_int_equal(ibc_context_keys_init(&k, NULL, NULL, err, sizeof err), IBC_EINVAL);
    assert_non_null(strstr(err, "IBC_CONTEXT_KEY is not set"));
    assert_int_equal(ibc_context_keys_init(&k, "short", NULL, err, sizeof err), IBC_EINVAL);
    assert_non_null(strstr(err, "IBC_CONTEXT_KEY must be"));
    assert_null(strstr(err, "short")); /* the value never appears */
    assert_int_equal(ibc_context_keys_init(&k, KEY_A, "short", err, sizeof err), IBC_EINVAL);
    assert_non_null(strstr(err, "IBC_CONTEXT_KEY_PREVIOUS"));
    /* the key id names the key without revealing it */
    ibc_context_keys a = keys_of(KEY_A, NULL), b = keys_of(KEY_B, NULL);
    assert_int_equal(strlen(a.current.kid), 8);
    assert_string_not_equal(a.current.kid, b.current.kid);
}

int main(void)
{
    nats_Open(-1); /* natsMsg_Destroy needs the library's collector */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_signed_request_verifies),
        cmocka_unit_test(an_unsigned_request_is_unsigned),
        cmocka_unit_test(every_signed_header_is_covered),
        cmocka_unit_test(subject_and_payload_are_covered),
        cmocka_unit_test(another_key_is_a_bad_signature),
        cmocka_unit_test(previous_key_verifies_during_a_rotation),
        cmocka_unit_test(deadline_is_exclusive_to_the_millisecond),
        cmocka_unit_test(malformed_signatures_and_deadlines_are_refused),
        cmocka_unit_test(keys_must_be_set_and_long_enough),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
