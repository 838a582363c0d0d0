/* Configuration from environment variables, with defaults that match the
 * ports `make up` uses. Pure: the unit tests pass their own getenv. */
#include "ibc/config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Default metrics port of each process, so that a local stack needs no setup. */
static int default_metrics_port(const char *service)
{
    static const struct {
        const char *name;
        int port;
    } ports[] = {{"gateway", 19100}, {"catalog", 19101},  {"circulation", 19102},
                 {"training", 19103}, {"grants", 19104}, {"monitoring", 19105}};
    for (size_t i = 0; i < IBC_LEN(ports); i++)
        if (service && strcmp(service, ports[i].name) == 0) return ports[i].port;
    return 0;
}

bool ibc_config_int(const char *s, long min, long max, long *out)
{
    /* strtol would also skip leading blanks and take a '+' */
    if (!s || !(*s == '-' || (*s >= '0' && *s <= '9'))) return false;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || v < min || v > max) return false;
    *out = v;
    return true;
}

static bool copy_str(char *dst, size_t dstlen, const char *v)
{
    size_t n = strlen(v);
    if (n >= dstlen) return false;
    memcpy(dst, v, n + 1);
    return true;
}

/* The defaults, before the environment is read. */
static void set_defaults(ibc_config *cfg, const char *service)
{
    memset(cfg, 0, sizeof *cfg);
    snprintf(cfg->nats_url, sizeof cfg->nats_url, "nats://127.0.0.1:14222");
    snprintf(cfg->pg_dsn, sizeof cfg->pg_dsn, "host=127.0.0.1 port=15432 dbname=ibc user=ibc");
    snprintf(cfg->migrations_dir, sizeof cfg->migrations_dir, "migrations");
    snprintf(cfg->log_level, sizeof cfg->log_level, "info");
    snprintf(cfg->bind_address, sizeof cfg->bind_address, "127.0.0.1");
    snprintf(cfg->admin_bind_address, sizeof cfg->admin_bind_address, "127.0.0.1");
    cfg->http_port = 18080;
    cfg->metrics_port = default_metrics_port(service);
    cfg->workers = 8;
    cfg->request_timeout_ms = 10000;
    cfg->attempt_timeout_ms = 1500;
    cfg->max_body = 1L << 20;
    cfg->max_connections = 1024;
    cfg->events_gather_ms = 20;
    cfg->idempotency_hours = 24;
    cfg->statement_timeout_ms = 5000;
    cfg->read_max_staleness_ms = 1000;
    cfg->inbox_days = 30;
    cfg->migrate = true;
    cfg->events_max_age_days = 30;
    cfg->events_max_bytes = 4L << 30;
    cfg->stream_replicas = 1;
    cfg->malloc_arenas = 2;
    cfg->malloc_trim_s = 30;

    char host[40] = "host";
    gethostname(host, sizeof host - 1);
    snprintf(cfg->instance_id, sizeof cfg->instance_id, "%.40s-%ld", host, (long)getpid());
}

/* Reads the string settings. */
static ibc_rc load_strings(ibc_config *cfg, ibc_getenv_fn get, char *err, size_t errlen)
{
    static const struct {
        const char *env;
        size_t off, len;
    } strs[] = {
        {"IBC_NATS_URL", offsetof(ibc_config, nats_url), sizeof cfg->nats_url},
        {"IBC_PG_DSN", offsetof(ibc_config, pg_dsn), sizeof cfg->pg_dsn},
        {"IBC_PG_READ_DSN", offsetof(ibc_config, pg_read_dsn), sizeof cfg->pg_read_dsn},
        {"IBC_MIGRATIONS_DIR", offsetof(ibc_config, migrations_dir), sizeof cfg->migrations_dir},
        {"IBC_LOG_LEVEL", offsetof(ibc_config, log_level), sizeof cfg->log_level},
        {"IBC_INSTANCE_ID", offsetof(ibc_config, instance_id), sizeof cfg->instance_id},
        {"IBC_BIND_ADDRESS", offsetof(ibc_config, bind_address), sizeof cfg->bind_address},
        {"IBC_ADMIN_BIND_ADDRESS", offsetof(ibc_config, admin_bind_address),
         sizeof cfg->admin_bind_address},
        {"IBC_CONTEXT_KEY", offsetof(ibc_config, context_key), sizeof cfg->context_key},
        {"IBC_CONTEXT_KEY_PREVIOUS", offsetof(ibc_config, context_key_previous),
         sizeof cfg->context_key_previous},
    };
    for (size_t i = 0; i < IBC_LEN(strs); i++) {
        const char *v = get(strs[i].env);
        if (v && !copy_str((char *)cfg + strs[i].off, strs[i].len, v)) {
            snprintf(err, errlen, "%s is longer than %zu characters", strs[i].env, strs[i].len - 1);
            return IBC_EINVAL;
        }
        /* an empty DSN means libpq's own defaults (PGHOST, ...), an empty
         * previous key that no rotation is under way, an empty read DSN that
         * there is no standby; nothing else may be empty */
        if (v && !*v && strs[i].off != offsetof(ibc_config, pg_dsn) &&
            strs[i].off != offsetof(ibc_config, pg_read_dsn) &&
            strs[i].off != offsetof(ibc_config, context_key_previous)) {
            snprintf(err, errlen, "%s is set but empty", strs[i].env);
            return IBC_EINVAL;
        }
    }
    return IBC_OK;
}

/* IBC_LOG_LEVEL must name a known level. */
static ibc_rc check_log_level(const ibc_config *cfg, char *err, size_t errlen)
{
    static const char *const levels[] = {"debug", "info", "warn", "error"};
    bool level_ok = false;
    for (size_t i = 0; i < IBC_LEN(levels); i++)
        level_ok |= strcmp(cfg->log_level, levels[i]) == 0;
    if (!level_ok) {
        snprintf(err, errlen, "IBC_LOG_LEVEL must be debug, info, warn or error, not '%s'",
                 cfg->log_level);
        return IBC_EINVAL;
    }
    return IBC_OK;
}

/* Reads the integer and boolean settings. */
static ibc_rc load_numbers(ibc_config *cfg, ibc_getenv_fn get, char *err, size_t errlen)
{
    static const struct {
        const char *env;
        long min, max;
        int kind; /* 0 int, 1 long, 2 bool */
        size_t off;
    } nums[] = {
        {"IBC_HTTP_PORT", 1, 65535, 0, offsetof(ibc_config, http_port)},
        {"IBC_METRICS_PORT", 0, 65535, 0, offsetof(ibc_config, metrics_port)},
        {"IBC_WORKERS", 1, 256, 0, offsetof(ibc_config, workers)},
        {"IBC_REQUEST_TIMEOUT_MS", 10, 600000, 0, offsetof(ibc_config, request_timeout_ms)},
        {"IBC_ATTEMPT_TIMEOUT_MS", 0, 600000, 0, offsetof(ibc_config, attempt_timeout_ms)},
        {"IBC_MAX_BODY", 1024, 1L << 30, 1, offsetof(ibc_config, max_body)},
        {"IBC_MAX_CONNECTIONS", 16, 65535, 0, offsetof(ibc_config, max_connections)},
        {"IBC_EVENTS_GATHER_MS", 0, 10000, 0, offsetof(ibc_config, events_gather_ms)},
        {"IBC_IDEMPOTENCY_HOURS", 1, 8760, 0, offsetof(ibc_config, idempotency_hours)},
        {"IBC_STATEMENT_TIMEOUT_MS", 0, 600000, 0, offsetof(ibc_config, statement_timeout_ms)},
        {"IBC_READ_MAX_STALENESS_MS", 100, 10000, 0, offsetof(ibc_config, read_max_staleness_ms)},
        {"IBC_INBOX_DAYS", 1, 3650, 0, offsetof(ibc_config, inbox_days)},
        {"IBC_MIGRATE", 0, 1, 2, offsetof(ibc_config, migrate)},
        {"IBC_EVENTS_MAX_AGE_DAYS", 1, 36500, 0, offsetof(ibc_config, events_max_age_days)},
        {"IBC_EVENTS_MAX_BYTES", 1L << 20, 1L << 50, 1, offsetof(ibc_config, events_max_bytes)},
        {"IBC_STREAM_REPLICAS", 1, 5, 0, offsetof(ibc_config, stream_replicas)},
        {"IBC_MALLOC_ARENAS", 0, 64, 0, offsetof(ibc_config, malloc_arenas)},
        {"IBC_MALLOC_TRIM_S", 0, 3600, 0, offsetof(ibc_config, malloc_trim_s)},
    };
    for (size_t i = 0; i < IBC_LEN(nums); i++) {
        const char *v = get(nums[i].env);
        if (!v) continue;
        long n;
        if (!ibc_config_int(v, nums[i].min, nums[i].max, &n)) {
            snprintf(err, errlen, "%s must be an integer from %ld to %ld, not '%.40s'", nums[i].env,
                     nums[i].min, nums[i].max, v);
            return IBC_EINVAL;
        }
        char *field = (char *)cfg + nums[i].off;
        if (nums[i].kind == 0)
            *(int *)field = (int)n;
        else if (nums[i].kind == 1)
            *(long *)field = n;
        else
            *(bool *)field = n != 0;
    }
    return IBC_OK;
}

/* Splits cfg->nats_url, a comma-separated list (copied into buf), into
 * out[] (pointers into buf), blanks around each URL dropped. Returns how many,
 * 0 when urls holds none or more than max. */
int ibc_config_nats_servers(const ibc_config *cfg, char *buf, size_t buflen, const char **out,
                            int max)
{
    const char *urls = cfg->nats_url;
    if (strlen(urls) >= buflen) return 0;
    memcpy(buf, urls, strlen(urls) + 1);
    int n = 0;
    char *save = NULL;
    for (char *u = strtok_r(buf, ",", &save); u; u = strtok_r(NULL, ",", &save)) {
        while (*u == ' ' || *u == '\t')
            u++;
        char *end = u + strlen(u);
        while (end > u && (end[-1] == ' ' || end[-1] == '\t'))
            *--end = 0;
        if (!*u) continue;
        if (n == max) return 0;
        out[n++] = u;
    }
    return n;
}

/* IBC_NATS_URL must name between 1 and IBC_NATS_SERVERS_MAX servers. */
static ibc_rc check_nats_url(const ibc_config *cfg, char *err, size_t errlen)
{
    char buf[sizeof cfg->nats_url];
    const char *urls[IBC_NATS_SERVERS_MAX];
    if (ibc_config_nats_servers(cfg, buf, sizeof buf, urls, IBC_NATS_SERVERS_MAX) > 0)
        return IBC_OK;
    snprintf(err, errlen, "IBC_NATS_URL must name 1 to %d servers separated by commas",
             IBC_NATS_SERVERS_MAX);
    return IBC_EINVAL;
}

/* Fills cfg; IBC_EINVAL and a sentence in err for a bad value. */
ibc_rc ibc_config_load(ibc_config *cfg, const char *service, ibc_getenv_fn get, char *err,
                       size_t errlen)
{
    if (!get) get = (ibc_getenv_fn)getenv;
    set_defaults(cfg, service);
    ibc_rc rc = load_strings(cfg, get, err, errlen);
    if (rc == IBC_OK) rc = check_log_level(cfg, err, errlen);
    if (rc == IBC_OK) rc = check_nats_url(cfg, err, errlen);
    if (rc == IBC_OK) rc = load_numbers(cfg, get, err, errlen);
    return rc;
}
