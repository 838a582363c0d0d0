/* Copy cataloguing's side of Z39.50: the configured remote targets
 * (IBC_COPY_TARGETS, a JSON file) and a search that fetches the first records
 * as ISO 2709 with ZOOM (libyaz). No database. */
#ifndef CATALOG_COPY_CLIENT_H
#define CATALOG_COPY_CLIENT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct {
    char name[64], host[256], database[128];
    int port;
    char syntax[16];  /* "marc21" or "rusmarc" */
    char charset[16]; /* "utf-8", "cp1251" or "marc-8" */
} copy_target;

/* The target called name, or NULL. The list is read once from the file named
 * by IBC_COPY_TARGETS ([{"name", "host", "port", "database", "syntax",
 * "charset"}]); a bad file is logged and gives no targets. */
const copy_target *copy_target_find(const char *name);
/* The configured names, comma-separated, into out ("" when none). */
void copy_target_names(char *out, size_t len);

typedef enum {
    COPY_OK,
    COPY_BAD_QUERY,   /* the query could not be parsed (400) */
    COPY_REFUSED,     /* the target answered with a diagnostic (422) */
    COPY_UNREACHABLE, /* no connection (503) */
    COPY_TIMEOUT,     /* no answer in time (504) */
} copy_status;

/* One fetched record: its ISO 2709 bytes as the target sent them (malloc'd;
 * NULL when the target sent none for this position). */
typedef struct {
    char *data;
    size_t len;
} copy_raw;

/* Searches t for query (PQF when it starts with '@', else words searched as
 * Bib-1 "any") and fetches up to limit records in t's syntax, waiting
 * timeout_s seconds at most per step. *total = hits; raws[0..*n) the records
 * (caller frees each data). A sentence in err unless COPY_OK. */
copy_status copy_fetch(const copy_target *t, const char *query, int limit, int timeout_s,
                       long *total, copy_raw *raws, int *n, char *err, size_t errlen);

#endif
