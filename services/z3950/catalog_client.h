/* The Z39.50/SRU server's one way into the catalog: records.find over NATS,
 * signed as the gateway signs (shared/src/context.c), as role portal of the
 * organisation "z3950". Thread-safe: one connection for every session. */
#ifndef Z3950_CATALOG_CLIENT_H
#define Z3950_CATALOG_CLIENT_H

#include <ibc/ibc.h>

/* Connects to NATS as user z3950 and loads the signing key; false with a
 * sentence logged when the configuration is wrong. Blocks until NATS is up. */
bool catalog_client_open(const ibc_config *cfg);
void catalog_client_close(void);

typedef enum { CC_OK, CC_INVALID, CC_UNAVAILABLE } cc_status;

/* Asks catalog.records.find for query (borrowed) and records offset..+limit in
 * syntax (NULL: no MARC) and form (what each record carries: iso2709,
 * marcxml, opac or dc; services/catalog/find.c). On CC_OK *reply is the body (new reference); on
 * CC_INVALID the catalog refused the query, on CC_UNAVAILABLE nobody answered
 * in time; a sentence in err either way. */
cc_status catalog_find(const json_t *query, long offset, long limit, const char *syntax,
                       const char *form, json_t **reply, char *err, size_t errlen);

/* The total and the ids of the first limit (up to 1000) matches of query,
 * in id order: *reply = {"total", "ids"[, "estimated"]}; the total of a lone
 * word or prefix is exact up to max(exact, limit) and estimated beyond it
 * ("estimated": true). As catalog_find otherwise. */
cc_status catalog_find_ids(const json_t *query, long limit, long exact, json_t **reply, char *err,
                           size_t errlen);

/* The records of ids (borrowed array, 1 to 100) in syntax (NULL: no MARC) and
 * form, in that order: *reply = {"records": [...]}, null for a record deleted or
 * blocked since. As catalog_find otherwise. */
cc_status catalog_records(const json_t *ids, const char *syntax, const char *form, json_t **reply,
                          char *err, size_t errlen);

#endif
