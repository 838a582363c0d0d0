/* The OAI-PMH resumption tokens and argument checks
 * (services/catalog/oai/oai_token.c, oai_args.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "../../services/catalog/oai/oai_args.h"
#include "../../services/catalog/oai/oai_token.h"

#define KEY "0123456789abcdef0123456789abcdef-current"
#define OLD "0123456789abcdef0123456789abcdef-previous"
#define NOW 1800000000LL
#define TTL (7 * 86400LL)

static oai_cursor sample(void)
{
    oai_cursor c = {.verb = 'R',
                    .from = 1700000000,
                    .until = -1,
                    .last_us = 1765064503123456LL,
                    .cursor = 250,
                    .issued = NOW};
    strcpy(c.prefix, "marc21");
    strcpy(c.set, "school:sch-1");
    strcpy(c.last_id, "b7f03a79-5ffd-48cd-8b66-d2a1ed0039ed");
    return c;
}

static void token_round_trips_every_field(void **state)
{
    (void)state;
    oai_token_keys k;
    assert_true(oai_token_keys_init(&k, KEY, NULL));
    oai_cursor c = sample(), d;
    char tok[OAI_TOKEN_MAX + 1];
    const char *why;
    assert_true(oai_token_encode(&k, &c, tok, sizeof tok));
    assert_true(strlen(tok) < 300);
    assert_true(oai_token_decode(&k, tok, strlen(tok), NOW, TTL, &d, &why));
    assert_int_equal(d.verb, 'R');
    assert_string_equal(d.prefix, "marc21");
    assert_string_equal(d.set, "school:sch-1");
    assert_int_equal(d.from, 1700000000);
    assert_int_equal(d.until, -1);
    assert_int_equal(d.last_us, 1765064503123456LL);
    assert_string_equal(d.last_id, c.last_id);
    assert_int_equal(d.cursor, 250);
}

static void token_with_a_changed_byte_is_refused(void **state)
{
    (void)state;
    oai_token_keys k;
    oai_token_keys_init(&k, KEY, NULL);
    oai_cursor c = sample(), d;
    char tok[OAI_TOKEN_MAX + 1];
    const char *why;
    oai_token_encode(&k, &c, tok, sizeof tok);
    size_t n = strlen(tok);
    for (size_t i = 0; i < n; i++) {
        char saved = tok[i];
        tok[i] = saved == 'A' ? 'B' : 'A';
        assert_false(oai_token_decode(&k, tok, n, NOW, TTL, &d, &why));
        tok[i] = saved;
    }
    /* cut short, or longer */
    assert_false(oai_token_decode(&k, tok, n - 1, NOW, TTL, &d, &why));
    assert_false(oai_token_decode(&k, "", 0, NOW, TTL, &d, &why));
    assert_false(oai_token_decode(&k, "abc.def", 7, NOW, TTL, &d, &why));
}

static void token_of_another_key_is_refused_unless_previous(void **state)
{
    (void)state;
    oai_token_keys old, now, rotating;
    oai_token_keys_init(&old, OLD, NULL);
    oai_token_keys_init(&now, KEY, NULL);
    oai_token_keys_init(&rotating, KEY, OLD);
    oai_cursor c = sample(), d;
    char tok[OAI_TOKEN_MAX + 1];
    const char *why;
    oai_token_encode(&old, &c, tok, sizeof tok);
    assert_false(oai_token_decode(&now, tok, strlen(tok), NOW, TTL, &d, &why));
    assert_non_null(strstr(why, "signature"));
    assert_true(oai_token_decode(&rotating, tok, strlen(tok), NOW, TTL, &d, &why));
}

static void stale_token_is_refused(void **state)
{
    (void)state;
    oai_token_keys k;
    oai_token_keys_init(&k, KEY, NULL);
    oai_cursor c = sample(), d;
    c.issued = NOW - TTL - 1;
    char tok[OAI_TOKEN_MAX + 1];
    const char *why;
    oai_token_encode(&k, &c, tok, sizeof tok);
    assert_false(oai_token_decode(&k, tok, strlen(tok), NOW, TTL, &d, &why));
    assert_non_null(strstr(why, "expired"));
    c.issued = NOW + 3600; /* from the future */
    oai_token_encode(&k, &c, tok, sizeof tok);
    assert_false(oai_token_decode(&k, tok, strlen(tok), NOW, TTL, &d, &why));
}

static void datestamps_of_both_granularities(void **state)
{
    (void)state;
    long long t;
    bool day;
    assert_true(oai_parse_datestamp("2026-12-06", false, &t, &day));
    assert_true(day);
    assert_int_equal(t, 1796515200LL);
    assert_true(oai_parse_datestamp("2026-12-06", true, &t, &day));
    assert_int_equal(t, 1796515200LL + 86399);
    assert_true(oai_parse_datestamp("2026-12-06T23:21:43Z", false, &t, &day));
    assert_false(day);
    assert_int_equal(t, 1796515200LL + 23 * 3600 + 21 * 60 + 43);
    assert_true(oai_parse_datestamp("2024-02-29", false, &t, &day));
    static const char *bad[] = {"2026-12-6",
                                "2026-13-01",
                                "2026-02-30",
                                "2025-02-29",
                                "2026-12-06T23:21:43",
                                "2026-12-06T24:00:00Z",
                                "2026-12-06 23:21:43Z",
                                "2026-12-06T23:21:43.5Z",
                                "",
                                "yesterday",
                                "2026-12-06T23:21:43+03:00"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(oai_parse_datestamp(bad[i], false, &t, &day));
}

/* Parses a JSON object of arguments and returns the error code ("" for none). */
static const char *code_of(const char *args_json)
{
    static oai_error e;
    oai_token_keys k;
    oai_token_keys_init(&k, KEY, NULL);
    json_t *p = json_loads(args_json, 0, NULL);
    assert_non_null(p);
    oai_request r;
    bool ok = oai_args_parse(p, &k, NOW, TTL, &r, &e);
    json_decref(p);
    return ok ? "" : e.code;
}

static void arguments_give_the_protocols_error_codes(void **state)
{
    (void)state;
    assert_string_equal(code_of("{\"verb\":\"Identify\"}"), "");
    assert_string_equal(code_of("{}"), "badVerb");
    assert_string_equal(code_of("{\"verb\":\"identify\"}"), "badVerb");
    assert_string_equal(code_of("{\"verb\":[\"Identify\",\"Identify\"]}"), "badVerb");
    assert_string_equal(code_of("{\"verb\":\"Identify\",\"x\":\"1\"}"), "badArgument");
    assert_string_equal(code_of("{\"verb\":\"ListRecords\"}"), "badArgument");
    assert_string_equal(code_of("{\"verb\":\"ListRecords\",\"metadataPrefix\":\"mods\"}"),
                        "cannotDisseminateFormat");
    assert_string_equal(code_of("{\"verb\":\"ListRecords\",\"metadataPrefix\":\"oai_dc\","
                                "\"from\":\"2026-02-01\",\"until\":\"2026-01-01\"}"),
                        "badArgument");
    assert_string_equal(code_of("{\"verb\":\"ListRecords\",\"metadataPrefix\":\"oai_dc\","
                                "\"from\":\"2026-02-01\",\"until\":\"2026-03-01T00:00:00Z\"}"),
                        "badArgument");
    assert_string_equal(code_of("{\"verb\":\"ListIdentifiers\",\"metadataPrefix\":\"oai_dc\","
                                "\"set\":\"class:5\"}"),
                        "noSetHierarchy");
    assert_string_equal(code_of("{\"verb\":\"ListIdentifiers\",\"metadataPrefix\":\"oai_dc\","
                                "\"set\":\"school:a b\"}"),
                        "badArgument");
    assert_string_equal(code_of("{\"verb\":\"ListIdentifiers\",\"metadataPrefix\":\"oai_dc\","
                                "\"set\":\"school:sch-1\"}"),
                        "");
    assert_string_equal(code_of("{\"verb\":\"ListRecords\",\"resumptionToken\":\"x.y\"}"),
                        "badResumptionToken");
    assert_string_equal(code_of("{\"verb\":\"ListRecords\",\"resumptionToken\":\"x.y\","
                                "\"metadataPrefix\":\"oai_dc\"}"),
                        "badArgument");
    assert_string_equal(code_of("{\"verb\":\"ListSets\",\"resumptionToken\":\"x\"}"),
                        "badResumptionToken");
    assert_string_equal(code_of("{\"verb\":\"GetRecord\",\"identifier\":\"oai:x:1\"}"),
                        "badArgument");
    assert_string_equal(code_of("{\"verb\":\"GetRecord\",\"identifier\":\"oai:x:1\","
                                "\"metadataPrefix\":\"mods\"}"),
                        "cannotDisseminateFormat");
}

static void token_of_another_verb_is_refused(void **state)
{
    (void)state;
    oai_token_keys k;
    oai_token_keys_init(&k, KEY, NULL);
    oai_cursor c = sample();
    c.verb = 'I';
    c.issued = NOW;
    char tok[OAI_TOKEN_MAX + 1], args[700];
    oai_token_encode(&k, &c, tok, sizeof tok);
    snprintf(args, sizeof args, "{\"verb\":\"ListRecords\",\"resumptionToken\":\"%s\"}", tok);
    assert_string_equal(code_of(args), "badResumptionToken");
    snprintf(args, sizeof args, "{\"verb\":\"ListIdentifiers\",\"resumptionToken\":\"%s\"}", tok);
    assert_string_equal(code_of(args), "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(token_round_trips_every_field),
        cmocka_unit_test(token_with_a_changed_byte_is_refused),
        cmocka_unit_test(token_of_another_key_is_refused_unless_previous),
        cmocka_unit_test(stale_token_is_refused),
        cmocka_unit_test(datestamps_of_both_granularities),
        cmocka_unit_test(arguments_give_the_protocols_error_codes),
        cmocka_unit_test(token_of_another_verb_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
