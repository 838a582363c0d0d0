/* The rules of survey campaigns (see survey.h). */
#include "survey.h"

#include <ibc/json.h>
#include <stdio.h>
#include <string.h>

static const char *const kinds[] = {"number", "yes_no", "choice", "text", NULL};

static bool code_valid(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > 40) return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '_' || *p == '-'))
            return false;
    return true;
}

/* Checks one question; q is normalized into out. */
static ibc_rc check_question(ibc_ctx *ctx, const json_t *q, size_t i, json_t *out)
{
    char where[48];
    snprintf(where, sizeof where, "questions[%zu].", i);
    const ibc_field fields[] = {
        {"code", IBC_F_STR, true, 1, 40},
        {"text", IBC_F_STR, true, 1, 1000},
        {"kind", IBC_F_ENUM, true, 0, 0, kinds},
        {"choices", IBC_F_STRARR, false, 2, 50, NULL, 200},
        {"required", IBC_F_BOOL, false},
        {"min", IBC_F_NUM, false, -1000000000L, 1000000000L},
        {"max", IBC_F_NUM, false, -1000000000L, 1000000000L},
    };
    ibc_rc rc = ibc_validate(ctx, q, fields, IBC_LEN(fields), where, NULL, out);
    if (rc != IBC_OK) return rc;
    const char *code = json_string_value(json_object_get(out, "code"));
    const char *kind = json_string_value(json_object_get(out, "kind"));
    json_t *choices = json_object_get(out, "choices");
    json_t *min = json_object_get(out, "min"), *max = json_object_get(out, "max");
    if (!code_valid(code))
        return ibc_fail(ctx, IBC_EINVAL, "'%scode' must be 1 to 40 of A-Z a-z 0-9 _ -, not '%.40s'",
                        where, code);
    if (strcmp(kind, "choice") == 0 && !choices)
        return ibc_fail(ctx, IBC_EINVAL, "'%schoices' is required for a question of kind choice",
                        where);
    if (strcmp(kind, "choice") != 0 && choices)
        return ibc_fail(ctx, IBC_EINVAL, "'%schoices' is only for a question of kind choice",
                        where);
    if (strcmp(kind, "number") != 0 && (min || max))
        return ibc_fail(ctx, IBC_EINVAL,
                        "'%smin' and '%smax' are only for a question of kind "
                        "number",
                        where, where);
    if (min && max && json_number_value(min) > json_number_value(max))
        return ibc_fail(ctx, IBC_EINVAL, "'%smin' is greater than '%smax'", where, where);
    for (size_t a = 0; choices && a < json_array_size(choices); a++)
        for (size_t b = a + 1; b < json_array_size(choices); b++)
            if (strcmp(json_string_value(json_array_get(choices, a)),
                       json_string_value(json_array_get(choices, b))) == 0)
                return ibc_fail(ctx, IBC_EINVAL, "'%schoices' names '%.60s' twice", where,
                                json_string_value(json_array_get(choices, a)));
    if (!json_object_get(out, "required")) json_object_set_new(out, "required", json_true());
    return IBC_OK;
}

ibc_rc survey_check_questions(ibc_ctx *ctx, const json_t *questions, json_t **out)
{
    *out = NULL;
    if (!json_is_array(questions) || json_array_size(questions) < 1 ||
        json_array_size(questions) > 200)
        return ibc_fail(ctx, IBC_EINVAL, "'questions' must be an array of 1 to 200 questions");
    json_t *norm = json_array();
    size_t i;
    json_t *q;
    json_array_foreach(questions, i, q)
    {
        json_t *n = json_object();
        ibc_rc rc = check_question(ctx, q, i, n);
        for (size_t j = 0; rc == IBC_OK && j < i; j++)
            if (json_equal(json_object_get(json_array_get(norm, j), "code"),
                           json_object_get(n, "code")))
                rc = ibc_fail(ctx, IBC_EINVAL, "'questions[%zu].code' '%s' is used twice", i,
                              json_string_value(json_object_get(n, "code")));
        if (rc != IBC_OK) {
            json_decref(n);
            json_decref(norm);
            return rc;
        }
        json_array_append_new(norm, n);
    }
    *out = norm;
    return IBC_OK;
}

static const json_t *find_question(const json_t *questions, const char *code)
{
    size_t i;
    json_t *q;
    json_array_foreach(questions, i, q)
    {
        if (strcmp(json_string_value(json_object_get(q, "code")), code) == 0) return q;
    }
    return NULL;
}

/* Checks one answer value against its question. */
static ibc_rc check_answer(ibc_ctx *ctx, const json_t *q, const char *code, const json_t *v)
{
    const char *kind = json_string_value(json_object_get(q, "kind"));
    if (strcmp(kind, "number") == 0) {
        if (!json_is_number(v))
            return ibc_fail(ctx, IBC_EINVAL, "'answers.%s' must be a number", code);
        json_t *min = json_object_get(q, "min"), *max = json_object_get(q, "max");
        double x = json_number_value(v);
        if ((min && x < json_number_value(min)) || (max && x > json_number_value(max)))
            return ibc_fail(ctx, IBC_EINVAL, "'answers.%s' must be from %g to %g, not %g", code,
                            min ? json_number_value(min) : -1e9, max ? json_number_value(max) : 1e9,
                            x);
    } else if (strcmp(kind, "yes_no") == 0) {
        if (!json_is_boolean(v))
            return ibc_fail(ctx, IBC_EINVAL, "'answers.%s' must be true or false", code);
    } else if (strcmp(kind, "choice") == 0) {
        if (!json_is_string(v))
            return ibc_fail(ctx, IBC_EINVAL, "'answers.%s' must be one of the choices, a string",
                            code);
        size_t i;
        json_t *c;
        json_array_foreach(json_object_get(q, "choices"), i, c)
        {
            if (strcmp(json_string_value(c), json_string_value(v)) == 0) return IBC_OK;
        }
        return ibc_fail(ctx, IBC_EINVAL,
                        "'answers.%s' '%.60s' is not one of the question's choices", code,
                        json_string_value(v));
    } else {
        if (!json_is_string(v))
            return ibc_fail(ctx, IBC_EINVAL, "'answers.%s' must be a string", code);
        size_t n = ibc_utf8_length(json_string_value(v));
        if (n < 1 || n > 4000)
            return ibc_fail(ctx, IBC_EINVAL, "'answers.%s' must be 1 to 4000 characters", code);
    }
    return IBC_OK;
}

ibc_rc survey_check_answers(ibc_ctx *ctx, const json_t *questions, const json_t *answers,
                            json_t **out)
{
    *out = NULL;
    if (!json_is_object(answers))
        return ibc_fail(ctx, IBC_EINVAL, "'answers' must be an object of question code to answer");
    json_t *norm = json_object();
    const char *code;
    json_t *v;
    ibc_rc rc = IBC_OK;
    json_object_foreach((json_t *)answers, code, v)
    {
        const json_t *q = find_question(questions, code);
        if (!q) {
            rc = ibc_fail(ctx, IBC_EINVAL, "'answers.%.60s' is not a question of this campaign",
                          code);
            break;
        }
        if (json_is_null(v)) continue;
        if ((rc = check_answer(ctx, q, code, v)) != IBC_OK) break;
        json_object_set(norm, code, v);
    }
    size_t i;
    json_t *q;
    json_array_foreach(questions, i, q)
    {
        if (rc != IBC_OK) break;
        const char *c = json_string_value(json_object_get(q, "code"));
        if (json_is_true(json_object_get(q, "required")) && !json_object_get(norm, c))
            rc = ibc_fail(ctx, IBC_EINVAL, "'answers.%s' is required: %.200s", c,
                          json_string_value(json_object_get(q, "text")));
    }
    if (rc != IBC_OK) {
        json_decref(norm);
        return rc;
    }
    *out = norm;
    return IBC_OK;
}
