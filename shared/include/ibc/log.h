/* Logging: one JSON line per event on stderr, with the service name and the
 * request id; helpers that keep secrets out of the log. */
#ifndef IBC_LOG_H
#define IBC_LOG_H

#include <stddef.h>

typedef enum { IBC_LOG_DEBUG, IBC_LOG_INFO, IBC_LOG_WARN, IBC_LOG_ERROR } ibc_log_level;
/* Sets the service name written on every line and the minimum level. */
/* Seconds on the monotonic clock: for timing and deadlines, never for dates. */
double ibc_monotonic_s(void);
void ibc_log_init(const char *service, const char *level);
/* Writes one JSON line to stderr; request_id may be NULL. */
void ibc_log(ibc_log_level lvl, const char *request_id, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Copies url (a NATS URL or a comma-separated list of them) into out with
 * each "user:password@" replaced by "***@", so that it can be logged.
 * Truncates to outlen; never fails. */
void ibc_log_safe_url(const char *url, char *out, size_t outlen);
/* Replaces every occurrence of secret in msg (in place) with "***"; nothing
 * when secret is NULL or empty. */
void ibc_log_scrub(char *msg, const char *secret);

#endif
