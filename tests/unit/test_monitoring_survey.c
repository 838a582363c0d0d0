/* Unit tests of services/monitoring/survey.c: the questions a campaign may
 * ask and the answers a school may give, each refusal naming the field. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "../../services/monitoring/survey.h"

static const char *questions_json =
    "[{\"code\":\"visits\",\"text\":\"Посещений\",\"kind\":\"number\",\"min\":0,\"max\":100000},"
    "{\"code\":\"club\",\"text\":\"Клуб?\",\"kind\":\"yes_no\"},"
    "{\"code\":\"space\",\"text\":\"Зонирование\",\"kind\":\"choice\",\"choices\":[\"нет\","
    "\"да\"]},"
    "{\"code\":\"note\",\"text\":\"Комментарий\",\"kind\":\"text\",\"required\":false}]";

static json_t *load(const char *text)
{
    json_t *j = json_loads(text, 0, NULL);
    assert_non_null(j);
    return j;
}

/* The normalized questions of questions_json. */
static json_t *questions(void)
{
    ibc_ctx ctx = {0};
    json_t *in = load(questions_json), *out = NULL;
    assert_int_equal(survey_check_questions(&ctx, in, &out), IBC_OK);
    json_decref(in);
    return out;
}

/* Asserts that questions text is refused with a message containing needle. */
static void questions_refused(const char *text, const char *needle)
{
    ibc_ctx ctx = {0};
    json_t *in = load(text), *out = NULL;
    assert_int_equal(survey_check_questions(&ctx, in, &out), IBC_EINVAL);
    assert_null(out);
    if (!strstr(ctx.err_detail, needle)) fail_msg("'%s' does not say '%s'", ctx.err_detail, needle);
    json_decref(in);
}

/* Asserts that answers text is refused with a message containing needle. */
static void answers_refused(const char *text, const char *needle)
{
    ibc_ctx ctx = {0};
    json_t *q = questions(), *in = load(text), *out = NULL;
    assert_int_equal(survey_check_answers(&ctx, q, in, &out), IBC_EINVAL);
    assert_null(out);
    if (!strstr(ctx.err_detail, needle)) fail_msg("'%s' does not say '%s'", ctx.err_detail, needle);
    json_decref(in);
    json_decref(q);
}

static void questions_default_to_required(void **state)
{
    (void)state;
    json_t *q = questions();
    assert_int_equal(json_array_size(q), 4);
    assert_true(json_is_true(json_object_get(json_array_get(q, 0), "required")));
    assert_true(json_is_false(json_object_get(json_array_get(q, 3), "required")));
    json_decref(q);
}

static void bad_questions_are_refused_naming_the_question(void **state)
{
    (void)state;
    questions_refused("[]", "'questions' must be an array of 1 to 200");
    questions_refused("{}", "'questions' must be an array");
    questions_refused("[{\"code\":\"a b\",\"text\":\"t\",\"kind\":\"text\"}]",
                      "'questions[0].code' must be 1 to 40");
    questions_refused("[{\"code\":\"a\",\"text\":\"t\",\"kind\":\"essay\"}]",
                      "'questions[0].kind' must be one of");
    questions_refused("[{\"code\":\"a\",\"text\":\"t\",\"kind\":\"choice\"}]",
                      "'questions[0].choices' is required");
    questions_refused(
        "[{\"code\":\"a\",\"text\":\"t\",\"kind\":\"text\",\"choices\":[\"x\",\"y\"]}]",
        "only for a question of kind choice");
    questions_refused(
        "[{\"code\":\"a\",\"text\":\"t\",\"kind\":\"choice\",\"choices\":[\"x\",\"x\"]}]",
        "names 'x' twice");
    questions_refused("[{\"code\":\"a\",\"text\":\"t\",\"kind\":\"number\",\"min\":5,\"max\":1}]",
                      "'questions[0].min' is greater");
    questions_refused("[{\"code\":\"a\",\"text\":\"t\",\"kind\":\"text\"},{\"code\":\"a\",\"text\":"
                      "\"u\",\"kind\":\"text\"}]",
                      "'questions[1].code' 'a' is used twice");
    questions_refused("[{\"code\":\"a\",\"text\":\"t\",\"kind\":\"text\",\"colour\":1}]",
                      "unknown field 'questions[0].colour'");
}

static void good_answers_pass_and_nulls_are_dropped(void **state)
{
    (void)state;
    ibc_ctx ctx = {0};
    json_t *q = questions();
    json_t *in = load("{\"visits\":12.5,\"club\":false,\"space\":\"да\",\"note\":null}");
    json_t *out = NULL;
    assert_int_equal(survey_check_answers(&ctx, q, in, &out), IBC_OK);
    assert_int_equal(json_object_size(out), 3);
    assert_null(json_object_get(out, "note"));
    json_decref(out);
    json_decref(in);
    json_decref(q);
}

static void bad_answers_are_refused_naming_the_question(void **state)
{
    (void)state;
    answers_refused("[]", "'answers' must be an object");
    answers_refused("{\"visits\":\"3\",\"club\":true,\"space\":\"да\"}",
                    "'answers.visits' must be a number");
    answers_refused("{\"visits\":100001,\"club\":true,\"space\":\"да\"}",
                    "'answers.visits' must be from 0 to 100000");
    answers_refused("{\"visits\":1,\"club\":\"yes\",\"space\":\"да\"}",
                    "'answers.club' must be true or false");
    answers_refused("{\"visits\":1,\"club\":true,\"space\":\"может быть\"}",
                    "not one of the question's choices");
    answers_refused("{\"visits\":1,\"club\":true}", "'answers.space' is required: Зонирование");
    answers_refused("{\"visits\":1,\"club\":true,\"space\":\"да\",\"note\":\"\"}",
                    "'answers.note' must be 1 to 4000");
    answers_refused("{\"visits\":1,\"club\":true,\"space\":\"да\",\"extra\":1}",
                    "'answers.extra' is not a question");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(questions_default_to_required),
        cmocka_unit_test(bad_questions_are_refused_naming_the_question),
        cmocka_unit_test(good_answers_pass_and_nulls_are_dropped),
        cmocka_unit_test(bad_answers_are_refused_naming_the_question),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
