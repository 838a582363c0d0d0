/* Z39.50 RPN queries (Bib-1) and SRU's CQL turned into the catalog's query
 * tree (services/catalog/store_find.h). Pure code: no bus, no socket; what
 * cannot be searched becomes a Bib-1 diagnostic (the frontend server maps it
 * to SRU's for SRU requests). */
#ifndef Z3950_ZQUERY_H
#define Z3950_ZQUERY_H

#include <jansson.h>
#include <yaz/z-core.h>

#define ZQ_MAX_TERMS 32 /* as the catalog: FIND_MAX_TERMS */
#define ZQ_MAX_DEPTH 24
#define ZQ_MAX_TERM 256 /* bytes of one term */
#define ZQ_MAX_CQL 8192 /* bytes of a CQL query */

/* Bib-1 use attributes: the standard ones, and the classification ones that
 * Russian targets (RUSLAN profile, IRBIS64, MARC-SQL) use: UDC is Bib-1's own
 * Classification-UDC (14); BBK has no Bib-1 value of its own and is searched
 * as Classification-local (20). */
enum {
    ZQ_USE_AUTHOR_PERSONAL = 1,
    ZQ_USE_TITLE = 4,
    ZQ_USE_ISBN = 7,
    ZQ_USE_UDK = 14,
    ZQ_USE_BBK = 20,
    ZQ_USE_SUBJECT = 21,
    ZQ_USE_DATE = 31,
    ZQ_USE_AUTHOR = 1003,
    ZQ_USE_ANY = 1016,
    ZQ_USE_ANYWHERE = 1035,
};

typedef struct {
    int code;          /* Bib-1 diagnostic, 0 when none */
    char addinfo[160]; /* what was refused, for the client */
} zq_diag;

/* The tree of an RPN query (new reference), or NULL with d set. */
json_t *zq_from_rpn(const Z_RPNQuery *q, zq_diag *d);

/* The tree of a CQL query (UTF-8, NUL-terminated), or NULL with d set. */
json_t *zq_from_cql(const char *cql, zq_diag *d);

#endif
