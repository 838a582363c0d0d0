/* The catalog's SQL for OAI-PMH: pages of oai_records (migration 0020) in
 * (datestamp, record_id) order with what a record's metadata is made from,
 * one record, the earliest datestamp and the schools (sets). */
#ifndef CATALOG_OAI_STORE_H
#define CATALOG_OAI_STORE_H

#include "oai_token.h"
#include <ibc/ibc.h>

/* Columns of a page or record row. */
enum {
    OAI_COL_ID,        /* record id */
    OAI_COL_DATESTAMP, /* YYYY-MM-DDThh:mm:ssZ */
    OAI_COL_US,        /* the exact datestamp in microseconds since the epoch */
    OAI_COL_DELETED,   /* "t" or "f" */
    OAI_COL_SETS,      /* setSpecs joined by blanks */
    OAI_COL_MARCXML,   /* kept MARC21 MARCXML still current, or NULL (metadata rows only) */
    OAI_COL_JSON,      /* record_json() when the kept MARCXML is not used (metadata rows only) */
};

/* The page after c's position (or the first when c->last_us is 0 and
 * c->last_id empty), filtered by c's from, until and set; at most limit rows.
 * with_metadata adds OAI_COL_MARCXML/JSON (marc21: kept MARCXML when it is
 * MARC21 and current). NULL on failure (ctx holds the error). Caller PQclear()s. */
PGresult *oai_store_page(ibc_ctx *ctx, const oai_cursor *c, bool with_metadata, int limit);
/* One record by id, with its metadata columns; no row when unknown. */
PGresult *oai_store_record(ibc_ctx *ctx, const char *id, const char *prefix);
/* The earliest datestamp (YYYY-MM-DDThh:mm:ssZ) into out; now when empty. */
ibc_rc oai_store_earliest(ibc_ctx *ctx, char out[32]);
/* The schools holding (or having held) copies, one per row, in order. */
PGresult *oai_store_schools(ibc_ctx *ctx);

#endif
