/* The OAI-PMH 2.0 provider of the union catalog: the action behind the
 * gateway's public /oai (see docs/oai-pmh.md). */
#ifndef CATALOG_OAI_H
#define CATALOG_OAI_H

#include <ibc/ibc.h>

/* oai.request: params are the protocol's arguments (GET query or a POST
 * form body). Always answers 200 text/xml, streamed: the verb's response or
 * an OAI-PMH error; 503 only when the database is not available. */
ibc_rc oai_respond(ibc_ctx *ctx, const json_t *req, json_t **reply);

/* Reads the OAI-PMH settings (IBC_OAI_*) now; false with a sentence naming
 * the variable when one is malformed (the catalog then does not start). */
bool oai_config_check(char *err, size_t errlen);

#endif
