/* 152-ФЗ: a reader's consent to the processing of their personal data (or a
 * parent's for a minor), the export of everything kept about a reader on
 * request, and the anonymisation of readers who left long ago. Consents and
 * the export are the reader's own school's alone, like the birth date. */
#include "audit.h"
#include "circulation.h"

#include <ibc/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A reader under this age needs a parent's consent. */
#define CONSENT_OWN_AGE 14

static const char *const kinds[] = {"reader", "parent", NULL};

static const ibc_field consent_fields[] = {
    {"kind", IBC_F_ENUM, true, 0, 0, kinds, 0},
    {"basis", IBC_F_STR, true, 1, 500, NULL, 0},
    {"given_on", IBC_F_DATE, true, 0, 0, NULL, 0},
    {"given_by", IBC_F_STR, false, 1, 300, NULL, 0},
};

/* The reader's age in full years ("" when the birth date is unknown), locked;
 * 404 when the reader is not of the caller's school. */
static const char sql_reader_age[] =
    "SELECT coalesce(date_part('year', age(current_date, birth_date))::int::text, '') "
    "FROM readers WHERE id = $1::uuid AND school = $2 AND anonymised_at IS NULL FOR UPDATE";
static const char sql_consent_insert[] =
    "INSERT INTO reader_consents (reader_id, kind, basis, given_on, given_by, principal) "
    "VALUES ($1::uuid, $2, $3, $4::date, $5, $6) RETURNING consent_json(reader_consents)";

/* 403 unless the caller is a librarian (of some school): consents and the
 * export are the reader's own school's, not the network roles'. */
static ibc_rc own_school_only(ibc_ctx *ctx)
{
    if (!ibc_role_network_wide(ctx)) return IBC_OK;
    return ibc_fail(ctx, IBC_EFORBIDDEN,
                    "a reader's consents and personal data are their own school's: a librarian "
                    "of the reader's school records and exports them");
}

static const char *str(const json_t *flat, const char *name)
{
    return json_string_value(json_object_get(flat, name));
}

/* Checks the consent against the reader: given_on not before 2000 nor
 * after today; a parent's names who gave it; a minor's own is refused. */
static ibc_rc consent_check(ibc_ctx *ctx, const json_t *flat, const char *id)
{
    const char *on = str(flat, "given_on");
    if (strcmp(on, "2000-01-01") < 0 || !date_not_future(on))
        return ibc_fail(ctx, IBC_EINVAL, "'given_on' %s is not a date from 2000 to today", on);
    bool parent = strcmp(str(flat, "kind"), "parent") == 0;
    if (parent && !str(flat, "given_by"))
        return ibc_fail(ctx, IBC_EINVAL, "a parent's consent names who gave it in 'given_by'");
    ibc_rc rc = own_school_only(ctx);
    if (rc != IBC_OK) return rc;
    const char *p[] = {id, ctx->org};
    PGresult *r = ibc_db_exec(ctx, sql_reader_age, 2, p);
    if (!r) return ctx->err;
    if (PQntuples(r) == 0)
        rc = ibc_fail(ctx, IBC_ENOTFOUND, "no reader of %s has id %s", ctx->org, id);
    else if (!parent && *PQgetvalue(r, 0, 0) && atoi(PQgetvalue(r, 0, 0)) < CONSENT_OWN_AGE)
        rc = ibc_fail(ctx, IBC_EUNPROCESSABLE,
                      "the reader is %s years old: under %d, a parent gives the consent "
                      "(kind 'parent')",
                      PQgetvalue(r, 0, 0), CONSENT_OWN_AGE);
    PQclear(r);
    return rc;
}

/* Logs a consent recorded for a reader of the caller's school. */
static ibc_rc audit_consent(ibc_ctx *ctx, const char *id, const json_t *flat)
{
    json_t *fields = json_pack("[s]", "consents");
    if (str(flat, "given_by")) json_array_append_new(fields, json_string("consents.given_by"));
    ibc_rc rc = audit_reader(ctx, "consent", id, ctx->org, fields);
    json_decref(fields);
    return rc;
}

/* readers.consents.add: 201 with the consent; 404 unless the reader is of
 * the caller's school; 422 for a minor's own consent. */
ibc_rc readers_consent_add(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    const char *id;
    json_t *flat = json_object();
    ibc_rc rc = ibc_req_id(ctx, req, "id", "reader", &id);
    if (rc == IBC_OK)
        rc = ibc_validate(ctx, ibc_body(req), consent_fields, IBC_LEN(consent_fields), "", NULL,
                          flat);
    if (rc == IBC_OK) rc = consent_check(ctx, flat, id);
    if (rc == IBC_OK) {
        const char *p[] = {id,
                           str(flat, "kind"),
                           str(flat, "basis"),
                           str(flat, "given_on"),
                           str(flat, "given_by"),
                           ctx->principal};
        rc = ibc_db_json(ctx, reply, sql_consent_insert, 6, p);
    }
    if (rc == IBC_OK) rc = audit_consent(ctx, id, flat);
    if (rc == IBC_OK)
        ibc_created(ctx, "/api/v1/circulation/readers/%s/consents/%s", id,
                    json_string_value(json_object_get(*reply, "id")));
    json_decref(flat);
    return rc;
}

static const char sql_personal_data[] =
    "SELECT jsonb_build_object('reader', reader_json(r, true) || reader_birth(r, $2), "
    "'consents', reader_consents(r, $2) -> 'consents', "
    "'loans', (SELECT coalesce(jsonb_agg(loan_json(l) ORDER BY l.loaned_at), '[]') "
    "FROM loans l WHERE l.reader_id = r.id), 'exported_at', now()) "
    "FROM readers r WHERE r.id = $1::uuid AND r.school = $2";

/* readers.personal_data: 200 with {reader, consents, loans, exported_at};
 * 404 unless the reader is of the caller's school. Logs the export. */
ibc_rc readers_personal_data(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    const char *id;
    ibc_rc rc = ibc_req_id(ctx, req, "id", "reader", &id);
    if (rc == IBC_OK) rc = own_school_only(ctx);
    if (rc != IBC_OK) return rc;
    const char *p[] = {id, ctx->org};
    rc = ibc_db_json(ctx, reply, sql_personal_data, 2, p);
    if (rc == IBC_ENOTFOUND) ibc_fail(ctx, rc, "no reader of %s has id %s", ctx->org, id);
    if (rc == IBC_OK) {
        json_t *fields = audit_fields_of(json_object_get(*reply, "reader"));
        json_array_append_new(fields, json_string("consents"));
        json_array_append_new(fields, json_string("loans"));
        rc = audit_reader(ctx, "export", id, ctx->org, fields);
        json_decref(fields);
    }
    return rc;
}

/* Readers who left more than `days` days ago lose names, card and birth date
 * (the card becomes "anon-<id>"); a parent's name leaves their consents;
 * loans stay for the statistics. At most 1,000 a run, SKIP LOCKED. */
static const char sql_anonymise[] =
    "WITH r AS (SELECT id FROM readers WHERE status = 'left' AND anonymised_at IS NULL "
    "AND left_at < now() - make_interval(days => $1::int) ORDER BY left_at LIMIT 1000 "
    "FOR UPDATE SKIP LOCKED), "
    "c AS (UPDATE reader_consents SET given_by = NULL WHERE reader_id IN (SELECT id FROM r)), "
    "a AS (UPDATE readers x SET name = 'анонимизирован', card_barcode = 'anon-' || x.id, "
    "birth_date = NULL, anonymised_at = now(), version = x.version + 1, updated_at = now() "
    "FROM r WHERE x.id = r.id RETURNING x.id, x.school) "
    "SELECT coalesce(jsonb_agg(jsonb_build_object('id', a.id, 'school', a.school)), '[]') FROM a";

ibc_rc readers_anonymise_run(ibc_ctx *ctx, long days, long *n)
{
    char d[24];
    snprintf(d, sizeof d, "%ld", days);
    const char *p[] = {d};
    json_t *done = NULL;
    ibc_rc rc = ibc_db_json(ctx, &done, sql_anonymise, 1, p);
    size_t i;
    json_t *r;
    json_array_foreach(done, i, r)
    {
        if (rc != IBC_OK) break;
        rc = ibc_emit(ctx, "reader", "anonymised", json_string_value(json_object_get(r, "id")),
                      json_deep_copy(r));
    }
    json_t *fields =
        json_pack("[s, s, s, s]", "name", "card_barcode", "birth_date", "consents.given_by");
    if (rc == IBC_OK) rc = audit_readers(ctx, "anonymise", done, fields);
    json_decref(fields);
    *n = (long)json_array_size(done);
    json_decref(done);
    return rc;
}
