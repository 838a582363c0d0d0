/* NATS connection for services and the gateway: the first connect is retried
 * until the server is up, and a lost connection is re-established forever. */
#include "ibc/bus.h"

#include <string.h>
#include <unistd.h>

static void on_disconnected(natsConnection *nc, void *closure)
{
    (void)nc;
    ibc_log(IBC_LOG_WARN, NULL, "%s: NATS connection lost, reconnecting", (char *)closure);
}

static void on_reconnected(natsConnection *nc, void *closure)
{
    (void)nc;
    ibc_log(IBC_LOG_INFO, NULL, "%s: NATS connection re-established", (char *)closure);
}

/* Connects; blocks until connected (retries every 250 ms for ever). */
ibc_rc ibc_bus_connect(natsConnection **nc, const ibc_config *cfg, const char *name)
{
    /* nats.c spins 2000 times on a contended mutex before it sleeps: with a
     * thread per HTTP connection (gateway) or per worker on two cores, that
     * spinning was the gateway's largest CPU cost. Sleep at once instead.
     * Only the first call in a process takes effect. */
    nats_Open(0);
    natsOptions *opts = NULL;
    natsStatus s = natsOptions_Create(&opts);
    if (s == NATS_OK) s = natsOptions_SetURL(opts, cfg->nats_url);
    if (s == NATS_OK) s = natsOptions_SetName(opts, name);
    if (s == NATS_OK) s = natsOptions_SetMaxReconnect(opts, -1);
    if (s == NATS_OK) s = natsOptions_SetReconnectWait(opts, 250);
    if (s == NATS_OK) s = natsOptions_SetReconnectBufSize(opts, 64 * 1024 * 1024);
    if (s == NATS_OK) s = natsOptions_SetDisconnectedCB(opts, on_disconnected, (void *)name);
    if (s == NATS_OK) s = natsOptions_SetReconnectedCB(opts, on_reconnected, (void *)name);
    if (s != NATS_OK) {
        natsOptions_Destroy(opts);
        return IBC_EBUS;
    }
    for (int attempt = 0;; attempt++) {
        s = natsConnection_Connect(nc, opts);
        if (s == NATS_OK) break;
        if (attempt % 20 == 0)
            ibc_log(IBC_LOG_WARN, NULL, "waiting for NATS at %s: %s", cfg->nats_url,
                    natsStatus_GetText(s));
        usleep(250 * 1000);
    }
    natsOptions_Destroy(opts);
    return IBC_OK;
}

/* Creates the events stream when missing; IBC_EBUS when JetStream fails. */
ibc_rc ibc_bus_ensure_stream(natsConnection *nc)
{
    jsCtx *js = NULL;
    jsStreamInfo *si = NULL;
    jsErrCode jerr = 0;
    ibc_rc rc = IBC_OK;
    if (natsConnection_JetStream(&js, nc, NULL) != NATS_OK) return IBC_EBUS;
    natsStatus s = js_GetStreamInfo(&si, js, IBC_EVENTS_STREAM, NULL, &jerr);
    if (s == NATS_NOT_FOUND) {
        jsStreamConfig cfg;
        jsStreamConfig_Init(&cfg);
        const char *subjects[] = {"ibc.evt.>"};
        cfg.Name = IBC_EVENTS_STREAM;
        cfg.Subjects = subjects;
        cfg.SubjectsLen = 1;
        cfg.Storage = js_FileStorage;
        cfg.Duplicates = (int64_t)10 * 60 * 1000000000LL; /* dedup window: 10 min */
        s = js_AddStream(&si, js, &cfg, NULL, &jerr);
        /* a replica that started at the same moment may have created it */
        if (s != NATS_OK && jerr == JSStreamNameExistErr) s = NATS_OK;
    }
    if (s != NATS_OK) {
        ibc_log(IBC_LOG_ERROR, NULL, "cannot create stream %s: %s (%d)", IBC_EVENTS_STREAM,
                natsStatus_GetText(s), (int)jerr);
        rc = IBC_EBUS;
    }
    jsStreamInfo_Destroy(si);
    jsCtx_Destroy(js);
    return rc;
}
