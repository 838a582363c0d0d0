/* The SQL of the projections fed by other services' events (see store.h).
 * Every statement is an upsert keyed by the other service's id, so that the
 * order of events of different entities does not matter; a state is only
 * replaced by the state of a later event (changed_at), so that a retried,
 * late event does not undo a newer one. $1 is the event's data, $2 its time. */
#include "store_util.h"

#include <stdio.h>
#include <stdlib.h>

#define EVENT "WITH e AS (SELECT $1::jsonb AS d, coalesce($2::timestamptz, now()) AS t) "
/* Events in bulk: $1 is an array of {d: data, t: time, v: verb or status}. */
#define EVENTS                                                                                     \
    "WITH e AS (SELECT x->'d' AS d, coalesce((x->>'t')::timestamptz, now()) AS t, "                \
    "x->>'v' AS v, n FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS a(x, n)) "

/* Runs an event statement with the data and time (and extra parameters). */
static ibc_rc apply(ibc_ctx *ctx, const char *sql, const json_t *data, const char *time, int nextra,
                    const char *const *extra)
{
    const char *p[4] = {NULL, time, NULL, NULL};
    char *text = su_text(ctx, data);
    if (!text) return ctx->err;
    p[0] = text;
    for (int i = 0; i < nextra && i < 2; i++)
        p[2 + i] = extra[i];
    ibc_rc rc = ibc_db_run(ctx, sql, 2 + nextra, p);
    free(text);
    return rc;
}

static ibc_rc need_id(ibc_ctx *ctx, const json_t *data, const char *member)
{
    if (json_is_string(json_object_get(data, member)) &&
        json_string_length(json_object_get(data, member)) > 0)
        return IBC_OK;
    return ibc_fail(ctx, IBC_EINVAL, "the event's data has no '%s'", member);
}

static ibc_rc apply_many(ibc_ctx *ctx, const char *sql, const json_t *events);

/* A year that is not four digits counts as unknown rather than failing the
 * event. Many records at once (EVENTS), each id once. */
static const char sql_records_upsert[] = EVENTS
    "INSERT INTO p_records AS r (id, type, textbook_subject, grade_from, grade_to, bbk, language, "
    "year, age_rating, created_at, changed_at) SELECT d->>'id', d->>'type', "
    "nullif(btrim(d->'textbook'->>'subject'), ''), (d->'textbook'->>'grade_from')::int, "
    "(d->'textbook'->>'grade_to')::int, nullif(btrim(d->>'bbk'), ''), "
    "nullif(lower(btrim(d->>'language')), ''), CASE WHEN d->>'year' ~ '^[0-9]{1,4}$' "
    "THEN (d->>'year')::int END, d->>'age_rating', t, t FROM e "
    "ON CONFLICT (id) DO UPDATE SET type = EXCLUDED.type, textbook_subject = "
    "EXCLUDED.textbook_subject, grade_from = EXCLUDED.grade_from, grade_to = EXCLUDED.grade_to, "
    "bbk = EXCLUDED.bbk, language = EXCLUDED.language, year = EXCLUDED.year, "
    "age_rating = EXCLUDED.age_rating, "
    "changed_at = EXCLUDED.changed_at, created_at = least(r.created_at, EXCLUDED.created_at) "
    "WHERE r.changed_at <= EXCLUDED.changed_at";

ibc_rc proj_records_upsert(ibc_ctx *ctx, const json_t *events)
{
    return apply_many(ctx, sql_records_upsert, events);
}

static const char sql_record_delete[] =
    EVENT "INSERT INTO p_records AS r (id, created_at, changed_at, deleted_at) "
          "SELECT lower($3::text), t, t, t FROM e ON CONFLICT (id) DO UPDATE SET deleted_at = "
          "least(coalesce(r.deleted_at, EXCLUDED.deleted_at), EXCLUDED.deleted_at)";

ibc_rc proj_record_delete(ibc_ctx *ctx, const char *id, const char *time)
{
    const char *extra[] = {id};
    json_t *none = json_object();
    ibc_rc rc = apply(ctx, sql_record_delete, none, time, 1, extra);
    json_decref(none);
    return rc;
}

static const char sql_items_move[] =
    "UPDATE p_items SET record_id = lower($1) WHERE record_id = lower($2)";

ibc_rc proj_record_merge(ibc_ctx *ctx, const char *kept, const char *merged, const char *time)
{
    ibc_rc rc = proj_record_delete(ctx, merged, time);
    const char *p[] = {kept, merged};
    if (rc == IBC_OK) rc = ibc_db_run(ctx, sql_items_move, 2, p);
    return rc;
}

/* the status an item's event gave (its verb's or its data's), none: NULL */
#define GIVEN "(SELECT s.given FROM s WHERE s.d->>'id' = i.id)"

/* The copy enters the fund on the receipt's day (received_on) or else the
 * event's; it leaves on the write-off act's day (written_off_on) or else the
 * day of the event that wrote it off, and a write-off is final. A day that
 * is not a real date counts as absent (event_day, migration 0011). */
static const char sql_items_upsert[] = EVENTS
    ", s AS (SELECT d, t, coalesce(v, d->>'status') AS given, "
    "coalesce(v, d->>'status', 'available') AS status, "
    "event_day(d->>'received_on') AS received_on, "
    "event_day(d->>'written_off_on') AS written_off_on FROM e) "
    "INSERT INTO p_items AS i (id, record_id, school, status, source, created_at, changed_at, "
    "received_on, written_off_on) SELECT d->>'id', d->>'record_id', d->>'school', status, "
    "d->>'receipt_source', t, t, coalesce(received_on, t::date), CASE WHEN status = "
    "'written_off' THEN coalesce(written_off_on, t::date) END FROM s ON CONFLICT (id) DO UPDATE "
    "SET record_id = coalesce(EXCLUDED.record_id, i.record_id), school = coalesce(EXCLUDED.school, "
    "i.school), status = coalesce(" GIVEN ", i.status), "
    "source = coalesce(EXCLUDED.source, i.source), "
    "received_on = least(i.received_on, EXCLUDED.received_on), "
    "written_off_on = CASE WHEN coalesce(" GIVEN ", i.status) = "
    "'written_off' THEN coalesce(i.written_off_on, EXCLUDED.written_off_on, "
    "EXCLUDED.changed_at::date) END, "
    "changed_at = EXCLUDED.changed_at, created_at = least(i.created_at, EXCLUDED.created_at) "
    "WHERE i.changed_at <= EXCLUDED.changed_at";

ibc_rc proj_items_upsert(ibc_ctx *ctx, const json_t *events)
{
    return apply_many(ctx, sql_items_upsert, events);
}

/* The loan keeps its reader's category and class as the projection holds
 * them when the loan is applied: circulation's events of one consumer come in
 * order, so that is the reader as at the loan. A reader the projection does
 * not hold (its events left the stream) leaves both NULL, and the report
 * takes the reader's, should they come. */
static const char sql_loans_activity[] = EVENTS
    ", l AS (INSERT INTO p_loans (id, school, reader_id, item_id, created_at, reader_category, "
    "reader_class) SELECT d->>'id', d->>'school', d->>'reader_id', d->>'item_id', t, "
    "r.category, r.class FROM e LEFT JOIN p_readers r "
    "ON r.id = e.d->>'reader_id' ORDER BY n ON CONFLICT (id) DO NOTHING) "
    "INSERT INTO p_loan_activity (loan_id, verb, reader_id, school, at) "
    "SELECT d->>'id', v, d->>'reader_id', d->>'school', t FROM e ORDER BY n ON CONFLICT DO NOTHING";

static const char sql_loans_returned[] =
    EVENTS "UPDATE p_loans l SET returned_at = coalesce((e.d->>'returned_at')::timestamptz, e.t) "
           "FROM e WHERE l.id = e.d->>'id'";

static ibc_rc apply_many(ibc_ctx *ctx, const char *sql, const json_t *events)
{
    char *text = su_text(ctx, events);
    if (!text) return ctx->err;
    const char *p[] = {text};
    ibc_rc rc = ibc_db_run(ctx, sql, 1, p);
    free(text);
    return rc;
}

ibc_rc proj_loans_activity(ibc_ctx *ctx, const json_t *events)
{
    return apply_many(ctx, sql_loans_activity, events);
}

ibc_rc proj_loans_returned(ibc_ctx *ctx, const json_t *events)
{
    return apply_many(ctx, sql_loans_returned, events);
}

/* $3: "deleted" marks the reader gone */
static const char sql_reader_upsert[] =
    EVENT "INSERT INTO p_readers AS r (id, school, category, class, created_at, deleted_at) "
          "SELECT d->>'id', d->>'school', d->>'category', d->>'class', t, "
          "CASE WHEN $3::text = 'deleted' THEN t END "
          "FROM e ON CONFLICT (id) DO UPDATE SET school = coalesce(EXCLUDED.school, r.school), "
          "category = coalesce(EXCLUDED.category, r.category), "
          "class = CASE WHEN $1::jsonb ? 'class' OR $1::jsonb ? 'category' THEN EXCLUDED.class "
          "ELSE r.class END, "
          "deleted_at = coalesce(EXCLUDED.deleted_at, r.deleted_at)";

static ibc_rc reader(ibc_ctx *ctx, const json_t *data, const char *time, const char *verb)
{
    ibc_rc rc = need_id(ctx, data, "id");
    const char *extra[] = {verb};
    return rc == IBC_OK ? apply(ctx, sql_reader_upsert, data, time, 1, extra) : rc;
}

ibc_rc proj_reader_upsert(ibc_ctx *ctx, const json_t *data, const char *time)
{
    return reader(ctx, data, time, "upsert");
}

ibc_rc proj_reader_delete(ibc_ctx *ctx, const json_t *data, const char *time)
{
    return reader(ctx, data, time, "deleted");
}

/* $3: "deleted" ends the staff member's employment on the event's date */
static const char sql_staff_upsert[] = EVENT
    "INSERT INTO p_staff AS s (id, school, created_at, left_on) "
    "SELECT d->>'id', d->>'school', t, CASE WHEN $3::text = 'deleted' THEN t::date END FROM e "
    "ON CONFLICT (id) DO UPDATE SET school = coalesce(EXCLUDED.school, s.school), "
    "left_on = coalesce(EXCLUDED.left_on, s.left_on)";

ibc_rc proj_staff_upsert(ibc_ctx *ctx, const json_t *data, const char *time)
{
    ibc_rc rc = need_id(ctx, data, "id");
    const char *extra[] = {"upsert"};
    return rc == IBC_OK ? apply(ctx, sql_staff_upsert, data, time, 1, extra) : rc;
}

ibc_rc proj_staff_delete(ibc_ctx *ctx, const json_t *data, const char *time)
{
    ibc_rc rc = need_id(ctx, data, "id");
    const char *extra[] = {"deleted"};
    return rc == IBC_OK ? apply(ctx, sql_staff_upsert, data, time, 1, extra) : rc;
}

static const char sql_completion_upsert[] =
    EVENT "INSERT INTO p_completions AS c (enrolment_id, staff_id, school, course_id, hours, "
          "completed_on) SELECT d->>'id', d->>'staff_id', d->>'school', d->>'course_id', "
          "(d->>'hours')::numeric, coalesce((d->>'completed_on')::date, t::date) FROM e "
          "ON CONFLICT (enrolment_id) DO UPDATE SET staff_id = EXCLUDED.staff_id, school = "
          "EXCLUDED.school, course_id = EXCLUDED.course_id, hours = EXCLUDED.hours, completed_on = "
          "EXCLUDED.completed_on";

ibc_rc proj_completion_upsert(ibc_ctx *ctx, const json_t *data, const char *time)
{
    ibc_rc rc = need_id(ctx, data, "id");
    if (rc == IBC_OK) rc = need_id(ctx, data, "staff_id");
    return rc == IBC_OK ? apply(ctx, sql_completion_upsert, data, time, 0, NULL) : rc;
}

static const char sql_completion_delete[] = "DELETE FROM p_completions WHERE enrolment_id = $1";

ibc_rc proj_completion_delete(ibc_ctx *ctx, const char *enrolment_id)
{
    const char *p[] = {enrolment_id};
    return ibc_db_run(ctx, sql_completion_delete, 1, p);
}

static const char sql_project_upsert[] = EVENT
    ", h AS (INSERT INTO p_project_status (project_id, status, at) SELECT d->>'id', "
    "d->>'status', t FROM e WHERE d->>'status' IS NOT NULL ON CONFLICT DO NOTHING) "
    "INSERT INTO p_projects AS p (id, school, programme_id, status, requested_amount, "
    "awarded_amount, created_at, changed_at) SELECT d->>'id', d->>'school', d->>'programme_id', "
    "d->>'status', (d->>'requested_amount')::numeric, (d->>'awarded_amount')::numeric, t, t "
    "FROM e ON CONFLICT (id) DO UPDATE SET school = coalesce(EXCLUDED.school, p.school), "
    "programme_id = coalesce(EXCLUDED.programme_id, p.programme_id), "
    "status = coalesce(EXCLUDED.status, p.status), requested_amount = "
    "coalesce(EXCLUDED.requested_amount, p.requested_amount), awarded_amount = "
    "coalesce(EXCLUDED.awarded_amount, p.awarded_amount), changed_at = EXCLUDED.changed_at, "
    "created_at = least(p.created_at, EXCLUDED.created_at) "
    "WHERE p.changed_at <= EXCLUDED.changed_at";

ibc_rc proj_project_upsert(ibc_ctx *ctx, const json_t *data, const char *time)
{
    ibc_rc rc = need_id(ctx, data, "id");
    return rc == IBC_OK ? apply(ctx, sql_project_upsert, data, time, 0, NULL) : rc;
}
