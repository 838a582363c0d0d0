/* Writing OAI-PMH XML into a streamed reply: text escaped for XML 1.0 (the
 * characters XML cannot carry are dropped), and the Dublin Core of a record. */
#ifndef CATALOG_OAI_XML_H
#define CATALOG_OAI_XML_H

#include <ibc/ibc.h>

/* A streamed reply being written; rc keeps the first failure, after which
 * every write is a no-op. */
typedef struct {
    ibc_ctx *ctx;
    ibc_rc rc;
} oai_out;

void oai_put(oai_out *o, const char *s);
void oai_put_n(oai_out *o, const char *s, size_t n);
/* s escaped as element content or attribute value. */
void oai_put_text(oai_out *o, const char *s);
/* <name>escaped text</name>, nothing when text is NULL or empty. */
void oai_put_element(oai_out *o, const char *name, const char *text);
/* The oai_dc:dc element of a record given as record_json(). */
void oai_put_dc(oai_out *o, const json_t *rec);

#endif
