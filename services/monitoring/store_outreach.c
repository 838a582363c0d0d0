/* The SQL of reading-promotion events and partnership agreements (see store.h). */
#include "store_util.h"

#include <stdio.h>

#define PROMOTION_JSON(p)                                                                          \
    "jsonb_build_object('id', " p ".id, 'school', " p ".school_id, 'campaign', " p ".campaign, "   \
    "'held_on', " p ".held_on, 'participants', " p ".participants, 'description', " p              \
    ".description, 'created_at', " p ".created_at)"

static const char sql_promotion_insert[] =
    "INSERT INTO promotions AS p (school_id, campaign, held_on, participants, description) "
    "SELECT b->>'school', b->>'campaign', (b->>'held_on')::date, (b->>'participants')::int, "
    "b->>'description' FROM (SELECT $1::jsonb b) q RETURNING " PROMOTION_JSON("p");

ibc_rc store_promotion_insert(ibc_ctx *ctx, const json_t *body, json_t **out)
{
    return ibc_db_json_with(ctx, out, sql_promotion_insert, body, 0, NULL);
}

/* $4 limit, $5 offset: one page of the events, totals over all of them */
static const char sql_promotion_list[] = "WITH f AS (SELECT " PROMOTION_JSON(
    "p") " j, p.participants, row_number() OVER (ORDER BY "
         "p.held_on DESC, p.created_at DESC, p.id) n FROM promotions p "
         "WHERE ($1::text IS NULL OR p.school_id = $1) AND ($2::date IS NULL OR p.held_on >= "
         "$2::date) "
         "AND ($3::date IS NULL OR p.held_on <= $3::date)) "
         "SELECT jsonb_build_object('items', coalesce((SELECT jsonb_agg(j ORDER BY n) FROM f "
         "WHERE n > $5::int AND n <= $5::int + $4::int), '[]'), 'total', (SELECT count(*) FROM f), "
         "'participants', (SELECT coalesce(sum(participants), 0) FROM f), 'limit', $4::int, "
         "'offset', $5::int)";

ibc_rc store_promotion_list(ibc_ctx *ctx, const char *school, const char *from, const char *to,
                            const ibc_page *page, json_t **out)
{
    const char *p[] = {school, from, to, page->limit_text, page->offset_text};
    return ibc_db_json(ctx, out, sql_promotion_list, 5, p);
}

/* Copies the first column of a one-row answer into school; IBC_ENOTFOUND when none. */
static ibc_rc school_of(ibc_ctx *ctx, const char *sql, const char *id, const char *what,
                        char school[65])
{
    const char *p[] = {id};
    PGresult *r = ibc_db_exec(ctx, sql, 1, p);
    if (!r) return ctx->err;
    ibc_rc rc = IBC_OK;
    if (PQntuples(r) == 0)
        rc = ibc_fail(ctx, IBC_ENOTFOUND, "no %s has id '%s'", what, id);
    else
        snprintf(school, 65, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    return rc;
}

static const char sql_promotion_school[] = "SELECT school_id FROM promotions WHERE id = $1::uuid";

ibc_rc store_promotion_school(ibc_ctx *ctx, const char *id, char school[65])
{
    return school_of(ctx, sql_promotion_school, id, "reading-promotion event", school);
}

static const char sql_promotion_delete[] =
    "DELETE FROM promotions p WHERE p.id = $1::uuid RETURNING " PROMOTION_JSON("p");

ibc_rc store_promotion_delete(ibc_ctx *ctx, const char *id, json_t **out)
{
    const char *p[] = {id};
    ibc_rc rc = ibc_db_json(ctx, out, sql_promotion_delete, 1, p);
    if (rc == IBC_ENOTFOUND) ibc_fail(ctx, rc, "no reading-promotion event has id '%s'", id);
    return rc;
}

#define PARTNERSHIP_JSON(p)                                                                        \
    "jsonb_build_object('id', " p ".id, 'school', " p ".school_id, 'partner', " p ".partner, "     \
    "'signed_on', " p ".signed_on, 'valid_until', " p ".valid_until, 'subject', " p ".subject, "   \
    "'active', " p ".signed_on <= current_date AND (" p ".valid_until IS NULL OR " p               \
    ".valid_until >= current_date), 'created_at', " p ".created_at)"

static const char sql_partnership_insert[] =
    "INSERT INTO partnerships AS p (school_id, partner, signed_on, valid_until, subject) "
    "SELECT b->>'school', b->>'partner', (b->>'signed_on')::date, (b->>'valid_until')::date, "
    "b->>'subject' FROM (SELECT $1::jsonb b) q RETURNING " PARTNERSHIP_JSON("p");

ibc_rc store_partnership_insert(ibc_ctx *ctx, const json_t *body, json_t **out)
{
    return ibc_db_json_with(ctx, out, sql_partnership_insert, body, 0, NULL);
}

/* $3 limit, $4 offset */
static const char sql_partnership_list[] =
    "WITH f AS (SELECT j, row_number() OVER (ORDER BY j->>'signed_on' DESC, j->>'id') n "
    "FROM (SELECT " PARTNERSHIP_JSON(
        "p") " j FROM partnerships p "
             "WHERE $1::text IS NULL OR p.school_id = $1) x WHERE NOT $2::bool OR "
             "(j->>'active')::bool) "
             "SELECT jsonb_build_object('items', coalesce((SELECT jsonb_agg(j ORDER BY n) FROM f "
             "WHERE n > $4::int AND n <= $4::int + $3::int), '[]'), 'total', (SELECT count(*) FROM "
             "f), "
             "'limit', $3::int, 'offset', $4::int)";

ibc_rc store_partnership_list(ibc_ctx *ctx, const char *school, bool active_only,
                              const ibc_page *page, json_t **out)
{
    const char *p[] = {school, active_only ? "true" : "false", page->limit_text, page->offset_text};
    return ibc_db_json(ctx, out, sql_partnership_list, 4, p);
}

static const char sql_partnership_school[] =
    "SELECT school_id FROM partnerships WHERE id = $1::uuid";

ibc_rc store_partnership_school(ibc_ctx *ctx, const char *id, char school[65])
{
    return school_of(ctx, sql_partnership_school, id, "partnership agreement", school);
}

static const char sql_partnership_delete[] =
    "DELETE FROM partnerships p WHERE p.id = $1::uuid RETURNING " PARTNERSHIP_JSON("p");

ibc_rc store_partnership_delete(ibc_ctx *ctx, const char *id, json_t **out)
{
    const char *p[] = {id};
    ibc_rc rc = ibc_db_json(ctx, out, sql_partnership_delete, 1, p);
    if (rc == IBC_ENOTFOUND) ibc_fail(ctx, rc, "no partnership agreement has id '%s'", id);
    return rc;
}
