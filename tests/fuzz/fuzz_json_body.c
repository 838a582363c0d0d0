/* libFuzzer target: a JSON request body as the gateway parses it
 * (proxy.c: duplicates refused, any value) and as the services check it: the
 * request envelope, the table-driven validator (shared/src/validate.c) with
 * every field kind, and the bodies that services check by hand (a catalog
 * record, a staff member, a course, survey questions and answers). The input
 * is the body; every check runs on it. */
#include "body.h"
#include "record.h"
#include "survey.h"

#include <ibc/envelope.h>
#include <ibc/json.h>
#include <stdint.h>
#include <string.h>

static const char *const colours[] = {"red", "green", "синий", NULL};
static const ibc_field fields[] = {
    {"s", IBC_F_STR, false, 1, 10},
    {"i", IBC_F_INT, false, -5, 1000000},
    {"n", IBC_F_NUM, false, 0, 1000},
    {"b", IBC_F_BOOL, false},
    {"e", IBC_F_ENUM, false, 0, 0, colours},
    {"a", IBC_F_STRARR, false, 0, 3, NULL, 5},
    {"d", IBC_F_DATE, false},
    {"u", IBC_F_UUID, false},
    {"o", IBC_F_OBJ, false},
    {"x", IBC_F_ANY, false},
};

/* The questions an answers body is checked against. */
static json_t *questions(void)
{
    return json_loads("[{\"code\":\"visits\",\"text\":\"?\",\"kind\":\"number\",\"min\":0,"
                      "\"max\":100000},{\"code\":\"club\",\"text\":\"?\",\"kind\":\"yes_no\"},"
                      "{\"code\":\"space\",\"text\":\"?\",\"kind\":\"choice\",\"choices\":"
                      "[\"да\",\"нет\"],\"required\":false},{\"code\":\"note\",\"text\":\"?\","
                      "\"kind\":\"text\",\"required\":false}]",
                      0, NULL);
}

static void check(ibc_ctx *ctx, int which, const json_t *body)
{
    json_t *out = NULL, *q = NULL, *flat = json_object();
    ibc_rc rc = IBC_OK;
    switch (which) {
    case 0:
        rc = ibc_validate(ctx, body, fields, IBC_LEN(fields), "", NULL, flat);
        break;
    case 1:
        rc = record_normalize(ctx, body, &out);
        break;
    case 2:
        rc = staff_normalize(ctx, body, "school-17", &out);
        break;
    case 3:
        rc = course_normalize(ctx, body, &out);
        break;
    case 4:
        rc = survey_check_questions(ctx, body, &out);
        break;
    default:
        q = questions();
        rc = survey_check_answers(ctx, q, body, &out);
        break;
    }
    /* a refusal always says why, and reaches the client as a problem with
     * that sentence (mended to UTF-8 where a quote of the input cut a
     * character) */
    if (rc != IBC_OK) {
        json_t *problem = ibc_problem(400, "invalid-input", "Invalid input", ctx->err_detail);
        if (!ctx->err_detail[0] || !json_is_string(json_object_get(problem, "detail")))
            __builtin_trap();
        json_decref(problem);
    }
    json_decref(out), json_decref(q), json_decref(flat);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    size_t len = size;
    char err[256];
    json_t *req = NULL;
    if (ibc_envelope_decode(text, len, &req, err, sizeof err) == IBC_OK) json_decref(req);
    json_error_t jerr;
    json_t *body = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
    if (!body) return 0;
    for (int which = 0; which < 6; which++) {
        ibc_ctx ctx;
        memset(&ctx, 0, sizeof ctx);
        ctx.org = "school-17";
        ctx.role = "librarian";
        check(&ctx, which, body);
    }
    json_decref(body);
    return 0;
}
