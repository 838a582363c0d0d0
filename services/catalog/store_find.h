/* Fielded search for the Z39.50/SRU server (records.find): a query tree
 * compiled into one parameterised statement. The tree is JSON:
 *   {"op": "and"|"or"|"not", "args": [left, right]}   ("not": left AND NOT right)
 *   {"index": "title"|"author"|"subject"|"any"|"isbn"|"year"|"bbk"|"udk",
 *    "term": "...", "trunc": "none"|"right"|"left"|"both", "rel": "lt"|"le"|"eq"|"ge"|"gt"}
 * Terms travel as parameters only; the SQL text is made of fixed pieces. */
#ifndef CATALOG_STORE_FIND_H
#define CATALOG_STORE_FIND_H

#include <ibc/ibc.h>

#define FIND_MAX_TERMS 32 /* terms in one query */
#define FIND_MAX_DEPTH 24 /* nesting of and/or/not */
#define FIND_MAX_TERM 256 /* characters of one term */

/* Runs query (borrowed): *out = {"total": n, "records": [{"id", "kept",
 * "json", "own", "holdings", "dc"}]} for the records offset..offset+limit in
 * the order of their ids; "kept" is the MARCXML kept at import when it is
 * still the record's and in syntax ("marc21"/"rusmarc", NULL: no MARC
 * wanted), else "json" is the record's JSON; "holdings" (when parts holds
 * 'h') the schools' copies, "dc" (when parts holds 'd') the Dublin Core
 * elements, null otherwise. With ids_only {"total", "ids": [...]} instead,
 * the page's ids only; for a lone word or prefix (find_page, catalog/0075)
 * the total is exact up to max(exact_up_to, offset + limit) and estimated
 * beyond, with "estimated": true. IBC_EINVAL naming what is wrong with the
 * tree. */
ibc_rc store_find(ibc_ctx *ctx, const json_t *query, long offset, long limit, const char *syntax,
                  const char *parts, bool ids_only, long exact_up_to, json_t **out);

/* The records of ids (a PostgreSQL uuid[] literal, "{a,b}") in that order:
 * *out = {"records": [...]} as store_find's, null for a record deleted or
 * blocked since. */
ibc_rc store_find_ids(ibc_ctx *ctx, const char *ids, const char *syntax, const char *parts,
                      json_t **out);

#endif
