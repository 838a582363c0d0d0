/* Unit tests of services/training/body.c: staff and course bodies are
 * checked field by field with a sentence naming the field, dates in order,
 * materials as http(s) links, and flattened with every optional column. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "../../services/training/body.h"

typedef ibc_rc (*normalizer)(ibc_ctx *ctx, const json_t *body, json_t **flat);

static ibc_rc staff_in(ibc_ctx *ctx, const json_t *body, json_t **flat)
{
    return staff_normalize(ctx, body, "school-17", flat);
}

/* Runs fn on text; returns rc with the message in ctx and *flat. */
static ibc_rc run(normalizer fn, ibc_ctx *ctx, const char *text, json_t **flat)
{
    json_error_t jerr;
    json_t *body = json_loads(text, JSON_DECODE_ANY, &jerr);
    if (!body) fail_msg("test JSON '%s': %s", text, jerr.text);
    memset(ctx, 0, sizeof *ctx);
    ibc_rc rc = fn(ctx, body, flat);
    json_decref(body);
    return rc;
}

/* Asserts that text is refused with a message holding needle and no output. */
static void refused(normalizer fn, const char *text, const char *needle)
{
    ibc_ctx ctx;
    json_t *flat = (json_t *)1;
    ibc_rc rc = run(fn, &ctx, text, &flat);
    if (rc != IBC_EINVAL || !strstr(ctx.err_detail, needle))
        fail_msg("'%s': rc %d '%s', wanted '%s'", text, rc, ctx.err_detail, needle);
    assert_null(flat);
}

static json_t *accepted(normalizer fn, const char *text)
{
    ibc_ctx ctx;
    json_t *flat;
    if (run(fn, &ctx, text, &flat) != IBC_OK) fail_msg("'%s' refused: %s", text, ctx.err_detail);
    return flat;
}

static void staff_school_defaults_and_optional_columns_are_null(void **state)
{
    (void)state;
    json_t *f = accepted(staff_in, "{\"full_name\":\"Иванова\"}");
    assert_string_equal(json_string_value(json_object_get(f, "school")), "school-17");
    assert_true(json_is_null(json_object_get(f, "position")));
    assert_true(json_is_null(json_object_get(f, "hired_on")));
    assert_true(json_is_null(json_object_get(f, "left_on")));
    json_decref(f);
    /* read-only members sent back from a GET are ignored */
    f = accepted(staff_in, "{\"id\":\"x\",\"version\":3,\"full_name\":\"И\",\"school\":\"s-2\","
                           "\"hired_on\":\"2020-01-01\",\"left_on\":\"2020-01-01\"}");
    assert_string_equal(json_string_value(json_object_get(f, "school")), "s-2");
    assert_null(json_object_get(f, "id"));
    json_decref(f);
}

static void staff_bad_input_names_the_field(void **state)
{
    (void)state;
    refused(staff_in, "{}", "'full_name' is required");
    refused(staff_in, "{\"full_name\":7}", "'full_name' must be a string");
    refused(staff_in, "{\"full_name\":\"И\",\"school\":\"школа 17\"}", "organisation id");
    refused(staff_in, "{\"full_name\":\"И\",\"hired_on\":\"2021-13-01\"}", "'hired_on'");
    refused(staff_in,
            "{\"full_name\":\"И\",\"hired_on\":\"2021-03-01\",\"left_on\":\"2021-02-28\"}",
            "'left_on' (2021-02-28) is before 'hired_on' (2021-03-01)");
    refused(staff_in, "{\"full_name\":\"И\",\"email\":\"a@b\"}", "unknown field 'email'");
    refused(staff_in, "\"text\"", "JSON object");
    /* no default school and none given */
    ibc_ctx ctx = {0};
    json_t *body = json_pack("{s:s}", "full_name", "И"), *flat;
    assert_int_equal(staff_normalize(&ctx, body, "", &flat), IBC_EINVAL);
    assert_non_null(strstr(ctx.err_detail, "'school' is required"));
    json_decref(body);
}

#define COURSE(extra)                                                                              \
    "{\"title\":\"ИБЦ\",\"provider\":\"ИРО\",\"kind\":\"course\",\"format\":\"blended\","    \
    "\"hours\":72,\"starts_on\":\"2025-02-01\",\"ends_on\":\"2025-02-28\"" extra "}"

static void course_is_flattened_with_materials_and_nulls(void **state)
{
    (void)state;
    json_t *f = accepted(course_normalize, COURSE(""));
    assert_true(json_is_array(json_object_get(f, "materials")));
    assert_int_equal(json_array_size(json_object_get(f, "materials")), 0);
    assert_true(json_is_null(json_object_get(f, "capacity")));
    assert_true(json_is_null(json_object_get(f, "location")));
    assert_true(json_is_null(json_object_get(f, "description")));
    json_decref(f);
    f = accepted(course_normalize,
                 COURSE(",\"capacity\":5,\"materials\":[{\"url\":\"https://lms.example/1\"},"
                        "{\"title\":\"Видео\",\"url\":\"http://v.example/2\"}],\"enrolled\":3,"
                        "\"seats_left\":2,\"status\":\"upcoming\""));
    assert_int_equal(json_integer_value(json_object_get(f, "capacity")), 5);
    assert_int_equal(json_array_size(json_object_get(f, "materials")), 2);
    assert_null(json_object_get(f, "enrolled"));
    json_decref(f);
    /* a one-day course */
    json_decref(accepted(course_normalize,
                         "{\"title\":\"В\",\"provider\":\"П\",\"kind\":\"webinar\",\"format\":"
                         "\"distance\",\"hours\":2,\"starts_on\":\"2025-03-03\",\"ends_on\":"
                         "\"2025-03-03\"}"));
}

static void course_bad_input_names_the_field(void **state)
{
    (void)state;
    refused(course_normalize,
            "{\"title\":\"ИБЦ\",\"provider\":\"ИРО\",\"kind\":\"course\",\"format\":\"blended\","
            "\"hours\":72,\"starts_on\":\"2025-03-01\",\"ends_on\":\"2025-02-28\"}",
            "'ends_on' (2025-02-28) is before 'starts_on' (2025-03-01)");
    refused(course_normalize,
            "{\"title\":\"ИБЦ\",\"provider\":\"ИРО\",\"kind\":\"course\",\"format\":\"blended\","
            "\"hours\":-1,\"starts_on\":\"2025-02-01\",\"ends_on\":\"2025-02-28\"}",
            "'hours' must be from 1 to 2000, not -1");
    refused(course_normalize,
            "{\"title\":\"ИБЦ\",\"provider\":\"ИРО\",\"kind\":\"course\",\"format\":\"blended\","
            "\"hours\":\"72\",\"starts_on\":\"2025-02-01\",\"ends_on\":\"2025-02-28\"}",
            "'hours' must be an integer");
    refused(course_normalize,
            "{\"title\":\"ИБЦ\",\"provider\":\"ИРО\",\"kind\":\"course\",\"format\":\"blended\","
            "\"hours\":7.5,\"starts_on\":\"2025-02-01\",\"ends_on\":\"2025-02-28\"}",
            "'hours' must be an integer");
    refused(course_normalize, COURSE(",\"capacity\":0"), "'capacity' must be from 1");
    refused(course_normalize, COURSE(",\"capacity\":\"5\""), "'capacity' must be an integer");
    refused(course_normalize,
            "{\"title\":\"ИБЦ\",\"provider\":\"ИРО\",\"kind\":\"lecture\",\"format\":\"blended\","
            "\"hours\":72,\"starts_on\":\"2025-02-01\",\"ends_on\":\"2025-02-28\"}",
            "'kind' must be one of course, seminar, webinar, consultation, not 'lecture'");
    refused(course_normalize,
            "{\"title\":\"ИБЦ\",\"provider\":\"ИРО\",\"kind\":\"course\",\"format\":\"online\","
            "\"hours\":72,\"starts_on\":\"2025-02-01\",\"ends_on\":\"2025-02-28\"}",
            "'format' must be one of in_person, distance, blended");
    refused(course_normalize, COURSE(",\"materials\":{}"), "'materials' must be an array");
    refused(course_normalize, COURSE(",\"materials\":[\"https://x.example\"]"),
            "'materials[0]' must be a JSON object");
    refused(course_normalize, COURSE(",\"materials\":[{\"title\":\"a\"}]"),
            "'materials[0].url' is required");
    refused(course_normalize, COURSE(",\"materials\":[{\"url\":\"javascript:alert(1)\"}]"),
            "'materials[0].url' must start with http");
    refused(course_normalize, COURSE(",\"materials\":[{\"url\":\"https://a.example\",\"x\":1}]"),
            "unknown field 'materials[0].x'");
    refused(course_normalize, "{\"title\":\"ИБЦ\"}", "'provider' is required");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(staff_school_defaults_and_optional_columns_are_null),
        cmocka_unit_test(staff_bad_input_names_the_field),
        cmocka_unit_test(course_is_flattened_with_materials_and_nulls),
        cmocka_unit_test(course_bad_input_names_the_field),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
