/* One-line JSON logs on stderr: time, level, service, request id, message. */
#include "ibc/ibc.h"

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
