/* The network's indicators with their targets and monthly history, the
 * rebuild of the projections from the event stream, and the textbook
 * provision report (JSON, or CSV for a spreadsheet). */
#include <ibc/csv.h>
#include "monitoring.h"
#include "store.h"

#include <ibc/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const struct {
    const char *id, *title, *unit;
} known[] = {
    {"ibc_schools", "Школы, ставшие ИБЦ (по уровням)", "schools"},
    {"catalog_records", "Записи в сводном электронном каталоге", "records"},
    {"transformation_projects", "Проекты трансформации (одобренные, в работе, завершённые)",
     "projects"},
    {"trained_staff_share", "Доля сотрудников, прошедших обучение за последние три года", "share"},
    {"active_readers", "Активные читатели за месяц", "readers"},
    {"loans_per_month", "Выдачи за месяц", "loans"},
    {"survey_completion", "Доля школ, ответивших на последний мониторинг", "share"},
};

static int find_known(const char *id)
{
    for (size_t i = 0; i < IBC_LEN(known); i++)
        if (strcmp(known[i].id, id) == 0) return (int)i;
    return -1;
}

/* Adds title, unit, target and progress (value / target) to an indicator. */
static void decorate(json_t *ind, int k, const json_t *targets)
{
    json_object_set_new(ind, "title", json_string(known[k].title));
    json_object_set_new(ind, "unit", json_string(known[k].unit));
    json_t *t = json_object_get(json_object_get(targets, known[k].id), "target");
    json_object_set(ind, "target", t ? t : json_null());
    json_t *v = json_object_get(ind, "value");
    if (t && json_is_number(v) && json_number_value(t) > 0) {
        double p = json_number_value(v) / json_number_value(t);
        json_object_set_new(ind, "progress", json_real((double)(long long)(p * 1000 + 0.5) / 1000));
    } else {
        json_object_set_new(ind, "progress", json_null());
    }
}

/* indicators.get: ?months=1..60 (12) &school= &district=. 200 {"as_of",
 * "months", "school", "district", "lag", "indicators": {id: {title, unit,
 * value, target, progress, ..., history: [{month, value, ...}]}}}. "lag" is
 * the number of events of the stream not yet applied. With school the
 * school-level figures are that school's (a librarian may ask for their
 * own), with district its schools'. */
ibc_rc indicators_get(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    long months;
    const char *school = ibc_param(req, "school"), *district;
    json_t *targets = NULL, *all = json_object();
    ibc_rc rc = ibc_req_int(ctx, req, "months", 1, 60, 12, &months);
    if (rc == IBC_OK && school) rc = mon_school_scope(ctx, req, &school);
    if (rc == IBC_OK) rc = mon_district_param(ctx, req, &district);
    if (rc == IBC_OK) rc = store_targets(ctx, &targets);
    for (size_t i = 0; rc == IBC_OK && i < IBC_LEN(known); i++) {
        json_t *ind = NULL;
        rc = store_indicator(ctx, known[i].id, months, school, district, &ind);
        if (rc != IBC_OK) break;
        decorate(ind, (int)i, targets);
        json_object_set_new(all, known[i].id, ind);
    }
    if (rc == IBC_OK) {
        char as_of[32];
        time_t now = time(NULL);
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(as_of, sizeof as_of, "%Y-%m-%dT%H:%M:%SZ", &tm);
        *reply = json_pack("{s:s, s:i, s:s?, s:s?, s:I, s:O}", "as_of", as_of, "months",
                           (int)months, "school", school, "district", district, "lag",
                           (json_int_t)ibc_events_lag(), "indicators", all);
    }
    json_decref(targets);
    json_decref(all);
    return rc;
}

/* indicators.rebuild: clears every projection and the inbox in this
 * transaction and makes the event consumers replay the stream from its
 * start. 202 {"rebuilding": true, "events_forgotten": n}; the indicators
 * come back as the replay proceeds (watch "lag"). Methodologist or admin. */
ibc_rc indicators_rebuild(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    (void)req;
    long long forgotten = 0;
    ibc_rc rc = mon_may_run_network(ctx, "rebuild the indicators");
    if (rc == IBC_OK) rc = store_projections_clear(ctx, &forgotten);
    if (rc == IBC_OK) {
        /* the tables stay locked until our commit, so a consumer that rewinds
         * before it waits for the cleared tables; an event it applied in
         * between is in the inbox and skipped on replay */
        ibc_events_rewind();
        ibc_log(IBC_LOG_INFO, ctx->request_id,
                "indicators rebuild: %lld events forgotten, replaying the stream", forgotten);
        *reply =
            json_pack("{s:b, s:I}", "rebuilding", 1, "events_forgotten", (json_int_t)forgotten);
        ibc_accepted(ctx, NULL); /* the rebuild shows in the indicators */
    }
    return rc;
}

/* targets.list: 200 {"items": [{indicator, title, unit, target, updated_at}]}
 * for every indicator, target null when none is set. */
ibc_rc targets_list(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    (void)req;
    json_t *targets = NULL;
    ibc_rc rc = store_targets(ctx, &targets);
    if (rc != IBC_OK) return rc;
    json_t *items = json_array();
    for (size_t i = 0; i < IBC_LEN(known); i++) {
        json_t *t = json_object_get(targets, known[i].id);
        json_array_append_new(
            items, json_pack("{s:s, s:s, s:s, s:O, s:O}", "indicator", known[i].id, "title",
                             known[i].title, "unit", known[i].unit, "target",
                             t ? json_object_get(t, "target") : json_null(), "updated_at",
                             t ? json_object_get(t, "updated_at") : json_null()));
    }
    json_decref(targets);
    *reply = json_pack("{s:o}", "items", items);
    return IBC_OK;
}

/* targets.update: body {"target": number}; shares are from 0 to 1. 200 with
 * {indicator, target, updated_at}; 404 for an unknown indicator.
 * Methodologist or admin. */
ibc_rc targets_update(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    const char *id = ibc_param(req, "indicator");
    const ibc_field fields[] = {{"target", IBC_F_NUM, true, 0, 1000000000L}};
    json_t *body = json_object();
    ibc_rc rc = mon_may_run_network(ctx, "set the network's targets");
    int k = id ? find_known(id) : -1;
    if (rc == IBC_OK && k < 0) {
        char list[256] = "";
        for (size_t i = 0; i < IBC_LEN(known); i++)
            snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "",
                     known[i].id);
        rc = ibc_fail(ctx, IBC_ENOTFOUND, "there is no indicator '%.60s'; the indicators are %s",
                      id ? id : "", list);
    }
    if (rc == IBC_OK)
        rc = ibc_validate(ctx, ibc_body(req), fields, IBC_LEN(fields), "", NULL, body);
    json_t *t = json_object_get(body, "target");
    if (rc == IBC_OK && strcmp(known[k].unit, "share") == 0 && json_number_value(t) > 1)
        rc = ibc_fail(ctx, IBC_EINVAL,
                      "'target' of '%s' is a share, from 0 to 1 (0.8 for 80%%), not %g", id,
                      json_number_value(t));
    if (rc == IBC_OK) {
        char *text = json_dumps(t, JSON_ENCODE_ANY);
        rc = text ? store_target_set(ctx, id, text, reply)
                  : ibc_fail(ctx, IBC_ENOMEM, "out of memory");
        free(text);
    }
    json_decref(body);
    return rc;
}

/* The provision report as CSV: a school's rows, or the network's sums. */
static ibc_rc provision_csv(ibc_ctx *ctx, const json_t *report, bool network)
{
    ibc_csv_buf b;
    if (!ibc_csv_init(&b)) return ibc_fail(ctx, IBC_ENOMEM, "out of memory");
    ibc_csv_text(&b, network ? "Сеть" : "Школа");
    ibc_csv_text(&b, "Класс");
    ibc_csv_text(&b, "Предмет");
    if (network) ibc_csv_text(&b, "Школ");
    ibc_csv_text(&b, "Учащихся");
    ibc_csv_text(&b, "Экземпляров учебников");
    ibc_csv_text(&b, "Обеспеченность, %");
    ibc_csv_end_row(&b);
    size_t i;
    json_t *row;
    json_array_foreach(json_object_get(report, "rows"), i, row)
    {
        long long students = json_integer_value(json_object_get(row, "students"));
        long long copies = json_integer_value(json_object_get(row, "copies"));
        ibc_csv_text(&b, network ? "все школы" : json_string_value(json_object_get(row, "school")));
        ibc_csv_int(&b, json_integer_value(json_object_get(row, "grade")));
        ibc_csv_text(&b, json_string_value(json_object_get(row, "subject")));
        if (network) ibc_csv_int(&b, json_integer_value(json_object_get(row, "schools")));
        ibc_csv_int(&b, students);
        ibc_csv_int(&b, copies);
        if (students > 0) {
            char pct[32];
            snprintf(pct, sizeof pct, "%.1f", 100.0 * (double)copies / (double)students);
            ibc_csv_number(&b, pct);
        } else {
            ibc_csv_text(&b, NULL);
        }
        ibc_csv_end_row(&b);
    }
    size_t len;
    char *data = ibc_csv_take(&b, &len);
    if (!data) return ibc_fail(ctx, IBC_ENOMEM, "out of memory");
    mon_reply_csv(ctx, data, len, "textbook-provision.csv");
    return IBC_OK;
}

/* reports.provision: ?school=&district=&grade=1..11&subject=. 200 {"school",
 * "district", "grade", "subject", "rows": [{school?, grade, subject,
 * students, copies, share}]}: per school when school is given (a
 * librarian's own by default), else the network's (the district's) sums per
 * grade and subject. CSV (UTF-8 with BOM, ';') with Accept: text/csv. */
ibc_rc reports_provision(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    const char *school, *district, *subject = ibc_param(req, "subject");
    long grade;
    ibc_rc rc = mon_school_scope(ctx, req, &school);
    if (rc == IBC_OK) rc = mon_district_param(ctx, req, &district);
    if (rc == IBC_OK) rc = ibc_req_int(ctx, req, "grade", 1, 11, 0, &grade);
    if (rc == IBC_OK && subject && (ibc_utf8_length(subject) < 1 || ibc_utf8_length(subject) > 200))
        rc = ibc_fail(ctx, IBC_EINVAL, "'subject' must be 1 to 200 characters");
    if (rc == IBC_OK) rc = store_provision(ctx, school, district, grade, subject, reply);
    if (rc == IBC_OK && mon_wants_csv(ctx)) {
        rc = provision_csv(ctx, *reply, school == NULL);
        json_decref(*reply);
        *reply = NULL;
    }
    return rc;
}
