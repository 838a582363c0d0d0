/* The arguments of an OAI-PMH request, checked as the protocol says: the verb,
 * which arguments it takes and needs, the datestamps (day or second
 * granularity, UTC), the set, the format, the resumption token. Pure code. */
#ifndef CATALOG_OAI_ARGS_H
#define CATALOG_OAI_ARGS_H

#include "oai_token.h"
#include <jansson.h>

typedef enum {
    OAI_IDENTIFY,
    OAI_LIST_METADATA_FORMATS,
    OAI_LIST_SETS,
    OAI_GET_RECORD,
    OAI_LIST_IDENTIFIERS,
    OAI_LIST_RECORDS,
} oai_verb;

/* A checked request. Strings are borrowed from the params object. */
typedef struct {
    oai_verb verb;
    const char *verb_name;
    const char *identifier; /* GetRecord, ListMetadataFormats (may be NULL) */
    const char *prefix;     /* GetRecord; lists: also in cur.prefix */
    bool has_token;         /* a list continued from a resumption token */
    oai_cursor cur;         /* lists: the filter, and where the list stands */
} oai_request;

/* An OAI-PMH error: its code (badVerb, badArgument, ...) and a sentence. */
typedef struct {
    const char *code;
    char text[300];
} oai_error;

/* Checks params (an object of strings) against the protocol. On success
 * fills r and returns true; else false with e set. Tokens are verified with
 * keys at time now (seconds) and refused when older than ttl_s. The format
 * (metadataPrefix) is checked too: cannotDisseminateFormat. */
bool oai_args_parse(const json_t *params, const oai_token_keys *keys, long long now,
                    long long ttl_s, oai_request *r, oai_error *e);

/* Adds the name=value pairs of an application/x-www-form-urlencoded body
 * (n bytes) to params, percent-decoded; a pair that is not UTF-8 is dropped,
 * and a name given twice becomes an array (which oai_args_parse refuses as
 * badArgument). */
void oai_args_add_form(json_t *params, const char *form, size_t n);

/* Reads an OAI datestamp argument: "YYYY-MM-DD" (day) or
 * "YYYY-MM-DDThh:mm:ssZ" (second). An until day means its last second.
 * false when s is neither or names no real date. */
bool oai_parse_datestamp(const char *s, bool until, long long *out, bool *day);

/* True for the metadata formats the repository disseminates. */
bool oai_prefix_known(const char *prefix);

/* True when set names a set this repository has a hierarchy for:
 * "textbooks" or "school:<organisation id>". */
bool oai_set_in_hierarchy(const char *set);

#endif
