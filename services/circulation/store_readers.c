/* The SQL of readers (see store.h). reader_json() (a migration) builds the
 * public form and leaves names out unless the viewer may see them. */
#include "circulation.h"
#include "store.h"

#include <stdio.h>
#include <string.h>

/* The school a librarian is confined to, or "" for the network roles. */
static const char *confine(const ibc_ctx *ctx)
{
    return ibc_role_network_wide(ctx) ? "" : ctx->org;
}

static const char *str(const json_t *flat, const char *name)
{
    return json_string_value(json_object_get(flat, name));
}

static const char sql_insert[] =
    "INSERT INTO readers (school, card_barcode, name, category, class, status, birth_date) "
    "VALUES ($1, $2, $3, $4, $5, coalesce($6, 'active'), $7::date) "
    "RETURNING reader_json(readers, true) || reader_birth(readers, $8)";

ibc_rc store_reader_insert(ibc_ctx *ctx, const char *school, const json_t *flat, json_t **out)
{
    const char *p[] = {school,
                       str(flat, "card_barcode"),
                       str(flat, "name"),
                       str(flat, "category"),
                       str(flat, "class"),
                       str(flat, "status"),
                       str(flat, "birth_date"),
                       ctx->org};
    ibc_rc rc = ibc_db_json(ctx, out, sql_insert, 8, p);
    if (rc == IBC_ECONFLICT)
        ibc_fail(ctx, rc, "a reader with card barcode '%s' already exists", p[1]);
    return rc;
}

static const char sql_get[] =
    "SELECT reader_json(r, r.school = $2 OR $3::boolean) || reader_birth(r, $2) "
    "|| reader_consents(r, $2) FROM readers r "
    "WHERE r.id = $1::uuid AND ($4 = '' OR r.school = $4)";

ibc_rc store_reader_get(ibc_ctx *ctx, const char *id, json_t **out)
{
    const char *p[] = {id, ctx->org, admin_param(ctx), confine(ctx)};
    ibc_rc rc = ibc_db_json(ctx, out, sql_get, 4, p);
    if (rc == IBC_ENOTFOUND)
        ibc_fail(ctx, rc, "no reader of %s has id %s", *p[3] ? p[3] : "the network", id);
    return rc;
}

static const char sql_list[] =
    "SELECT jsonb_build_object('readers', coalesce(jsonb_agg(reader_json(r, r.school = $8 OR "
    "$9::boolean) || reader_birth(r, $8) ORDER BY r.school, r.class NULLS LAST, r.name, r.id), "
    "'[]'), "
    "'limit', $7::int, 'offset', $10::int) "
    "FROM (SELECT * FROM readers r WHERE ($1::text IS NULL OR r.school = $1) "
    "AND ($2::text IS NULL OR r.class = $2) AND ($3::text IS NULL OR r.status = $3) "
    "AND ($4::text IS NULL OR r.category = $4) AND ($5::text IS NULL OR r.card_barcode = $5) "
    "AND ($6::text IS NULL OR strpos(lower(r.name), lower($6)) > 0) "
    "ORDER BY r.school, r.class NULLS LAST, r.name, r.id LIMIT $7::int OFFSET $10::int) r";

ibc_rc store_readers_list(ibc_ctx *ctx, const store_reader_filter *f, json_t **out)
{
    const char *p[] = {f->school, f->cls,   f->status, f->category,      f->card,
                       f->q,      f->limit, ctx->org,  admin_param(ctx), f->offset};
    return ibc_db_json(ctx, out, sql_list, 10, p);
}

static const char sql_update[] =
    "UPDATE readers r SET card_barcode = $2, name = $3, category = $4, class = $5, "
    "status = coalesce($6, r.status), birth_date = coalesce($9::date, r.birth_date), "
    "version = r.version + 1, updated_at = now() "
    "WHERE r.id = $1::uuid AND ($7 = '' OR r.school = $7) "
    "AND ($8::int IS NULL OR r.version = $8::int) "
    "RETURNING reader_json(r, true) || reader_birth(r, $10)";
static const char sql_version[] =
    "SELECT version FROM readers WHERE id = $1::uuid AND ($2 = '' OR school = $2)";

ibc_rc store_reader_update(ibc_ctx *ctx, const char *id, long version, const json_t *flat,
                           json_t **out)
{
    char ver[24];
    snprintf(ver, sizeof ver, "%ld", version);
    const char *p[] = {id,
                       str(flat, "card_barcode"),
                       str(flat, "name"),
                       str(flat, "category"),
                       str(flat, "class"),
                       str(flat, "status"),
                       confine(ctx),
                       version > 0 ? ver : NULL,
                       str(flat, "birth_date"),
                       ctx->org};
    ibc_rc rc = ibc_db_json(ctx, out, sql_update, 10, p);
    if (rc == IBC_ECONFLICT)
        return ibc_fail(ctx, rc, "a reader with card barcode '%s' already exists", p[1]);
    if (rc != IBC_ENOTFOUND) return rc;
    const char *q[] = {id, confine(ctx)};
    PGresult *r = ibc_db_exec(ctx, sql_version, 2, q);
    if (!r) return ctx->err;
    if (PQntuples(r) == 0)
        rc = ibc_fail(ctx, IBC_ENOTFOUND, "no reader of %s has id %s", *q[1] ? q[1] : "the network",
                      id);
    else
        rc = ibc_fail(ctx, IBC_EPRECOND,
                      "the reader changed: its version is %s, If-Match named %ld; read it again",
                      PQgetvalue(r, 0, 0), version);
    PQclear(r);
    return rc;
}

static const char sql_lock[] =
    "SELECT r.school, (SELECT count(*) FROM loans l WHERE l.reader_id = r.id "
    "AND l.returned_at IS NULL) FROM readers r "
    "WHERE r.id = $1::uuid AND ($2 = '' OR r.school = $2) FOR UPDATE OF r";
static const char sql_cancel_holds[] =
    "WITH h AS (UPDATE holds SET state = 'cancelled', updated_at = now() "
    "WHERE reader_id = $1::uuid AND state IN ('waiting', 'ready') RETURNING *) "
    "SELECT coalesce(jsonb_agg(jsonb_strip_nulls(jsonb_build_object('id', h.id, 'record_id', "
    "h.record_id, 'school', h.school, 'reader_id', h.reader_id, 'item_id', h.item_id))), '[]') "
    "FROM h";
static const char sql_delete[] = "DELETE FROM readers WHERE id = $1::uuid";

ibc_rc store_reader_delete(ibc_ctx *ctx, const char *id, char school[72], json_t **holds)
{
    *holds = NULL;
    const char *p[] = {id, confine(ctx)};
    PGresult *r = ibc_db_exec(ctx, sql_lock, 2, p);
    if (!r) return ctx->err;
    ibc_rc rc = IBC_OK;
    if (PQntuples(r) == 0)
        rc = ibc_fail(ctx, IBC_ENOTFOUND, "no reader of %s has id %s", *p[1] ? p[1] : "the network",
                      id);
    else if (strcmp(PQgetvalue(r, 0, 1), "0") != 0)
        rc = ibc_fail(ctx, IBC_ECONFLICT,
                      "reader %s has %s items on loan; check them in before deleting the reader",
                      id, PQgetvalue(r, 0, 1));
    else
        snprintf(school, 72, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    if (rc != IBC_OK) return rc;
    rc = ibc_db_json(ctx, holds, sql_cancel_holds, 1, p);
    if (rc != IBC_OK) return rc;
    r = ibc_db_exec(ctx, sql_delete, 1, p);
    if (!r) return ctx->err;
    PQclear(r);
    return IBC_OK;
}
