/* A bibliographic record as the API sends it, checked and flattened into the
 * columns of catalog.records. */
#ifndef CATALOG_RECORD_H
#define CATALOG_RECORD_H

#include <ibc/ibc.h>

/* Validates body and writes *flat: a new object keyed by column name, ISBN
 * normalised to 13 digits, textbook and eresource flattened. IBC_EINVAL with
 * a sentence in ctx for the first problem. */
ibc_rc record_normalize(ibc_ctx *ctx, const json_t *body, json_t **flat);

#endif
