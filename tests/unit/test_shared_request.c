/* Unit tests of shared/src/request.c: checked parameters with the sentence
 * that names the bad one, pagination limits, If-Match parsing and the
 * outcome of a call as status and Location. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ibc/request.h>
#include <nats/nats.h>

/* A request whose params are the JSON object text. Caller decrefs. */
static json_t *req_of(const char *params)
{
    json_t *p = json_loads(params, 0, NULL);
    if (!p) fail_msg("test JSON '%s'", params);
    return json_pack("{s:o}", "params", p);
}

static void assert_detail(const ibc_ctx *ctx, const char *needle)
{
    if (!strstr(ctx->err_detail, needle))
        fail_msg("detail '%s' does not say '%s'", ctx->err_detail, needle);
}

static void unknown_parameter_is_named_with_the_known_ones(void **state)
{
    (void)state;
    static const char *const allowed[] = {"id", "school", "limit", NULL};
    ibc_ctx ctx = {0};
    json_t *req = req_of("{\"id\":\"x\",\"school\":\"s1\"}");
    assert_int_equal(ibc_req_only(&ctx, req, allowed), IBC_OK);
    json_decref(req);
    req = req_of("{\"colour\":\"red\"}");
    assert_int_equal(ibc_req_only(&ctx, req, allowed), IBC_EINVAL);
    assert_detail(&ctx, "unknown query parameter 'colour'; this route takes school, limit");
    json_decref(req);
}

static void ids_and_uuids_must_be_uuids(void **state)
{
    (void)state;
    ibc_ctx ctx = {0};
    const char *id = NULL;
    json_t *req = req_of("{\"id\":\"42\",\"ref\":\"0190f0a0-0000-7000-8000-000000000001\"}");
    assert_int_equal(ibc_req_id(&ctx, req, "id", "course", &id), IBC_EINVAL);
    assert_detail(&ctx, "the course id must be a UUID, not '42'");
    assert_int_equal(ibc_req_uuid(&ctx, req, "ref", &id), IBC_OK);
    assert_string_equal(id, "0190f0a0-0000-7000-8000-000000000001");
    assert_int_equal(ibc_req_uuid(&ctx, req, "absent", &id), IBC_OK);
    assert_null(id);
    assert_int_equal(ibc_req_id(&ctx, req, "absent", "course", &id), IBC_EINVAL);
    json_decref(req);
}

static void integers_are_whole_and_in_range(void **state)
{
    (void)state;
    ibc_ctx ctx = {0};
    long v = 0;
    json_t *req = req_of("{\"a\":\"7\",\"b\":\"7x\",\"c\":\"\",\"d\":\"99999999999999999999\","
                         "\"e\":\"+7\",\"f\":\"-3\"}");
    assert_int_equal(ibc_req_int(&ctx, req, "a", 1, 10, 5, &v), IBC_OK);
    assert_int_equal(v, 7);
    assert_int_equal(ibc_req_int(&ctx, req, "none", 1, 10, 5, &v), IBC_OK);
    assert_int_equal(v, 5);
    assert_int_equal(ibc_req_int(&ctx, req, "a", 1, 6, 5, &v), IBC_EINVAL);
    assert_detail(&ctx, "'a' must be an integer from 1 to 6, not '7'");
    for (const char *bad = "bcde"; *bad; bad++) {
        char name[2] = {*bad, 0};
        assert_int_equal(ibc_req_int(&ctx, req, name, 1, 10, 5, &v), IBC_EINVAL);
    }
    assert_int_equal(ibc_req_int(&ctx, req, "f", -5, 10, 5, &v), IBC_OK);
    assert_int_equal(v, -3);
    json_decref(req);
}

static void a_page_has_a_hard_maximum(void **state)
{
    (void)state;
    ibc_ctx ctx = {0};
    ibc_page page;
    json_t *req = req_of("{}");
    assert_int_equal(ibc_req_page(&ctx, req, 50, 200, &page), IBC_OK);
    assert_int_equal(page.limit, 50);
    assert_string_equal(page.offset_text, "0");
    json_decref(req);
    req = req_of("{\"limit\":\"201\"}");
    assert_int_equal(ibc_req_page(&ctx, req, 50, 200, &page), IBC_EINVAL);
    assert_detail(&ctx, "'limit' must be an integer from 1 to 200");
    json_decref(req);
    req = req_of("{\"limit\":\"500\",\"offset\":\"-1\"}");
    assert_int_equal(ibc_req_page(&ctx, req, 100, 500, &page), IBC_EINVAL);
    assert_detail(&ctx, "'offset' must be an integer from 0");
    json_decref(req);
}

static void organisation_ids_dates_choices_and_booleans(void **state)
{
    (void)state;
    static const char *const kinds[] = {"school", "library", NULL};
    ibc_ctx ctx = {0};
    const char *s = NULL;
    bool b = false;
    assert_true(ibc_org_valid("sch-17_a.b"));
    assert_false(ibc_org_valid(""));
    assert_false(ibc_org_valid("школа"));
    assert_false(ibc_org_valid("a b"));
    json_t *req = req_of("{\"school\":\"bad school\",\"from\":\"2026-02-30\",\"kind\":\"zoo\","
                         "\"open\":\"maybe\",\"q\":\"\"}");
    assert_int_equal(ibc_req_org(&ctx, req, "school", &s), IBC_EINVAL);
    assert_detail(&ctx, "'school' must be an organisation id");
    assert_int_equal(ibc_req_date(&ctx, req, "from", &s), IBC_EINVAL);
    assert_int_equal(ibc_req_enum(&ctx, req, "kind", kinds, &s), IBC_EINVAL);
    assert_detail(&ctx, "'kind' must be one of school, library, not 'zoo'");
    assert_int_equal(ibc_req_bool(&ctx, req, "open", false, &b), IBC_EINVAL);
    assert_detail(&ctx, "'open' must be true or false");
    assert_int_equal(ibc_req_text(&ctx, req, "q", 10, &s), IBC_EINVAL);
    assert_int_equal(ibc_req_range(&ctx, "2026-03-01", "2026-02-01"), IBC_EINVAL);
    assert_int_equal(ibc_req_range(&ctx, "2026-01-01", NULL), IBC_OK);
    json_decref(req);
}

/* Runs ibc_if_match on a message carrying If-Match: value (NULL: none). */
static ibc_rc if_match(const char *value, bool required, long *version, ibc_ctx *ctx)
{
    natsMsg *m = NULL;
    assert_int_equal(natsMsg_Create(&m, "x", NULL, "", 0), NATS_OK);
    if (value) assert_int_equal(natsMsgHeader_Set(m, "If-Match", value), NATS_OK);
    *ctx = (ibc_ctx){.msg = m};
    ibc_rc rc = ibc_if_match(ctx, required, version);
    natsMsg_Destroy(m);
    return rc;
}

static void if_match_takes_the_etags_this_api_sends(void **state)
{
    (void)state;
    ibc_ctx ctx;
    long v = 0;
    assert_int_equal(if_match("\"3\"", true, &v, &ctx), IBC_OK);
    assert_int_equal(v, 3);
    assert_int_equal(if_match("W/\"12\"", true, &v, &ctx), IBC_OK);
    assert_int_equal(v, 12);
    assert_int_equal(if_match("4", true, &v, &ctx), IBC_OK);
    assert_int_equal(v, 4);
    assert_int_equal(if_match(NULL, true, &v, &ctx), IBC_EPRECOND_REQ);
    assert_int_equal(if_match(NULL, false, &v, &ctx), IBC_OK);
    assert_int_equal(v, -1);
    static const char *const bad[] = {
        "\"0\"", "\"\"", "abc", "\"3x\"", "*", "\"-2\"", "\"99999999999999999999999\""};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_int_equal(if_match(bad[i], false, &v, &ctx), IBC_EINVAL);
        assert_detail(&ctx, "is not an ETag of this API");
    }
}

static void created_and_accepted_become_status_and_location(void **state)
{
    (void)state;
    ibc_ctx ctx = {.status = 200};
    ibc_created(&ctx, "/api/v1/catalog/records/%s", "abc");
    ibc_set_etag(&ctx, 7);
    assert_int_equal(ctx.status, 201);
    assert_string_equal(json_string_value(json_object_get(ctx.reply_headers, "Location")),
                        "/api/v1/catalog/records/abc");
    assert_string_equal(json_string_value(json_object_get(ctx.reply_headers, "ETag")), "\"7\"");
    json_decref(ctx.reply_headers);
    ctx = (ibc_ctx){.status = 200};
    ibc_accepted(&ctx, "/api/v1/catalog/imports/%d", 5);
    assert_int_equal(ctx.status, 202);
    assert_string_equal(json_string_value(json_object_get(ctx.reply_headers, "Location")),
                        "/api/v1/catalog/imports/5");
    json_decref(ctx.reply_headers);
    ctx = (ibc_ctx){.status = 200};
    ibc_no_content(&ctx);
    assert_int_equal(ctx.status, 204);
    assert_null(ctx.reply_headers);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(unknown_parameter_is_named_with_the_known_ones),
        cmocka_unit_test(ids_and_uuids_must_be_uuids),
        cmocka_unit_test(integers_are_whole_and_in_range),
        cmocka_unit_test(a_page_has_a_hard_maximum),
        cmocka_unit_test(organisation_ids_dates_choices_and_booleans),
        cmocka_unit_test(if_match_takes_the_etags_this_api_sends),
        cmocka_unit_test(created_and_accepted_become_status_and_location),
    };
    nats_Open(-1); /* natsMsg headers need the library's state */
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    nats_Close();
    return failed;
}
