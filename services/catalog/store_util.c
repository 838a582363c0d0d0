/* Helpers shared by the catalog's store files (see store_util.h). */
#include "store_util.h"

PGresult *store_exec_custom(ibc_ctx *ctx, const char *sql, int nparams, const char *const *params)
{
    PGresult *r = PQexecParams(ctx->db, sql, nparams, NULL, params, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(r);
    if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) return r;
    ibc_rc rc = ibc_db_rc(r);
    const char *msg = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
    if (!msg) msg = PQerrorMessage(ctx->db);
    if (rc == IBC_EINVAL || rc == IBC_ECONFLICT) {
        ibc_fail(ctx, rc, "%s", msg);
    } else {
        ibc_log(IBC_LOG_ERROR, ctx->request_id, "%s: database error: %s", ctx->action, msg);
        ibc_fail(ctx, rc, "the database could not complete the request");
    }
    PQclear(r);
    return NULL;
}

ibc_rc store_json_custom(ibc_ctx *ctx, json_t **out, const char *sql, int nparams,
                         const char *const *params)
{
    *out = NULL;
    PGresult *r = store_exec_custom(ctx, sql, nparams, params);
    if (!r) return ctx->err;
    ibc_rc rc = IBC_OK;
    if (PQntuples(r) == 0 || PQgetisnull(r, 0, 0)) {
        rc = IBC_ENOTFOUND;
    } else {
        json_error_t jerr;
        *out = json_loadb(PQgetvalue(r, 0, 0), PQgetlength(r, 0, 0), JSON_DECODE_ANY, &jerr);
        if (!*out) rc = ibc_fail(ctx, IBC_EINTERNAL, "database returned bad JSON: %s", jerr.text);
    }
    PQclear(r);
    return rc;
}
