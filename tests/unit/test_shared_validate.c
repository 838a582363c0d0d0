/* Unit tests of shared/src/validate.c: every field kind with its limits,
 * unknown fields, nulls and required fields, code-point lengths, calendar
 * dates and UUIDs, and the sentence that names the bad field. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ibc/json.h>

static const char *const colours[] = {"red", "green", "blue", NULL};

static const ibc_field fields[] = {
    {"name", IBC_F_STR, true, 1, 5},
    {"code", IBC_F_STR, false, 3, 0}, /* at least 3, no upper limit */
    {"count", IBC_F_INT, false, -2, 10},
    {"amount", IBC_F_NUM, false, 0, 1000},
    {"active", IBC_F_BOOL, false},
    {"colour", IBC_F_ENUM, false, 0, 0, colours},
    {"tags", IBC_F_STRARR, false, 1, 3, NULL, 4},
    {"notes", IBC_F_STRARR, false, 0, 0}, /* any number, items up to 1000 */
    {"born", IBC_F_DATE, false},
    {"ref", IBC_F_UUID, false},
    {"extra", IBC_F_OBJ, false},
    {"anything", IBC_F_ANY, false},
};

/* Validates the JSON text against fields; returns rc and leaves the message
 * in ctx; *outp (if given) gets the copied fields. */
static ibc_rc run(ibc_ctx *ctx, const char *text, const char *where, const char *const *ignore,
                  json_t **outp)
{
    json_error_t jerr;
    json_t *body = json_loads(text, JSON_DECODE_ANY, &jerr);
    if (!body) fail_msg("test JSON '%s': %s", text, jerr.text);
    memset(ctx, 0, sizeof *ctx);
    json_t *out = json_object();
    ibc_rc rc = ibc_validate(ctx, body, fields, IBC_LEN(fields), where, ignore, out);
    json_decref(body);
    if (outp)
        *outp = out;
    else
        json_decref(out);
    return rc;
}

/* Asserts the text is accepted. */
static void ok(const char *text)
{
    ibc_ctx ctx;
    if (run(&ctx, text, "", NULL, NULL) != IBC_OK)
        fail_msg("'%s' rejected: %s", text, ctx.err_detail);
    assert_int_equal(ctx.err, IBC_OK);
}

/* Asserts the text is rejected with exactly this sentence. */
static void bad(const char *text, const char *message)
{
    ibc_ctx ctx;
    if (run(&ctx, text, "", NULL, NULL) != IBC_EINVAL) fail_msg("'%s' accepted", text);
    assert_int_equal(ctx.err, IBC_EINVAL);
    if (strcmp(ctx.err_detail, message) != 0)
        fail_msg("'%s': got \"%s\", want \"%s\"", text, ctx.err_detail, message);
}

static void valid_body_is_copied_to_out(void **state)
{
    (void)state;
    ibc_ctx ctx;
    json_t *out;
    const char *text = "{\"name\":\"Аня\",\"count\":3,\"amount\":12.5,\"active\":false,"
                       "\"colour\":\"red\",\"tags\":[\"a\",\"bb\"],\"born\":\"2012-05-01\","
                       "\"ref\":\"123e4567-e89b-12d3-a456-426614174000\",\"extra\":{\"k\":1},"
                       "\"anything\":[1,\"x\",null]}";
    assert_int_equal(run(&ctx, text, "", NULL, &out), IBC_OK);
    json_t *body = json_loads(text, 0, NULL);
    assert_true(json_equal(out, body));
    json_decref(body);
    json_decref(out);
}

static void minimal_body_with_only_required_fields_is_valid(void **state)
{
    (void)state;
    ibc_ctx ctx;
    json_t *out;
    assert_int_equal(run(&ctx, "{\"name\":\"x\"}", "", NULL, &out), IBC_OK);
    assert_int_equal(json_object_size(out), 1);
    json_decref(out);
}

static void body_that_is_not_an_object_is_rejected(void **state)
{
    (void)state;
    bad("[]", "the body must be a JSON object");
    bad("\"name\"", "the body must be a JSON object");
    bad("null", "the body must be a JSON object");
    bad("42", "the body must be a JSON object");
}

static void nested_object_that_is_not_an_object_is_named(void **state)
{
    (void)state;
    ibc_ctx ctx;
    assert_int_equal(run(&ctx, "[1]", "textbook.", NULL, NULL), IBC_EINVAL);
    assert_string_equal(ctx.err_detail, "'textbook' must be a JSON object");
}

static void missing_required_field_is_named(void **state)
{
    (void)state;
    bad("{}", "'name' is required");
    bad("{\"count\":1}", "'name' is required");
}

static void null_required_field_is_missing(void **state)
{
    (void)state;
    bad("{\"name\":null}", "'name' is required");
}

static void null_optional_field_is_skipped_and_not_copied(void **state)
{
    (void)state;
    ibc_ctx ctx;
    json_t *out;
    assert_int_equal(run(&ctx,
                         "{\"name\":\"x\",\"count\":null,\"tags\":null,\"born\":null,"
                         "\"ref\":null,\"extra\":null,\"colour\":null,\"anything\":null}",
                         "", NULL, &out),
                     IBC_OK);
    assert_int_equal(json_object_size(out), 1);
    assert_non_null(json_object_get(out, "name"));
    json_decref(out);
}

static void unknown_field_is_rejected_by_name(void **state)
{
    (void)state;
    bad("{\"name\":\"x\",\"colour_code\":1}", "unknown field 'colour_code'");
    bad("{\"Name\":\"x\"}", "unknown field 'Name'");
    /* even a null one */
    bad("{\"name\":\"x\",\"zzz\":null}", "unknown field 'zzz'");
    /* a long name is quoted to 60 bytes, cut before a letter, not inside one
     * (found by tests/fuzz/fuzz_json_body) */
    char body[256] = "{\"name\":\"x\",\"a", want[128] = "unknown field 'a";
    for (int i = 0; i < 40; i++)
        strcat(body, "ж");
    for (int i = 0; i < 29; i++) /* 1 + 29 * 2 = 59 bytes; the 30th letter would end at 61 */
        strcat(want, "ж");
    strcat(body, "\":1}");
    strcat(want, "'");
    bad(body, want);
}

static void unknown_field_names_carry_the_prefix(void **state)
{
    (void)state;
    ibc_ctx ctx;
    assert_int_equal(run(&ctx, "{\"name\":\"x\",\"foo\":1}", "textbook.", NULL, NULL), IBC_EINVAL);
    assert_string_equal(ctx.err_detail, "unknown field 'textbook.foo'");
    assert_int_equal(run(&ctx, "{\"name\":\"abcdef\"}", "textbook.", NULL, NULL), IBC_EINVAL);
    assert_string_equal(ctx.err_detail,
                        "'textbook.name' is 6 characters long; at most 5 are allowed");
    assert_int_equal(run(&ctx, "{}", "textbook.", NULL, NULL), IBC_EINVAL);
    assert_string_equal(ctx.err_detail, "'textbook.name' is required");
}

static void ignored_keys_are_skipped_and_not_copied(void **state)
{
    (void)state;
    static const char *const ignore[] = {"id", "version", NULL};
    ibc_ctx ctx;
    json_t *out;
    assert_int_equal(run(&ctx, "{\"name\":\"x\",\"id\":[1],\"version\":\"any\"}", "", ignore, &out),
                     IBC_OK);
    assert_null(json_object_get(out, "id"));
    assert_null(json_object_get(out, "version"));
    assert_int_equal(json_object_size(out), 1);
    json_decref(out);
    /* but only those */
    assert_int_equal(run(&ctx, "{\"name\":\"x\",\"created\":1}", "", ignore, NULL), IBC_EINVAL);
    assert_string_equal(ctx.err_detail, "unknown field 'created'");
}

static void very_long_unknown_field_name_is_cut_in_the_message(void **state)
{
    (void)state;
    char text[400];
    char key[201];
    memset(key, 'k', 200);
    key[200] = 0;
    snprintf(text, sizeof text, "{\"name\":\"x\",\"%s\":1}", key);
    ibc_ctx ctx;
    assert_int_equal(run(&ctx, text, "", NULL, NULL), IBC_EINVAL);
    assert_true(strlen(ctx.err_detail) < 100);
    assert_non_null(strstr(ctx.err_detail, "unknown field 'kkkk"));
}

/* ------------------------------------------------------------- strings */

static void string_length_counts_code_points_not_bytes(void **state)
{
    (void)state;
    ok("{\"name\":\"Пушки\"}");                            /* 5 letters, 10 bytes */
    ok("{\"name\":\"\xf0\x9f\x93\x9a\xf0\x9f\x93\x9a\"}"); /* 2 code points, 8 bytes */
    bad("{\"name\":\"Пушкин\"}", "'name' is 6 characters long; at most 5 are allowed");
    ok("{\"name\":\"abcde\"}");
    bad("{\"name\":\"abcdef\"}", "'name' is 6 characters long; at most 5 are allowed");
}

static void empty_string_is_rejected(void **state)
{
    (void)state;
    bad("{\"name\":\"\"}", "'name' must not be empty");
}

static void string_shorter_than_min_names_the_minimum(void **state)
{
    (void)state;
    ok("{\"name\":\"x\",\"code\":\"abc\"}");
    ok("{\"name\":\"x\",\"code\":\"абв\"}");
    bad("{\"name\":\"x\",\"code\":\"ab\"}", "'code' must be at least 3 characters long");
    bad("{\"name\":\"x\",\"code\":\"аб\"}", "'code' must be at least 3 characters long");
    bad("{\"name\":\"x\",\"code\":\"\"}", "'code' must not be empty");
}

static void string_with_max_zero_has_no_upper_limit(void **state)
{
    (void)state;
    char *text = malloc(20100);
    strcpy(text, "{\"name\":\"x\",\"code\":\"");
    size_t n = strlen(text);
    memset(text + n, 'z', 20000);
    strcpy(text + n + 20000, "\"}");
    ok(text);
    free(text);
}

static void string_of_wrong_type_is_rejected(void **state)
{
    (void)state;
    bad("{\"name\":5}", "'name' must be a string");
    bad("{\"name\":[\"x\"]}", "'name' must be a string");
    bad("{\"name\":true}", "'name' must be a string");
    bad("{\"name\":{}}", "'name' must be a string");
}

static void utf8_length_counts_code_points(void **state)
{
    (void)state;
    assert_int_equal(ibc_utf8_length(""), 0);
    assert_int_equal(ibc_utf8_length("abc"), 3);
    assert_int_equal(ibc_utf8_length("Библиотека"), 10);
    assert_int_equal(ibc_utf8_length("€"), 1);
    assert_int_equal(ibc_utf8_length("a\xf0\x9f\x93\x9a"), 2);
    assert_int_equal(ibc_utf8_length("ёЁй"), 3);
}

/* ------------------------------------------------------------- numbers */

static void integer_limits_are_inclusive(void **state)
{
    (void)state;
    ok("{\"name\":\"x\",\"count\":-2}");
    ok("{\"name\":\"x\",\"count\":0}");
    ok("{\"name\":\"x\",\"count\":10}");
    bad("{\"name\":\"x\",\"count\":11}", "'count' must be from -2 to 10, not 11");
    bad("{\"name\":\"x\",\"count\":-3}", "'count' must be from -2 to 10, not -3");
    bad("{\"name\":\"x\",\"count\":9223372036854775807}",
        "'count' must be from -2 to 10, not 9223372036854775807");
}

static void integer_of_wrong_type_is_rejected(void **state)
{
    (void)state;
    bad("{\"name\":\"x\",\"count\":1.5}", "'count' must be an integer");
    bad("{\"name\":\"x\",\"count\":1.0}", "'count' must be an integer");
    bad("{\"name\":\"x\",\"count\":\"3\"}", "'count' must be an integer");
    bad("{\"name\":\"x\",\"count\":true}", "'count' must be an integer");
}

static void number_accepts_integers_and_reals_within_limits(void **state)
{
    (void)state;
    ok("{\"name\":\"x\",\"amount\":0}");
    ok("{\"name\":\"x\",\"amount\":999.99}");
    ok("{\"name\":\"x\",\"amount\":1000}");
    ok("{\"name\":\"x\",\"amount\":1e3}");
    bad("{\"name\":\"x\",\"amount\":1000.01}", "'amount' must be from 0 to 1000");
    bad("{\"name\":\"x\",\"amount\":-0.01}", "'amount' must be from 0 to 1000");
    bad("{\"name\":\"x\",\"amount\":\"12\"}", "'amount' must be a number");
}

static void boolean_accepts_only_true_and_false(void **state)
{
    (void)state;
    ok("{\"name\":\"x\",\"active\":true}");
    ok("{\"name\":\"x\",\"active\":false}");
    bad("{\"name\":\"x\",\"active\":1}", "'active' must be true or false");
    bad("{\"name\":\"x\",\"active\":\"true\"}", "'active' must be true or false");
}

/* ---------------------------------------------------------------- enums */

static void enum_accepts_only_its_choices_and_lists_them(void **state)
{
    (void)state;
    ok("{\"name\":\"x\",\"colour\":\"green\"}");
    bad("{\"name\":\"x\",\"colour\":\"Green\"}",
        "'colour' must be one of red, green, blue, not 'Green'");
    bad("{\"name\":\"x\",\"colour\":\"\"}", "'colour' must be one of red, green, blue, not ''");
    bad("{\"name\":\"x\",\"colour\":1}", "'colour' must be a string");
}

/* ------------------------------------------------------- string arrays */

static void string_array_limits_items_and_their_length(void **state)
{
    (void)state;
    ok("{\"name\":\"x\",\"tags\":[\"a\"]}");
    ok("{\"name\":\"x\",\"tags\":[\"a\",\"b\",\"абвг\"]}");
    bad("{\"name\":\"x\",\"tags\":[]}", "'tags' must have 1 to 3 items, not 0");
    bad("{\"name\":\"x\",\"tags\":[\"a\",\"b\",\"c\",\"d\"]}",
        "'tags' must have 1 to 3 items, not 4");
    bad("{\"name\":\"x\",\"tags\":[\"a\",\"abcde\"]}",
        "'tags[1]' is 5 characters long; at most 4 are allowed");
    bad("{\"name\":\"x\",\"tags\":[\"\"]}", "'tags[0]' must not be empty");
    bad("{\"name\":\"x\",\"tags\":[\"a\",2]}", "'tags[1]' must be a string");
    bad("{\"name\":\"x\",\"tags\":[null]}", "'tags[0]' must be a string");
    bad("{\"name\":\"x\",\"tags\":\"a\"}", "'tags' must be an array of strings");
}

static void string_array_with_max_zero_has_no_item_limit(void **state)
{
    (void)state;
    char text[4096] = "{\"name\":\"x\",\"notes\":[";
    for (int i = 0; i < 500; i++)
        strcat(text, i ? ",\"n\"" : "\"n\"");
    strcat(text, "]}");
    ok(text);
    ok("{\"name\":\"x\",\"notes\":[]}");
}

static void string_array_item_defaults_to_1000_characters(void **state)
{
    (void)state;
    char *text = malloc(1200);
    strcpy(text, "{\"name\":\"x\",\"notes\":[\"");
    size_t n = strlen(text);
    memset(text + n, 'q', 1000);
    strcpy(text + n + 1000, "\"]}");
    ok(text);
    memset(text + n, 'q', 1001);
    strcpy(text + n + 1001, "\"]}");
    bad(text, "'notes[0]' is 1001 characters long; at most 1000 are allowed");
    free(text);
}

static void string_array_with_only_a_minimum_says_at_least(void **state)
{
    (void)state;
    static const ibc_field f[] = {{"authors", IBC_F_STRARR, false, 2, 0}};
    json_t *body = json_pack("{s:[s]}", "authors", "one");
    json_t *out = json_object();
    ibc_ctx ctx = {0};
    assert_int_equal(ibc_validate(&ctx, body, f, 1, "", NULL, out), IBC_EINVAL);
    assert_string_equal(ctx.err_detail, "'authors' must have at least 2 items, not 1");
    json_decref(body);
    json_decref(out);
}

/* ---------------------------------------------------------------- dates */

static void date_field_accepts_real_dates_only(void **state)
{
    (void)state;
    ok("{\"name\":\"x\",\"born\":\"2024-02-29\"}");
    bad("{\"name\":\"x\",\"born\":\"2023-02-29\"}",
        "'born' must be a real date as YYYY-MM-DD, not '2023-02-29'");
    bad("{\"name\":\"x\",\"born\":20240229}", "'born' must be a date string YYYY-MM-DD");
}

static void leap_years_follow_the_gregorian_rules(void **state)
{
    (void)state;
    assert_true(ibc_date_valid("2024-02-29"));  /* divisible by 4 */
    assert_false(ibc_date_valid("2023-02-29")); /* not */
    assert_true(ibc_date_valid("2000-02-29"));  /* divisible by 400 */
    assert_false(ibc_date_valid("1900-02-29")); /* by 100, not by 400 */
    assert_false(ibc_date_valid("2100-02-29"));
    assert_true(ibc_date_valid("2023-02-28"));
    assert_false(ibc_date_valid("2024-02-30"));
}

static void month_lengths_are_checked(void **state)
{
    (void)state;
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    char s[16];
    for (int m = 1; m <= 12; m++) {
        snprintf(s, sizeof s, "2023-%02d-%02d", m, days[m - 1]);
        if (!ibc_date_valid(s)) fail_msg("%s rejected", s);
        snprintf(s, sizeof s, "2023-%02d-%02d", m, days[m - 1] + 1);
        if (ibc_date_valid(s)) fail_msg("%s accepted", s);
        snprintf(s, sizeof s, "2023-%02d-01", m);
        if (!ibc_date_valid(s)) fail_msg("%s rejected", s);
    }
}

static void malformed_dates_are_rejected(void **state)
{
    (void)state;
    static const char *bad_dates[] = {
        "",
        "2024",
        "2024-1-05",
        "2024-01-5",
        "24-01-05",
        "2024/01/05",
        "2024.01.05",
        "05.01.2024",
        "2024-13-01",
        "2024-00-10",
        "2024-01-00",
        "2024-01-32",
        "2024-01-05T00:00:00Z",
        "2024-01-05 ",
        " 2024-01-05",
        "2024-+1-05",
        "2024- 1-05",
        "2024-01-+5",
        "2024-01- 5",
        "+024-01-05",
        "-024-01-05",
        "2024--1-05",
        "2024-1a-05",
        "abcd-ef-gh",
        "2024-01-0x",
        "1899-12-31",
        "2201-01-01",
        "0000-01-01",
    };
    for (size_t i = 0; i < IBC_LEN(bad_dates); i++)
        if (ibc_date_valid(bad_dates[i])) fail_msg("'%s' accepted as a date", bad_dates[i]);
    assert_true(ibc_date_valid("1900-01-01"));
    assert_true(ibc_date_valid("2200-12-31"));
}

/* ---------------------------------------------------------------- UUIDs */

static void uuids_in_canonical_form_are_accepted(void **state)
{
    (void)state;
    assert_true(ibc_uuid_valid("123e4567-e89b-12d3-a456-426614174000"));
    assert_true(ibc_uuid_valid("00000000-0000-0000-0000-000000000000"));
    assert_true(ibc_uuid_valid("FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF"));
    ok("{\"name\":\"x\",\"ref\":\"0189c6a2-7d7e-7cc1-9a2b-5f4e3d2c1b0a\"}");
}

static void malformed_uuids_are_rejected(void **state)
{
    (void)state;
    static const char *bad_uuids[] = {
        "",
        "123e4567e89b12d3a456426614174000",           /* no hyphens */
        "123e4567-e89b-12d3-a456-42661417400",        /* 35 */
        "123e4567-e89b-12d3-a456-4266141740000",      /* 37 */
        "123e4567-e89b-12d3-a4564-26614174000",       /* hyphen moved */
        "123e4567-e89b-12d3-a456_426614174000",       /* wrong separator */
        "123e4567-e89b-12d3-a456-42661417400g",       /* not hex */
        "{23e4567-e89b-12d3-a456-42661417400}",       /* braces */
        "123e4567-e89b-12d3-a456-42661417 000",       /* space */
        "123e4567-e89b-12d3-a456-4266141740\xd0\x91", /* non-ASCII */
    };
    for (size_t i = 0; i < IBC_LEN(bad_uuids); i++)
        if (ibc_uuid_valid(bad_uuids[i])) fail_msg("'%s' accepted as a UUID", bad_uuids[i]);
    bad("{\"name\":\"x\",\"ref\":\"not-a-uuid\"}", "'ref' must be a UUID, not 'not-a-uuid'");
    bad("{\"name\":\"x\",\"ref\":12}", "'ref' must be a UUID string");
}

/* ------------------------------------------------------ objects, any */

static void object_field_accepts_only_objects(void **state)
{
    (void)state;
    ok("{\"name\":\"x\",\"extra\":{}}");
    bad("{\"name\":\"x\",\"extra\":[]}", "'extra' must be an object");
    bad("{\"name\":\"x\",\"extra\":\"{}\"}", "'extra' must be an object");
}

static void any_field_accepts_every_json_value(void **state)
{
    (void)state;
    ok("{\"name\":\"x\",\"anything\":1}");
    ok("{\"name\":\"x\",\"anything\":\"s\"}");
    ok("{\"name\":\"x\",\"anything\":[]}");
    ok("{\"name\":\"x\",\"anything\":{\"a\":[1]}}");
    ok("{\"name\":\"x\",\"anything\":false}");
}

static void first_problem_in_table_order_is_reported(void **state)
{
    (void)state;
    /* both count and colour are bad; count comes first in the table */
    bad("{\"colour\":\"pink\",\"count\":99,\"name\":\"x\"}",
        "'count' must be from -2 to 10, not 99");
}

static void blank_string_is_refused_when_a_value_is_required(void **state)
{
    (void)state;
    ibc_ctx ctx = {0};
    const ibc_field f[] = {{"title", IBC_F_STR, true, 1, 100}};
    json_t *out = json_object();
    json_t *body = json_pack("{s:s}", "title", " \t\n ");
    assert_int_equal(ibc_validate(&ctx, body, f, 1, "", NULL, out), IBC_EINVAL);
    assert_non_null(strstr(ctx.err_detail, "'title' must not be blank"));
    json_decref(body);
    body = json_pack("{s:s}", "title", " Война и мир ");
    ctx = (ibc_ctx){0};
    assert_int_equal(ibc_validate(&ctx, body, f, 1, "", NULL, out), IBC_OK);
    json_decref(body);
    json_decref(out);
}

/* ibc_json_changed: what an event says changed, never the values */
static void changed_names_differing_added_and_removed_members(void **state)
{
    (void)state;
    json_t *before =
        json_pack("{s:s, s:i, s:s, s:i}", "title", "a", "amount", 5, "url", "x", "version", 1);
    json_t *after =
        json_pack("{s:s, s:i, s:s, s:i}", "title", "b", "amount", 5, "funder", "f", "version", 2);
    static const char *const ignore[] = {"version", NULL};
    json_t *c = ibc_json_changed(before, after, ignore);
    char *text = json_dumps(c, JSON_COMPACT);
    assert_string_equal(text, "[\"title\",\"funder\",\"url\"]");
    free(text);
    json_decref(c);
    c = ibc_json_changed(before, before, NULL);
    assert_int_equal(json_array_size(c), 0);
    json_decref(c);
    json_decref(before);
    json_decref(after);
}

/* ibc_json_compact takes out the whitespace PostgreSQL prints between
 * tokens and nothing else: the text parses to the same value. */
static void compact_removes_whitespace_between_tokens_only(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"{\"a\" : 1, \"b\" : [1, 2,\n\t3]}", "{\"a\":1,\"b\":[1,2,3]}"},
        {"[\"a b\", \" \\\" x \", \"\\\\\", \"ё ж\"]", "[\"a b\",\" \\\" x \",\"\\\\\",\"ё ж\"]"},
        {"  {}  ", "{}"},
        {"", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char buf[128];
        snprintf(buf, sizeof buf, "%s", cases[i][0]);
        size_t n = ibc_json_compact(buf, strlen(buf));
        assert_string_equal(buf, cases[i][1]);
        assert_int_equal(n, strlen(cases[i][1]));
        if (n) {
            json_t *a = json_loads(cases[i][0], 0, NULL), *b = json_loads(buf, 0, NULL);
            assert_non_null(a);
            assert_true(json_equal(a, b));
            json_decref(a);
            json_decref(b);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(blank_string_is_refused_when_a_value_is_required),
        cmocka_unit_test(valid_body_is_copied_to_out),
        cmocka_unit_test(minimal_body_with_only_required_fields_is_valid),
        cmocka_unit_test(body_that_is_not_an_object_is_rejected),
        cmocka_unit_test(nested_object_that_is_not_an_object_is_named),
        cmocka_unit_test(missing_required_field_is_named),
        cmocka_unit_test(null_required_field_is_missing),
        cmocka_unit_test(null_optional_field_is_skipped_and_not_copied),
        cmocka_unit_test(unknown_field_is_rejected_by_name),
        cmocka_unit_test(unknown_field_names_carry_the_prefix),
        cmocka_unit_test(ignored_keys_are_skipped_and_not_copied),
        cmocka_unit_test(very_long_unknown_field_name_is_cut_in_the_message),
        cmocka_unit_test(string_length_counts_code_points_not_bytes),
        cmocka_unit_test(empty_string_is_rejected),
        cmocka_unit_test(string_shorter_than_min_names_the_minimum),
        cmocka_unit_test(string_with_max_zero_has_no_upper_limit),
        cmocka_unit_test(string_of_wrong_type_is_rejected),
        cmocka_unit_test(utf8_length_counts_code_points),
        cmocka_unit_test(integer_limits_are_inclusive),
        cmocka_unit_test(integer_of_wrong_type_is_rejected),
        cmocka_unit_test(number_accepts_integers_and_reals_within_limits),
        cmocka_unit_test(boolean_accepts_only_true_and_false),
        cmocka_unit_test(enum_accepts_only_its_choices_and_lists_them),
        cmocka_unit_test(string_array_limits_items_and_their_length),
        cmocka_unit_test(string_array_with_max_zero_has_no_item_limit),
        cmocka_unit_test(string_array_item_defaults_to_1000_characters),
        cmocka_unit_test(string_array_with_only_a_minimum_says_at_least),
        cmocka_unit_test(date_field_accepts_real_dates_only),
        cmocka_unit_test(leap_years_follow_the_gregorian_rules),
        cmocka_unit_test(month_lengths_are_checked),
        cmocka_unit_test(malformed_dates_are_rejected),
        cmocka_unit_test(uuids_in_canonical_form_are_accepted),
        cmocka_unit_test(malformed_uuids_are_rejected),
        cmocka_unit_test(object_field_accepts_only_objects),
        cmocka_unit_test(any_field_accepts_every_json_value),
        cmocka_unit_test(first_problem_in_table_order_is_reported),
        cmocka_unit_test(changed_names_differing_added_and_removed_members),
        cmocka_unit_test(compact_removes_whitespace_between_tokens_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
