/* The catalog's SQL for OAI-PMH (see oai_store.h). The page statements run
 * unprepared (ibc_db_exec_planned): with the actual values the optional
 * filters drop out and the keyset condition becomes a range of the index
 * oai_records_harvest, so a page costs the same at the start of a million
 * records as at the end. */
#include "oai_store.h"

#include <stdio.h>
#include <string.h>

#define HEAD_COLUMNS                                                                               \
    "SELECT o.record_id::text,"                                                                    \
    " to_char(o.datestamp AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"                  \
    " (extract(epoch FROM o.datestamp) * 1000000)::bigint::text,"                                  \
    " o.deleted::text,"                                                                            \
    " array_to_string(CASE WHEN o.deleted THEN o.sets_ever ELSE o.sets END, ' ')"
/* the kept MARCXML when it is MARC21 and the record was not edited since;
 * else the record's JSON, from which MARC21 or Dublin Core is built */
#define META_COLUMNS                                                                               \
    ", CASE WHEN r.marc_version = r.version AND r.marc_format = 'marc21' AND $7::bool"             \
    "       THEN r.marcxml END,"                                                                   \
    " CASE WHEN r.id IS NULL OR (r.marc_version = r.version AND r.marc_format = 'marc21'"          \
    "       AND r.marcxml IS NOT NULL AND $7::bool) THEN NULL ELSE record_json(r)::text END"
#define PAGE_WHERE                                                                                 \
    " WHERE ($1::bigint IS NULL OR (o.datestamp, o.record_id) >"                                   \
    "        ('epoch'::timestamptz + $1::bigint * interval '1 microsecond', $2::uuid))"            \
    " AND ($3::bigint IS NULL OR o.datestamp >= to_timestamp($3::bigint))"                         \
    " AND ($4::bigint IS NULL OR o.datestamp < to_timestamp($4::bigint + 1))"                      \
    " AND ($5::text IS NULL OR"                                                                    \
    "      (CASE WHEN o.deleted THEN o.sets_ever ELSE o.sets END) @> ARRAY[$5::text])"             \
    " ORDER BY o.datestamp, o.record_id LIMIT $6::int"

static const char sql_page_heads[] = HEAD_COLUMNS " FROM oai_records o" PAGE_WHERE;
static const char sql_page_records[] = HEAD_COLUMNS META_COLUMNS
    " FROM oai_records o LEFT JOIN records r ON r.id = o.record_id AND NOT o.deleted" PAGE_WHERE;

PGresult *oai_store_page(ibc_ctx *ctx, const oai_cursor *c, bool with_metadata, int limit)
{
    char last[24], from[24], until[24], lim[16];
    bool started = c->last_id[0] != 0;
    snprintf(last, sizeof last, "%lld", c->last_us);
    snprintf(from, sizeof from, "%lld", c->from);
    snprintf(until, sizeof until, "%lld", c->until);
    snprintf(lim, sizeof lim, "%d", limit);
    const char *p[] = {started ? last : NULL,
                       started ? c->last_id : NULL,
                       c->from >= 0 ? from : NULL,
                       c->until >= 0 ? until : NULL,
                       c->set[0] ? c->set : NULL,
                       lim,
                       strcmp(c->prefix, "marc21") == 0 ? "true" : "false"};
    return with_metadata ? ibc_db_exec_planned(ctx, sql_page_records, 7, p)
                         : ibc_db_exec_planned(ctx, sql_page_heads, 6, p);
}

static const char sql_record[] = HEAD_COLUMNS
    ", CASE WHEN r.marc_version = r.version AND r.marc_format = 'marc21' AND $2::bool"
    "       THEN r.marcxml END,"
    " CASE WHEN r.id IS NULL OR (r.marc_version = r.version AND r.marc_format = 'marc21'"
    "       AND r.marcxml IS NOT NULL AND $2::bool) THEN NULL ELSE record_json(r)::text END"
    " FROM oai_records o LEFT JOIN records r ON r.id = o.record_id AND NOT o.deleted"
    " WHERE o.record_id = $1::uuid";

PGresult *oai_store_record(ibc_ctx *ctx, const char *id, const char *prefix)
{
    const char *p[] = {id, prefix && strcmp(prefix, "marc21") == 0 ? "true" : "false"};
    return ibc_db_exec(ctx, sql_record, 2, p);
}

static const char sql_earliest[] =
    "SELECT to_char(coalesce(min(datestamp), now()) AT TIME ZONE 'UTC',"
    " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM oai_records";

ibc_rc oai_store_earliest(ibc_ctx *ctx, char out[32])
{
    PGresult *r = ibc_db_exec(ctx, sql_earliest, 0, NULL);
    if (!r) return ctx->err;
    snprintf(out, 32, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    return IBC_OK;
}

/* a loose scan of the index items_school_id: one probe per school, however
 * many copies each has */
static const char sql_schools[] =
    "WITH RECURSIVE s AS ((SELECT school FROM items ORDER BY school LIMIT 1) UNION ALL"
    " SELECT (SELECT i.school FROM items i WHERE i.school > s.school ORDER BY i.school LIMIT 1)"
    " FROM s WHERE s.school IS NOT NULL) SELECT school FROM s WHERE school IS NOT NULL";

PGresult *oai_store_schools(ibc_ctx *ctx)
{
    return ibc_db_exec(ctx, sql_schools, 0, NULL);
}
