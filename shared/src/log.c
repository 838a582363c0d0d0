/* One-line JSON logs on stderr: time, level, service, request id, message. */
#include "ibc/log.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static char log_service[64] = "ibc";
static ibc_log_level log_min = IBC_LOG_INFO;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static const char *level_names[] = {"debug", "info", "warn", "error"};

/* Sets the service name and minimum level ("debug".."error"); never fails. */
void ibc_log_init(const char *service, const char *level)
{
    snprintf(log_service, sizeof log_service, "%s", service ? service : "ibc");
    for (int i = 0; level && i < 4; i++)
        if (strcmp(level, level_names[i]) == 0) log_min = (ibc_log_level)i;
}

/* Formats the message and writes one JSON object per line. */
void ibc_log(ibc_log_level lvl, const char *request_id, const char *fmt, ...)
{
    if (lvl < log_min) return;
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);

    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char when[96];
    snprintf(when, sizeof when, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);

    json_t *line = json_pack("{s:s, s:s, s:s, s:s}", "ts", when, "level", level_names[lvl],
                             "service", log_service, "msg", msg);
    if (!line) return;
    if (request_id) json_object_set_new(line, "request_id", json_string(request_id));
    char *text = json_dumps(line, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(line);
    if (!text) return;
    pthread_mutex_lock(&log_lock);
    fprintf(stderr, "%s\n", text);
    pthread_mutex_unlock(&log_lock);
    free(text);
}

double ibc_monotonic_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

void ibc_log_safe_url(const char *url, char *out, size_t outlen)
{
    if (!outlen) return;
    size_t n = 0;
    while (*url && n + 1 < outlen) {
        const char *scheme = strstr(url, "://");
        const char *end = url + strcspn(url, ",");
        if (!scheme || scheme > end)
            scheme = end;
        else
            scheme += 3;
        const char *host = scheme;
        const char *at = memchr(scheme, '@', (size_t)(end - scheme));
        if (at && !memchr(scheme, '/', (size_t)(at - scheme))) host = at + 1;
        n += (size_t)snprintf(out + n, outlen - n, "%.*s%s%.*s", (int)(scheme - url), url,
                              host != scheme ? "***@" : "", (int)(end - host), host);
        if (n >= outlen) n = outlen - 1;
        url = end;
        if (*url == ',' && n + 1 < outlen) out[n++] = *url++;
    }
    out[n] = 0;
}

void ibc_log_scrub(char *msg, const char *secret)
{
    size_t len = secret ? strlen(secret) : 0;
    if (!len) return;
    for (char *hit, *from = msg; (hit = strstr(from, secret)); from = hit) {
        /* "***" is never longer than a secret of three or more characters */
        size_t put = len < 3 ? len : 3;
        memset(hit, '*', put);
        memmove(hit + put, hit + len, strlen(hit + len) + 1);
        hit += put;
    }
}
