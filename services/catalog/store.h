/* The catalog's SQL. Every function runs on ctx->db, inside the caller's
 * transaction, and returns JSON built by PostgreSQL. */
#ifndef CATALOG_STORE_H
#define CATALOG_STORE_H

#include <ibc/ibc.h>

/* Id of a record that already has this ISBN (locks the ISBN for the rest of
 * the transaction so that two creates cannot both pass), or "" in id[37]. */
ibc_rc store_isbn_owner(ibc_ctx *ctx, const char *isbn, const char *except_id, char id[37]);
/* Inserts a flat record; *out is the stored record. */
ibc_rc store_record_insert(ibc_ctx *ctx, const json_t *flat, json_t **out);
ibc_rc store_record_get(ibc_ctx *ctx, const char *id, json_t **out);
/* Replaces the record when its version is `version`; IBC_EPRECOND when it is
 * not, IBC_ENOTFOUND when there is no such record. */
ibc_rc store_record_update(ibc_ctx *ctx, const char *id, long version, const json_t *flat,
                           json_t **out);
/* Deletes; *out is the record as it was. */
ibc_rc store_record_delete(ibc_ctx *ctx, const char *id, json_t **out);

#endif
