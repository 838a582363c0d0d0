/* The catalog's SQL for records (see store.h). Records go in and out as JSON:
 * jsonb_populate_record() maps the validated body onto the columns and
 * record_json() (a migration) builds the public form. */
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RECORD_COLUMNS                                                                             \
    "type, title, subtitle, authors, publisher, place, year, isbn, issn, language, bbk, udk, "     \
    "subjects, annotation, age_rating, edition, pages, series, textbook_subject, grade_from, "     \
    "grade_to, fpu_number, url, access"
#define P_COLUMNS                                                                                  \
    "p.type, p.title, p.subtitle, p.authors, p.publisher, p.place, p.year, p.isbn, p.issn, "       \
    "p.language, p.bbk, p.udk, p.subjects, p.annotation, p.age_rating, p.edition, p.pages, "       \
    "p.series, p.textbook_subject, p.grade_from, p.grade_to, p.fpu_number, p.url, p.access"

static const char sql_isbn_lock[] = "SELECT pg_advisory_xact_lock(hashtext('isbn:' || $1))";
static const char sql_isbn_owner[] =
    "SELECT id::text FROM records WHERE isbn = $1 AND id::text <> $2 ORDER BY created_at LIMIT 1";

ibc_rc store_isbn_owner(ibc_ctx *ctx, const char *isbn, const char *except_id, char id[37])
{
    id[0] = 0;
    const char *p[] = {isbn, except_id ? except_id : ""};
    PGresult *r = ibc_db_exec(ctx, sql_isbn_lock, 1, p);
    if (!r) return ctx->err;
    PQclear(r);
    r = ibc_db_exec(ctx, sql_isbn_owner, 2, p);
    if (!r) return ctx->err;
    if (PQntuples(r) > 0) snprintf(id, 37, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    return IBC_OK;
}

static const char sql_insert[] =
    "INSERT INTO records (" RECORD_COLUMNS ", created_by_org) SELECT " P_COLUMNS
    ", $2 FROM jsonb_populate_record(NULL::records, $1::jsonb) p "
    "RETURNING record_json(records)";

static ibc_rc with_json_param(ibc_ctx *ctx, const json_t *flat, char **text)
{
    *text = json_dumps(flat, JSON_COMPACT);
    return *text ? IBC_OK : ibc_fail(ctx, IBC_ENOMEM, "out of memory");
}

ibc_rc store_record_insert(ibc_ctx *ctx, const json_t *flat, json_t **out)
{
    char *text;
    if (with_json_param(ctx, flat, &text) != IBC_OK) return ctx->err;
    const char *p[] = {text, ctx->org};
    ibc_rc rc = ibc_db_json(ctx, out, sql_insert, 2, p);
    free(text);
    return rc;
}

/* the record, with why it is blocked ("extremist") when the federal list blocks it */
static const char sql_get[] =
    "SELECT CASE WHEN x.why IS NULL THEN record_json(r) "
    "ELSE record_json(r) || jsonb_build_object('extremist', x.why) END "
    "FROM records r LEFT JOIN record_blocks x ON x.record_id = r.id WHERE r.id = $1::uuid";

ibc_rc store_record_get(ibc_ctx *ctx, const char *id, json_t **out)
{
    const char *p[] = {id};
    ibc_rc rc = ibc_db_json(ctx, out, sql_get, 1, p);
    if (rc == IBC_ENOTFOUND) ibc_fail(ctx, rc, "no record has id '%s'", id);
    return rc;
}

static const char sql_update[] =
    "UPDATE records r SET (" RECORD_COLUMNS ") = (SELECT " P_COLUMNS
    " FROM jsonb_populate_record(NULL::records, $2::jsonb) p), "
    "version = r.version + 1, updated_at = now() "
    "WHERE r.id = $1::uuid AND r.version = $3::int RETURNING record_json(r)";
static const char sql_version[] = "SELECT version FROM records WHERE id = $1::uuid";

ibc_rc store_record_update(ibc_ctx *ctx, const char *id, long version, const json_t *flat,
                           json_t **out)
{
    char *text, ver[24];
    if (with_json_param(ctx, flat, &text) != IBC_OK) return ctx->err;
    snprintf(ver, sizeof ver, "%ld", version);
    const char *p[] = {id, text, ver};
    ibc_rc rc = ibc_db_json(ctx, out, sql_update, 3, p);
    free(text);
    if (rc != IBC_ENOTFOUND) return rc;
    PGresult *r = ibc_db_exec(ctx, sql_version, 1, p);
    if (!r) return ctx->err;
    if (PQntuples(r) == 0) rc = ibc_fail(ctx, IBC_ENOTFOUND, "no record has id '%s'", id);
    else
        rc = ibc_fail(ctx, IBC_EPRECOND,
                      "the record changed: its version is %s, If-Match named %ld; read it again",
                      PQgetvalue(r, 0, 0), version);
    PQclear(r);
    return rc;
}

static const char sql_delete[] =
    "DELETE FROM records r WHERE r.id = $1::uuid RETURNING record_json(r)";

ibc_rc store_record_delete(ibc_ctx *ctx, const char *id, json_t **out)
{
    const char *p[] = {id};
    ibc_rc rc = ibc_db_json(ctx, out, sql_delete, 1, p);
    if (rc == IBC_ENOTFOUND) ibc_fail(ctx, rc, "no record has id '%s'", id);
    return rc;
}
