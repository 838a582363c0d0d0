/* NATS connection for services and the gateway: the first connect is retried
 * until the server is up, and a lost connection is re-established forever. */
#include "ibc/bus.h"
#include "ibc/log.h"

#include <stdio.h>
#include <stdlib.h>
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

/* The user and password of the first of urls[0..n) that has them
 * (nats://user:password@host:port) on opts: nats.c uses them for a server
 * whose URL names none, so a list may give the credentials once
 * (docker-compose.yml adds the cluster's other nodes as bare addresses). */
static natsStatus set_user_info(natsOptions *opts, const char **urls, int n)
{
    for (int i = 0; i < n; i++) {
        const char *p = strstr(urls[i], "://");
        p = p ? p + 3 : urls[i];
        const char *at = strchr(p, '@');
        const char *colon = at ? memchr(p, ':', (size_t)(at - p)) : NULL;
        if (!colon) continue;
        char user[256], pass[256];
        snprintf(user, sizeof user, "%.*s", (int)(colon - p), p);
        snprintf(pass, sizeof pass, "%.*s", (int)(at - colon - 1), colon + 1);
        return natsOptions_SetUserInfo(opts, user, pass);
    }
    return NATS_OK;
}

/* The servers of cfg->nats_url on opts: a cluster's nodes are all in the
 * pool, tried in a random order at the first connect and on each reconnect. */
static natsStatus set_servers(natsOptions *opts, const ibc_config *cfg)
{
    char buf[sizeof cfg->nats_url];
    const char *urls[IBC_NATS_SERVERS_MAX];
    int n = ibc_config_nats_servers(cfg, buf, sizeof buf, urls, IBC_NATS_SERVERS_MAX);
    /* ibc_config_load refused a list without a server */
    if (n == 0) return NATS_INVALID_ARG;
    natsStatus s = natsOptions_SetServers(opts, urls, n);
    return s == NATS_OK ? set_user_info(opts, urls, n) : s;
}

/* Connects; blocks until connected (retries every 250 ms for ever). Replies
 * come to the private inbox prefix _INBOX_<name>: nats.conf lets only the
 * user `name` subscribe there, so no one else hears them. */
ibc_rc ibc_bus_connect(natsConnection **nc, const ibc_config *cfg, const char *name)
{
    /* nats.c spins 2000 times on a contended mutex before it sleeps: with a
     * thread per HTTP connection (gateway) or per worker on two cores, that
     * spinning was the gateway's largest CPU cost. Sleep at once instead.
     * Only the first call in a process takes effect. */
    nats_Open(0);
    char inbox[IBC_INBOX_PREFIX_MAX];
    ibc_bus_inbox_prefix(inbox, sizeof inbox, name);
    natsOptions *opts = NULL;
    natsStatus s = natsOptions_Create(&opts);
    if (s == NATS_OK) s = set_servers(opts, cfg);
    if (s == NATS_OK) s = natsOptions_SetName(opts, name);
    if (s == NATS_OK) s = natsOptions_SetCustomInboxPrefix(opts, inbox);
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
            ibc_log(IBC_LOG_WARN, NULL, "waiting for NATS as %s: %s", name, natsStatus_GetText(s));
        usleep(250 * 1000);
    }
    natsOptions_Destroy(opts);
    return IBC_OK;
}

void ibc_bus_inbox_prefix(char *out, size_t len, const char *name)
{
    snprintf(out, len, "_INBOX_%s", name);
}

/* A new inbox subject under the connection's private prefix, for a
 * subscription made by hand (natsInbox_Create knows only "_INBOX"). */
void ibc_bus_new_inbox(char *out, size_t len, const char *name)
{
    natsInbox *unique = NULL;
    char prefix[IBC_INBOX_PREFIX_MAX];
    ibc_bus_inbox_prefix(prefix, sizeof prefix, name);
    if (natsInbox_Create(&unique) == NATS_OK) {
        const char *tail = strchr(unique, '.'); /* "_INBOX.<nuid>": keep ".<nuid>" */
        snprintf(out, len, "%s%s", prefix, tail ? tail : ".x");
    } else {
        snprintf(out, len, "%s.%ld", prefix, random());
    }
    natsInbox_Destroy(unique);
}

/* Sets the limits and the replicas of cfg on a stream configuration: events
 * older than IBC_EVENTS_MAX_AGE_DAYS, or beyond IBC_EVENTS_MAX_BYTES, go
 * first; IBC_STREAM_REPLICAS copies on a cluster. Returns true when it
 * changed something. */
static bool apply_limits(jsStreamConfig *sc, const ibc_config *cfg)
{
    int64_t age = (int64_t)cfg->events_max_age_days * 86400 * 1000000000LL;
    int64_t bytes = (int64_t)cfg->events_max_bytes;
    bool changed =
        sc->MaxAge != age || sc->MaxBytes != bytes || sc->Replicas != (int64_t)cfg->stream_replicas;
    sc->MaxAge = age;
    sc->MaxBytes = bytes;
    sc->Replicas = cfg->stream_replicas;
    sc->Discard = js_DiscardOld;
    return changed;
}

/* Brings an existing stream's limits and replicas up to cfg. A replica
 * count the servers cannot hold (3 on one server) is logged and the stream
 * is left as it is: the events still flow, on fewer copies. */
static natsStatus update_limits(jsCtx *js, jsStreamInfo *si, const ibc_config *cfg, jsErrCode *jerr)
{
    if (!si || !si->Config) return NATS_OK;
    int64_t had = si->Config->Replicas;
    if (!apply_limits(si->Config, cfg)) return NATS_OK;
    jsStreamInfo *updated = NULL;
    natsStatus s = js_UpdateStream(&updated, js, si->Config, NULL, jerr);
    if (s == NATS_OK)
        ibc_log(IBC_LOG_INFO, NULL,
                "stream %s now keeps %d days, %ld bytes at most, on %d replicas", IBC_EVENTS_STREAM,
                cfg->events_max_age_days, cfg->events_max_bytes, cfg->stream_replicas);
    else if (had != cfg->stream_replicas) {
        ibc_log(IBC_LOG_ERROR, NULL,
                "stream %s has %d replicas, IBC_STREAM_REPLICAS asks %d, and NATS refused the "
                "change: %s (%d); it keeps %d",
                IBC_EVENTS_STREAM, (int)had, cfg->stream_replicas, natsStatus_GetText(s),
                (int)*jerr, (int)had);
        si->Config->Replicas = had; /* the limits alone */
        s = js_UpdateStream(&updated, js, si->Config, NULL, jerr);
    }
    jsStreamInfo_Destroy(updated);
    return s;
}

/* How many copies the stream's info reports: 1 + its followers once it has
 * a leader; 1 without cluster information (a single server). */
static int copies_of(const jsStreamInfo *si)
{
    return si->Cluster && si->Cluster->Leader ? 1 + si->Cluster->ReplicasLen : 1;
}

/* Logs an error when the stream holds fewer copies than IBC_STREAM_REPLICAS
 * asks: nats-server 2.9 alone records a count of 3 and keeps one copy. A
 * stream created a moment ago has no leader yet: asked again for up to 5 s. */
static void check_copies(jsCtx *js, const ibc_config *cfg)
{
    if (cfg->stream_replicas <= 1) return;
    int copies = 0;
    bool clustered = false;
    for (int i = 0; i < 5; i++) {
        jsStreamInfo *si = NULL;
        jsErrCode jerr = 0;
        if (i > 0) usleep(1000 * 1000);
        if (js_GetStreamInfo(&si, js, IBC_EVENTS_STREAM, NULL, &jerr) != NATS_OK) continue;
        copies = copies_of(si);
        clustered = si->Cluster && si->Cluster->Leader;
        jsStreamInfo_Destroy(si);
        if (copies >= cfg->stream_replicas) return;
    }
    ibc_log(IBC_LOG_ERROR, NULL,
            "stream %s: IBC_STREAM_REPLICAS asks %d copies, NATS keeps %d (%s)", IBC_EVENTS_STREAM,
            cfg->stream_replicas, copies,
            clustered ? "fewer nodes than copies" : "a single server, not a cluster");
}

/* Creates the events stream when missing, or updates its limits to cfg's;
 * IBC_EBUS when JetStream fails. */
ibc_rc ibc_bus_ensure_stream(natsConnection *nc, const ibc_config *cfg)
{
    jsCtx *js = NULL;
    jsStreamInfo *si = NULL;
    jsErrCode jerr = 0;
    ibc_rc rc = IBC_OK;
    if (natsConnection_JetStream(&js, nc, NULL) != NATS_OK) return IBC_EBUS;
    natsStatus s = js_GetStreamInfo(&si, js, IBC_EVENTS_STREAM, NULL, &jerr);
    if (s == NATS_NOT_FOUND) {
        jsStreamConfig sc;
        jsStreamConfig_Init(&sc);
        const char *subjects[] = {"ibc.evt.>"};
        sc.Name = IBC_EVENTS_STREAM;
        sc.Subjects = subjects;
        sc.SubjectsLen = 1;
        sc.Storage = js_FileStorage;
        sc.Duplicates = (int64_t)10 * 60 * 1000000000LL; /* dedup window: 10 min */
        apply_limits(&sc, cfg);
        s = js_AddStream(&si, js, &sc, NULL, &jerr);
        /* a replica that started at the same moment may have created it */
        if (s != NATS_OK && jerr == JSStreamNameExistErr) s = NATS_OK;
    } else if (s == NATS_OK) {
        s = update_limits(js, si, cfg, &jerr);
    }
    if (s == NATS_OK) check_copies(js, cfg);
    if (s != NATS_OK) {
        ibc_log(IBC_LOG_ERROR, NULL, "cannot create or update stream %s: %s (%d)",
                IBC_EVENTS_STREAM, natsStatus_GetText(s), (int)jerr);
        rc = IBC_EBUS;
    }
    jsStreamInfo_Destroy(si);
    jsCtx_Destroy(js);
    return rc;
}
