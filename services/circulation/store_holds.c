/* The SQL of holds (see store.h). hold_json() and item_free() are in the
 * migration; a copy is handed to a hold under the copy's row lock, so that a
 * checkout of the same copy waits and then sees the hold. */
#include "circulation.h"
#include "store.h"

#include <stdio.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* 1 when the time is ahead and within a year, 0 when it has passed, 2 when
 * it is further (or 'infinity') */
static const char sql_future[] = "SELECT CASE WHEN NOT isfinite($1::timestamptz) "
                                 "OR $1::timestamptz > now() + interval '1 year' THEN 2 "
                                 "WHEN $1::timestamptz > now() THEN 1 ELSE 0 END";
static const char sql_copies[] =
    "SELECT count(*) FROM items WHERE record_id = $1::uuid AND school = $2 "
    "AND status NOT IN ('written_off', 'lost')";
static const char sql_has_loan[] =
    "SELECT count(*) FROM loans WHERE reader_id = $1::uuid AND record_id = $2::uuid "
    "AND returned_at IS NULL";
static const char sql_insert[] =
    "INSERT INTO holds (record_id, school, reader_id, expires_at) "
    "VALUES ($1::uuid, $2, $3::uuid, $4::timestamptz) RETURNING hold_json(holds)";

/* The first column of the first row as a number; -1 on error. */
static long scalar(ibc_ctx *ctx, const char *sql, int n, const char *const *p)
{
    PGresult *r = ibc_db_exec(ctx, sql, n, p);
    if (!r) return -1;
    long v = strcmp(PQgetvalue(r, 0, 0), "t") == 0 ? 1 : atol(PQgetvalue(r, 0, 0));
    PQclear(r);
    return v;
}

ibc_rc store_copies(ibc_ctx *ctx, const char *record_id, const char *school, long *n)
{
    const char *p[] = {record_id, school};
    *n = scalar(ctx, sql_copies, 2, p);
    return *n < 0 ? ctx->err : IBC_OK;
}

ibc_rc store_hold_place(ibc_ctx *ctx, const char *record_id, const char *reader_id,
                        const char *expires_at, bool last_try, char school[72], json_t **out)
{
    *out = NULL;
    store_reader_loan rd;
    ibc_rc rc = store_reader_lock(ctx, reader_id, false, NULL, &rd);
    if (rc != IBC_OK) return rc;
    if (!acts_for(ctx, rd.school)) /* as unknown as a reader that never was */
        return ibc_fail(ctx, IBC_ENOTFOUND, "no reader has id %s", reader_id);
    if (strcmp(rd.status, "active") != 0)
        return ibc_fail(ctx, IBC_ECONFLICT, "reader %s is %s and cannot place holds", reader_id,
                        rd.status);
    if (expires_at) {
        const char *p[] = {expires_at};
        /* a date and time, not one of PostgreSQL's words ('tomorrow', 'epoch') */
        bool dated = strlen(expires_at) >= 10 && isdigit((unsigned char)expires_at[0]) &&
                     expires_at[4] == '-';
        long future = dated ? scalar(ctx, sql_future, 1, p) : -1;
        if (future < 0 && dated && ctx->err != IBC_EINVAL) return ctx->err;
        if (future < 0)
            return ibc_fail(ctx, IBC_EINVAL,
                            "'expires_at' must be a date and time like 2025-06-01T18:00:00+03:00, "
                            "not '%.40s'",
                            expires_at);
        if (future == 0)
            return ibc_fail(ctx, IBC_EINVAL, "'expires_at' %s is in the past", expires_at);
        if (future == 2)
            return ibc_fail(ctx, IBC_EINVAL,
                            "'expires_at' %.40s is more than a year ahead; a hold waits a year "
                            "at most",
                            expires_at);
    }
    long n;
    if ((rc = store_copies(ctx, record_id, rd.school, &n)) != IBC_OK) return rc;
    snprintf(school, 72, "%s", rd.school);
    if (n == 0 && !last_try) return IBC_OK;
    if (n == 0)
        return ibc_fail(ctx, IBC_ECONFLICT,
                        "%s has no copy of record %s; ask another school for it with a transfer",
                        rd.school, record_id);
    const char *q[] = {reader_id, record_id};
    if ((n = scalar(ctx, sql_has_loan, 2, q)) < 0) return ctx->err;
    if (n > 0)
        return ibc_fail(ctx, IBC_ECONFLICT, "reader %s already has record %s on loan", reader_id,
                        record_id);
    const char *p[] = {record_id, rd.school, reader_id, expires_at};
    rc = ibc_db_json(ctx, out, sql_insert, 4, p);
    if (rc == IBC_ECONFLICT)
        ibc_fail(ctx, rc, "reader %s already holds record %s", reader_id, record_id);
    return rc;
}

static const char sql_get[] =
    "SELECT hold_json(h) FROM holds h WHERE h.id = $1::uuid AND ($2 = '' OR h.school = $2)";

ibc_rc store_hold_get(ibc_ctx *ctx, const char *id, json_t **out)
{
    const char *p[] = {id, ibc_role_network_wide(ctx) ? "" : ctx->org};
    ibc_rc rc = ibc_db_json(ctx, out, sql_get, 2, p);
    if (rc == IBC_ENOTFOUND)
        ibc_fail(ctx, rc, "no hold of %s has id %s", *p[1] ? p[1] : "the network", id);
    return rc;
}

static const char sql_cancel[] =
    "UPDATE holds h SET state = 'cancelled', updated_at = now() WHERE h.id = $1::uuid "
    "AND h.state IN ('waiting', 'ready') AND ($2 = '' OR h.school = $2) "
    "RETURNING hold_json(h)";
static const char sql_state[] =
    "SELECT state FROM holds WHERE id = $1::uuid AND ($2 = '' OR school = $2)";

ibc_rc store_hold_cancel(ibc_ctx *ctx, const char *id, json_t **out)
{
    const char *p[] = {id, ibc_role_is(ctx, "admin") ? "" : ctx->org};
    ibc_rc rc = ibc_db_json(ctx, out, sql_cancel, 2, p);
    if (rc != IBC_ENOTFOUND) return rc;
    PGresult *r = ibc_db_exec(ctx, sql_state, 2, p);
    if (!r) return ctx->err;
    if (PQntuples(r) == 0)
        rc = ibc_fail(ctx, IBC_ENOTFOUND, "no hold of %s has id %s", *p[1] ? p[1] : "the network",
                      id);
    else
        rc = ibc_fail(ctx, IBC_ECONFLICT, "hold %s is %s and can no longer be cancelled", id,
                      PQgetvalue(r, 0, 0));
    PQclear(r);
    return rc;
}

static const char sql_offer[] =
    "WITH it AS (SELECT i.id, i.record_id FROM items i WHERE i.id = $1::uuid AND i.school = $2 "
    "AND item_free(i.id) FOR NO KEY UPDATE OF i), "
    "w AS (SELECT h.id FROM holds h JOIN it ON h.record_id = it.record_id "
    "WHERE h.school = $2 AND h.state = 'waiting' AND (h.expires_at IS NULL OR h.expires_at > "
    "now()) "
    "ORDER BY h.placed_at, h.id LIMIT 1 FOR UPDATE OF h SKIP LOCKED) "
    "UPDATE holds h SET state = 'ready', item_id = $1::uuid, ready_until = least(h.expires_at, "
    "now() + make_interval(days => coalesce((SELECT s.hold_pickup_days FROM schools s "
    "WHERE s.school = $2), 7))), updated_at = now() FROM w WHERE h.id = w.id "
    "RETURNING hold_json(h)";

ibc_rc store_hold_offer(ibc_ctx *ctx, const char *item_id, const char *school, json_t **out)
{
    const char *p[] = {item_id, school};
    ibc_rc rc = ibc_db_json(ctx, out, sql_offer, 2, p);
    if (rc == IBC_ENOTFOUND) {
        ctx->err = IBC_OK;
        ctx->err_detail[0] = 0;
        *out = NULL;
        return IBC_OK;
    }
    return rc;
}

static const char sql_free_copy[] =
    "SELECT i.id::text FROM items i WHERE i.record_id = $1::uuid AND i.school = $2 "
    "AND item_free(i.id) ORDER BY i.barcode LIMIT 1 FOR NO KEY UPDATE OF i SKIP LOCKED";

ibc_rc store_free_copy(ibc_ctx *ctx, const char *record_id, const char *school, char id[37])
{
    id[0] = 0;
    const char *p[] = {record_id, school};
    PGresult *r = ibc_db_exec(ctx, sql_free_copy, 2, p);
    if (!r) return ctx->err;
    if (PQntuples(r) > 0) snprintf(id, 37, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    return IBC_OK;
}

static const char sql_expire[] =
    "WITH x AS (SELECT id FROM holds WHERE state IN ('waiting', 'ready') "
    "AND ($1 = '' OR school = $1) AND ((state = 'waiting' AND expires_at < now()) "
    "OR (state = 'ready' AND ready_until < now())) ORDER BY id LIMIT 1000 "
    "FOR UPDATE SKIP LOCKED), "
    "e AS (UPDATE holds h SET state = 'expired', updated_at = now() FROM x WHERE h.id = x.id "
    "RETURNING hold_json(h) AS j) "
    "SELECT coalesce(jsonb_agg(e.j), '[]') FROM e";

ibc_rc store_holds_expire(ibc_ctx *ctx, const char *school, json_t **out)
{
    const char *p[] = {school};
    return ibc_db_json(ctx, out, sql_expire, 1, p);
}

static const char sql_list[] =
    "SELECT jsonb_build_object('holds', coalesce(jsonb_agg(hold_json(x.hr) ORDER BY x.placed_at, "
    "x.id), '[]'), 'limit', $5::int, 'offset', $6::int) "
    "FROM (SELECT h AS hr, h.placed_at, h.id FROM holds h "
    "WHERE ($1::text IS NULL OR h.school = $1) AND ($2::uuid IS NULL OR h.record_id = $2::uuid) "
    "AND ($3::uuid IS NULL OR h.reader_id = $3::uuid) "
    "AND ($4 = 'all' OR h.state = $4 OR ($4 = 'active' AND h.state IN ('waiting', 'ready'))) "
    "ORDER BY h.placed_at, h.id LIMIT $5::int OFFSET $6::int) x";

ibc_rc store_holds_list(ibc_ctx *ctx, const store_hold_filter *f, json_t **out)
{
    const char *p[] = {f->school, f->record_id, f->reader_id, f->state, f->limit, f->offset};
    return ibc_db_json(ctx, out, sql_list, 6, p);
}
