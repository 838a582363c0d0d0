/* Survey campaigns: a methodologist opens a campaign with its questions,
 * each school answers once and may correct its answer until the campaign
 * closes; completion per school; the answers as JSON or CSV. */
#include <ibc/csv.h>
#include "monitoring.h"
#include "store.h"
#include "survey.h"

#include <ibc/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const statuses[] = {"open", "closed", NULL};
/* What a campaign's events say: not its questions */
static const char *const campaign_event[] = {"id",     "period",    "deadline",
                                             "status", "closed_at", NULL};

/* Emits monitoring.campaign.<verb> for the campaign c. */
static ibc_rc emit_campaign(ibc_ctx *ctx, const char *verb, const json_t *c)
{
    json_t *data = ibc_json_pick(c, campaign_event);
    json_object_set_new(data, "questions",
                        json_integer((json_int_t)json_array_size(json_object_get(c, "questions"))));
    return ibc_emit(ctx, "campaign", verb, json_string_value(json_object_get(c, "id")), data);
}

/* campaigns.create: body {title, period?, deadline?, questions}. 201 with
 * the campaign. Methodologist or admin. Emits monitoring.campaign.created. */
ibc_rc campaigns_create(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    const ibc_field fields[] = {
        {"title", IBC_F_STR, true, 1, 300},
        {"period", IBC_F_STR, false, 1, 100},
        {"deadline", IBC_F_DATE, false},
        {"questions", IBC_F_ANY, true},
    };
    json_t *body = json_object(), *questions = NULL;
    ibc_rc rc = mon_may_run_network(ctx, "open survey campaigns");
    if (rc == IBC_OK)
        rc = ibc_validate(ctx, ibc_body(req), fields, IBC_LEN(fields), "", NULL, body);
    if (rc == IBC_OK)
        rc = survey_check_questions(ctx, json_object_get(body, "questions"), &questions);
    if (rc == IBC_OK) {
        json_object_set_new(body, "questions", questions);
        rc = store_campaign_insert(ctx, body, reply);
    }
    if (rc == IBC_OK) rc = emit_campaign(ctx, "created", *reply);
    if (rc == IBC_OK) {
        ibc_created(ctx, "/api/v1/monitoring/campaigns/%s",
                    json_string_value(json_object_get(*reply, "id")));
    }
    json_decref(body);
    return rc;
}

/* campaigns.list: ?status=open|closed&limit=&offset=. 200 {"items" (without
 * questions), "total", "limit", "offset"}. */
ibc_rc campaigns_list(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    const char *status;
    ibc_page page;
    ibc_rc rc = ibc_req_enum(ctx, req, "status", statuses, &status);
    if (rc == IBC_OK) rc = ibc_req_page(ctx, req, MON_PAGE_DEFAULT, MON_PAGE_MAX, &page);
    if (rc == IBC_OK) rc = store_campaign_list(ctx, status, &page, reply);
    return rc;
}

/* campaigns.get: 200 with the campaign and its questions; 404 unknown. */
ibc_rc campaigns_get(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    const char *id;
    ibc_rc rc = ibc_req_id(ctx, req, "id", "campaign", &id);
    if (rc == IBC_OK) rc = store_campaign_get(ctx, id, reply);
    return rc;
}

/* campaigns.close: 200 with the closed campaign; 409 when closed already.
 * After it the answers can no longer be corrected. Methodologist or admin.
 * Emits monitoring.campaign.closed. */
ibc_rc campaigns_close(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    const char *id;
    ibc_rc rc = mon_may_run_network(ctx, "close survey campaigns");
    if (rc == IBC_OK) rc = ibc_req_id(ctx, req, "id", "campaign", &id);
    if (rc == IBC_OK) rc = store_campaign_close(ctx, id, reply);
    if (rc == IBC_OK) rc = emit_campaign(ctx, "closed", *reply);
    return rc;
}

/* campaigns.completion: ?school=&district=. 200 {schools, answered, share,
 * by_school: [...]}, counted over the district's schools when one is named;
 * a librarian's by_school holds their own school only. */
ibc_rc campaigns_completion(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    const char *id, *school, *district;
    ibc_rc rc = ibc_req_id(ctx, req, "id", "campaign", &id);
    if (rc == IBC_OK) rc = mon_school_scope(ctx, req, &school);
    if (rc == IBC_OK) rc = mon_district_param(ctx, req, &district);
    if (rc == IBC_OK) rc = store_campaign_completion(ctx, id, school, district, reply);
    return rc;
}

/* answers.put: body {"answers": {code: value}}. The school's first answer
 * is 201, a correction 200 (optional If-Match on its version); 409 once the
 * campaign is closed; 404 for an unknown campaign or school. The school's
 * librarian or the network. Emits monitoring.survey.answered. */
ibc_rc answers_put(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    static const char *const readonly[] = {"id",          "campaign_id",  "school",     "version",
                                           "school_name", "submitted_at", "updated_at", NULL};
    const ibc_field fields[] = {{"answers", IBC_F_ANY, true}};
    const char *id, *school;
    long version;
    bool created = false;
    json_t *body = json_object(), *campaign = NULL, *answers = NULL, *s = NULL;
    ibc_rc rc = ibc_req_id(ctx, req, "id", "campaign", &id);
    if (rc == IBC_OK) rc = mon_school_param(ctx, req, "school", &school);
    if (rc == IBC_OK) rc = mon_may_school(ctx, school, true);
    if (rc == IBC_OK) rc = ibc_if_match(ctx, false, &version);
    if (rc == IBC_OK)
        rc = ibc_validate(ctx, ibc_body(req), fields, IBC_LEN(fields), "", readonly, body);
    if (rc == IBC_OK) rc = store_campaign_get_locked(ctx, id, &campaign);
    if (rc == IBC_OK) rc = store_school_get(ctx, school, &s);
    if (rc == IBC_OK && strcmp(json_string_value(json_object_get(campaign, "status")), "open"))
        rc = ibc_fail(ctx, IBC_ECONFLICT,
                      "the campaign '%s' is closed; its answers can no longer be given or "
                      "corrected",
                      id);
    if (rc == IBC_OK)
        rc = survey_check_answers(ctx, json_object_get(campaign, "questions"),
                                  json_object_get(body, "answers"), &answers);
    if (rc == IBC_OK) rc = store_answer_put(ctx, id, school, answers, version, reply, &created);
    if (rc == IBC_OK) {
        const char *answer_id = json_string_value(json_object_get(*reply, "id"));
        rc = ibc_emit(ctx, "survey", "answered", answer_id,
                      json_pack("{s:s, s:s, s:s, s:O, s:b}", "id", answer_id, "campaign_id", id,
                                "school", school, "version", json_object_get(*reply, "version"),
                                "correction", !created));
        ibc_set_etag_of(ctx, *reply, "version");
        if (created) ibc_created(ctx, "/api/v1/monitoring/campaigns/%s/answers/%s", id, school);
    }
    json_decref(body);
    json_decref(campaign);
    json_decref(answers);
    json_decref(s);
    return rc;
}

/* answers.get: 200 with the school's answer; 404 when it has not answered. */
ibc_rc answers_get(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    const char *id, *school;
    ibc_rc rc = ibc_req_id(ctx, req, "id", "campaign", &id);
    if (rc == IBC_OK) rc = mon_school_param(ctx, req, "school", &school);
    if (rc == IBC_OK) rc = mon_may_school(ctx, school, false);
    if (rc == IBC_OK) rc = store_answer_get(ctx, id, school, reply);
    if (rc == IBC_OK) ibc_set_etag_of(ctx, *reply, "version");
    return rc;
}

/* One answer value as a CSV field, by its question's kind. */
static void csv_answer(ibc_csv_buf *b, const json_t *q, const json_t *v)
{
    const char *kind = json_string_value(json_object_get(q, "kind"));
    if (!v) {
        ibc_csv_text(b, NULL);
    } else if (strcmp(kind, "number") == 0) {
        char *n = json_dumps(v, JSON_ENCODE_ANY);
        ibc_csv_number(b, n);
        free(n);
    } else if (strcmp(kind, "yes_no") == 0) {
        ibc_csv_text(b, json_is_true(v) ? "да" : "нет");
    } else {
        ibc_csv_text(b, json_string_value(v));
    }
}

/* The answers as CSV: school, name, times, then one column per question. */
static ibc_rc answers_csv(ibc_ctx *ctx, const json_t *campaign, const json_t *items)
{
    const json_t *questions = json_object_get(campaign, "questions");
    ibc_csv_buf b;
    if (!ibc_csv_init(&b)) return ibc_fail(ctx, IBC_ENOMEM, "out of memory");
    ibc_csv_text(&b, "Школа");
    ibc_csv_text(&b, "Название");
    ibc_csv_text(&b, "Ответ дан");
    ibc_csv_text(&b, "Исправлен");
    size_t i, j;
    json_t *q, *a;
    json_array_foreach(questions, i, q)
        ibc_csv_text(&b, json_string_value(json_object_get(q, "text")));
    ibc_csv_end_row(&b);
    json_array_foreach(items, j, a)
    {
        ibc_csv_text(&b, json_string_value(json_object_get(a, "school")));
        ibc_csv_text(&b, json_string_value(json_object_get(a, "school_name")));
        ibc_csv_text(&b, json_string_value(json_object_get(a, "submitted_at")));
        ibc_csv_text(&b, json_string_value(json_object_get(a, "updated_at")));
        json_t *answers = json_object_get(a, "answers");
        json_array_foreach(questions, i, q) csv_answer(
            &b, q, json_object_get(answers, json_string_value(json_object_get(q, "code"))));
        ibc_csv_end_row(&b);
    }
    size_t len;
    char *data = ibc_csv_take(&b, &len);
    if (!data) return ibc_fail(ctx, IBC_ENOMEM, "out of memory");
    mon_reply_csv(ctx, data, len, "answers.csv");
    return IBC_OK;
}

/* answers.list: 200 {"campaign_id", "items"}, or CSV with Accept: text/csv;
 * a librarian gets their own school's answer only. */
ibc_rc answers_list(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    const char *id, *school;
    json_t *campaign = NULL, *items = NULL;
    ibc_rc rc = ibc_req_id(ctx, req, "id", "campaign", &id);
    if (rc == IBC_OK) rc = mon_school_scope(ctx, req, &school);
    if (rc == IBC_OK) rc = store_campaign_get(ctx, id, &campaign);
    if (rc == IBC_OK) rc = store_answer_list(ctx, id, school, &items);
    if (rc == IBC_OK) {
        if (mon_wants_csv(ctx))
            rc = answers_csv(ctx, campaign, items);
        else
            *reply = json_pack("{s:s, s:O, s:O}", "campaign_id", id, "questions",
                               json_object_get(campaign, "questions"), "items", items);
    }
    json_decref(campaign);
    json_decref(items);
    return rc;
}
