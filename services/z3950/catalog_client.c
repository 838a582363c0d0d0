/* records.find over the bus (see catalog_client.h). */
#include "catalog_client.h"

#include <ibc/bus.h>
#include <ibc/signing.h>
#include <ibc/envelope.h>
#include <stdio.h>
#include <string.h>
#include <ibc/random.h>

static natsConnection *nc;
static ibc_context_keys keys;
static int timeout_ms;

bool catalog_client_open(const ibc_config *cfg)
{
    char err[256];
    if (ibc_context_keys_init(&keys, cfg->context_key, cfg->context_key_previous, err,
                              sizeof err) != IBC_OK) {
        ibc_log(IBC_LOG_ERROR, NULL, "%s", err);
        return false;
    }
    timeout_ms = cfg->request_timeout_ms;
    return ibc_bus_connect(&nc, cfg, "z3950") == IBC_OK;
}

void catalog_client_close(void)
{
    if (nc) natsConnection_Destroy(nc);
    nc = NULL;
}

/* The signed request message; NULL when it cannot be built. */
static natsMsg *find_message(const json_t *body)
{
    char *payload = ibc_envelope_request(NULL, body), rid[37], when[24];
    if (!payload) return NULL;
    ibc_uuid_v4(rid);
    snprintf(when, sizeof when, "%lld", ibc_realtime_ms() + timeout_ms);
    natsMsg *m = NULL;
    natsStatus s =
        natsMsg_Create(&m, "ibc.rpc.catalog.records.find", NULL, payload, (int)strlen(payload));
    free(payload);
    if (s == NATS_OK) s = natsMsgHeader_Set(m, "Ibc-Request-Id", rid);
    if (s == NATS_OK) s = natsMsgHeader_Set(m, "Ibc-Org", "z3950");
    if (s == NATS_OK) s = natsMsgHeader_Set(m, "Ibc-Role", "portal");
    if (s == NATS_OK) s = natsMsgHeader_Set(m, "Ibc-Principal", "z3950");
    if (s == NATS_OK) s = natsMsgHeader_Set(m, "Ibc-Deadline", when);
    if (s == NATS_OK && ibc_context_sign(&keys, m) != IBC_OK) s = NATS_ERR;
    if (s != NATS_OK) {
        natsMsg_Destroy(m);
        return NULL;
    }
    return m;
}

/* Sends body (stolen) to records.find; as catalog_find. */
static cc_status find_call(json_t *body, json_t **reply, char *err, size_t errlen)
{
    *reply = NULL;
    natsMsg *m = body ? find_message(body) : NULL, *r = NULL;
    json_decref(body);
    natsStatus s = m ? natsConnection_RequestMsg(&r, nc, m, timeout_ms) : NATS_NO_MEMORY;
    natsMsg_Destroy(m);
    if (s != NATS_OK) {
        snprintf(err, errlen, "the catalog did not answer: %s", natsStatus_GetText(s));
        return CC_UNAVAILABLE;
    }
    json_t *env = json_loadb(natsMsg_GetData(r), (size_t)natsMsg_GetDataLength(r), 0, NULL);
    natsMsg_Destroy(r);
    int status = (int)json_integer_value(json_object_get(env, "status"));
    cc_status rc = CC_OK;
    if (status >= 200 && status < 300) {
        *reply = json_incref(json_object_get(env, "body"));
    } else {
        const char *d = json_string_value(json_object_get(json_object_get(env, "error"), "detail"));
        snprintf(err, errlen, "%s", d ? d : "the catalog sent a malformed reply");
        rc = status == 400 ? CC_INVALID : CC_UNAVAILABLE;
    }
    json_decref(env);
    return rc;
}

cc_status catalog_find(const json_t *query, long offset, long limit, const char *syntax,
                       const char *form, json_t **reply, char *err, size_t errlen)
{
    json_t *body = json_pack("{s:O, s:I, s:I, s:s}", "query", query, "offset", (json_int_t)offset,
                             "limit", (json_int_t)limit, "form", form);
    if (body && syntax) json_object_set_new(body, "syntax", json_string(syntax));
    return find_call(body, reply, err, errlen);
}

cc_status catalog_find_ids(const json_t *query, long limit, long exact, json_t **reply, char *err,
                           size_t errlen)
{
    json_t *body = json_pack("{s:O, s:I, s:b, s:I}", "query", query, "limit", (json_int_t)limit,
                             "ids_only", 1, "exact_up_to", (json_int_t)exact);
    return find_call(body, reply, err, errlen);
}

cc_status catalog_records(const json_t *ids, const char *syntax, const char *form, json_t **reply,
                          char *err, size_t errlen)
{
    json_t *body = json_pack("{s:O, s:s}", "ids", ids, "form", form);
    if (body && syntax) json_object_set_new(body, "syntax", json_string(syntax));
    return find_call(body, reply, err, errlen);
}
