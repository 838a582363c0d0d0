/* Remote targets and ZOOM searches of copy cataloguing (see copy_client.h). */
#include "copy_client.h"

#include <ibc/ibc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaz/zoom.h>

#define MAX_TARGETS 64

static copy_target targets[MAX_TARGETS];
static int ntargets;
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* Reads one target; false (logged) when a member is missing or wrong. */
static bool read_target(const json_t *o, copy_target *t)
{
    const char *name, *host, *db, *syntax = "marc21", *charset = "utf-8";
    json_int_t port = 210;
    json_error_t e;
    if (json_unpack_ex((json_t *)o, &e, JSON_STRICT, "{s:s, s:s, s?:I, s:s, s?:s, s?:s}", "name",
                       &name, "host", &host, "port", &port, "database", &db, "syntax", &syntax,
                       "charset", &charset) != 0) {
        ibc_log(IBC_LOG_ERROR, NULL, "IBC_COPY_TARGETS: a target is wrong: %s", e.text);
        return false;
    }
    bool ok =
        port > 0 && port < 65536 && strlen(name) < sizeof t->name &&
        strlen(host) < sizeof t->host && strlen(db) < sizeof t->database &&
        (!strcmp(syntax, "marc21") || !strcmp(syntax, "rusmarc")) &&
        (!strcmp(charset, "utf-8") || !strcmp(charset, "cp1251") || !strcmp(charset, "marc-8"));
    if (!ok) {
        ibc_log(IBC_LOG_ERROR, NULL,
                "IBC_COPY_TARGETS: target %.60s: port 1-65535, syntax marc21 or rusmarc, "
                "charset utf-8, cp1251 or marc-8",
                name);
        return false;
    }
    snprintf(t->name, sizeof t->name, "%s", name);
    snprintf(t->host, sizeof t->host, "%s", host);
    snprintf(t->database, sizeof t->database, "%s", db);
    snprintf(t->syntax, sizeof t->syntax, "%s", syntax);
    snprintf(t->charset, sizeof t->charset, "%s", charset);
    t->port = (int)port;
    return true;
}

static void load(void)
{
    const char *path = getenv("IBC_COPY_TARGETS");
    if (!path || !*path) return;
    json_error_t e;
    json_t *list = json_load_file(path, 0, &e);
    if (!json_is_array(list)) {
        ibc_log(IBC_LOG_ERROR, NULL, "IBC_COPY_TARGETS: %s is not a JSON array of targets: %s",
                path, e.text);
        json_decref(list);
        return;
    }
    size_t i;
    json_t *o;
    json_array_foreach(list, i, o)
    {
        if (ntargets < MAX_TARGETS && read_target(o, &targets[ntargets])) ntargets++;
    }
    json_decref(list);
}

const copy_target *copy_target_find(const char *name)
{
    pthread_once(&once, load);
    for (int i = 0; i < ntargets; i++)
        if (strcmp(targets[i].name, name) == 0) return &targets[i];
    return NULL;
}

void copy_target_names(char *out, size_t len)
{
    pthread_once(&once, load);
    size_t n = 0;
    out[0] = 0;
    for (int i = 0; i < ntargets && n < len; i++)
        n += (size_t)snprintf(out + n, len - n, "%s%s", i ? ", " : "", targets[i].name);
}

/* The PQF of query: itself when it is PQF, else its words as Bib-1 "any". */
static char *pqf_of(const char *query)
{
    if (query[0] == '@') return strdup(query);
    size_t n = strlen(query);
    char *out = malloc(2 * n + 32), *o = out;
    if (!out) return NULL;
    o += sprintf(o, "@attr 1=1016 \"");
    for (const char *q = query; *q; q++) {
        if (*q == '"' || *q == '\\') *o++ = '\\';
        *o++ = *q;
    }
    strcpy(o, "\"");
    return out;
}

/* Maps a ZOOM error to a status with a sentence naming the target. */
static copy_status zoom_status(ZOOM_connection c, const copy_target *t, char *err, size_t errlen)
{
    const char *msg = NULL, *info = NULL;
    int code = ZOOM_connection_error(c, &msg, &info);
    snprintf(err, errlen, "target %s (%s:%d): %s%s%.200s", t->name, t->host, t->port,
             msg ? msg : "error", info && *info ? ": " : "", info ? info : "");
    if (code == ZOOM_ERROR_TIMEOUT) return COPY_TIMEOUT;
    if (code == ZOOM_ERROR_INVALID_QUERY) return COPY_BAD_QUERY;
    if (code >= 10000) return COPY_UNREACHABLE; /* connect, connection lost, decode... */
    return COPY_REFUSED;                        /* a diagnostic of the target */
}

copy_status copy_fetch(const copy_target *t, const char *query, int limit, int timeout_s,
                       long *total, copy_raw *raws, int *n, char *err, size_t errlen)
{
    char addr[300], tmo[16];
    snprintf(addr, sizeof addr, "tcp:%s:%d", t->host, t->port);
    snprintf(tmo, sizeof tmo, "%d", timeout_s < 1 ? 1 : timeout_s);
    *total = 0;
    *n = 0;
    char *pqf = pqf_of(query);
    if (!pqf) return snprintf(err, errlen, "out of memory"), COPY_UNREACHABLE;
    ZOOM_options o = ZOOM_options_create();
    ZOOM_options_set(o, "databaseName", t->database);
    ZOOM_options_set(o, "timeout", tmo);
    ZOOM_options_set(o, "preferredRecordSyntax",
                     strcmp(t->syntax, "rusmarc") ? "usmarc" : "unimarc");
    ZOOM_connection c = ZOOM_connection_create(o);
    ZOOM_connection_connect(c, addr, 0);
    copy_status st = COPY_OK;
    ZOOM_resultset r = NULL;
    if (ZOOM_connection_error(c, NULL, NULL)) st = zoom_status(c, t, err, errlen);
    if (st == COPY_OK) {
        r = ZOOM_connection_search_pqf(c, pqf);
        if (ZOOM_connection_error(c, NULL, NULL)) st = zoom_status(c, t, err, errlen);
    }
    if (st == COPY_OK) {
        *total = (long)ZOOM_resultset_size(r);
        int want = *total < limit ? (int)*total : limit;
        for (int i = 0; i < want && st == COPY_OK; i++) {
            ZOOM_record rec = ZOOM_resultset_record(r, (size_t)i);
            if (ZOOM_connection_error(c, NULL, NULL)) st = zoom_status(c, t, err, errlen);
            int len = 0;
            const char *raw = rec && st == COPY_OK ? ZOOM_record_get(rec, "raw", &len) : NULL;
            raws[i].data = NULL, raws[i].len = 0;
            if (raw && len > 0 && (raws[i].data = malloc((size_t)len))) {
                memcpy(raws[i].data, raw, (size_t)len);
                raws[i].len = (size_t)len;
            }
            *n = i + 1;
        }
    }
    ZOOM_resultset_destroy(r);
    ZOOM_connection_destroy(c);
    ZOOM_options_destroy(o);
    free(pqf);
    if (st != COPY_OK) {
        for (int i = 0; i < *n; i++)
            free(raws[i].data);
        *n = 0;
    }
    return st;
}
