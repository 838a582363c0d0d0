/* The route matcher (pure) and the role names. The table itself lives in
 * routes_table.c so that a new capability is one row there. */
#include "routes.h"

#include <stdio.h>
#include <string.h>

unsigned gw_role_bit(const char *role)
{
    static const struct {
        const char *name;
        unsigned bit;
    } roles[] = {{"admin", ROLE_ADMIN},
                 {"methodologist", ROLE_METHODOLOGIST},
                 {"librarian", ROLE_LIBRARIAN},
                 {"portal", ROLE_PORTAL},
                 {"integrator", ROLE_INTEGRATOR},
                 {"anonymous", ROLE_ANONYMOUS}};
    for (size_t i = 0; role && i < sizeof roles / sizeof roles[0]; i++)
        if (strcmp(role, roles[i].name) == 0) return roles[i].bit;
    return 0;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* A captured segment, percent-decoded ("Пушкин%20А" is "Пушкин А"). When the
 * decoded bytes are not UTF-8 (or a %-escape is broken) the raw segment is
 * kept, so that the service names exactly what the client sent. New reference. */
static json_t *decode_segment(const char *s, size_t len)
{
    char buf[1024];
    size_t o = 0;
    bool ok = len < sizeof buf;
    for (size_t i = 0; ok && i < len; i++) {
        if (s[i] != '%') {
            buf[o++] = s[i];
            continue;
        }
        int hi = i + 2 < len ? hexval(s[i + 1]) : -1;
        int lo = i + 2 < len ? hexval(s[i + 2]) : -1;
        if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) ok = false; /* broken, or a NUL */
        else buf[o++] = (char)(hi * 16 + lo), i += 2;
    }
    json_t *v = ok ? json_stringn(buf, o) : NULL; /* NULL when not UTF-8 */
    return v ? v : json_stringn(s, len);
}

/* Matches path against pattern segment by segment; captures into params when
 * params is not NULL. A trailing slash on the path is ignored. */
static bool match_path(const char *pattern, const char *path, json_t *params)
{
    const char *p = pattern, *s = path;
    while (*p && *s) {
        if (*p != '/' || *s != '/') return false;
        p++, s++;
        const char *pe = strchr(p, '/'), *se = strchr(s, '/');
        size_t plen = pe ? (size_t)(pe - p) : strlen(p);
        size_t slen = se ? (size_t)(se - s) : strlen(s);
        if (plen > 2 && p[0] == '{' && p[plen - 1] == '}') {
            if (slen == 0) return false;
            if (params) {
                char name[64];
                size_t nlen = plen - 2 < sizeof name - 1 ? plen - 2 : sizeof name - 1;
                memcpy(name, p + 1, nlen);
                name[nlen] = 0;
                json_object_set_new(params, name, decode_segment(s, slen));
            }
        } else if (plen != slen || memcmp(p, s, plen) != 0) {
            return false;
        }
        p += plen, s += slen;
    }
    if (*s == '/' && s[1] == 0) s++;
    return *p == 0 && *s == 0;
}

/* Number of literal (non-parameter) segments of a pattern: a literal beats a
 * parameter, so /records/export wins over /records/{id}. */
static int literal_segments(const char *pattern)
{
    int n = 0;
    for (const char *p = pattern; (p = strchr(p, '/')); p++)
        if (p[1] != '{') n++;
    return n;
}

const gw_route *gw_route_match(const gw_route *routes, size_t n, const char *method,
                               const char *path, json_t *params, bool *path_known, char *allow,
                               size_t allowlen)
{
    *path_known = false;
    if (allow && allowlen) allow[0] = 0;
    const gw_route *best = NULL;
    int best_score = -1;
    for (size_t i = 0; i < n; i++) {
        if (!match_path(routes[i].path, path, NULL)) continue;
        if (strcmp(routes[i].method, method) == 0) {
            int score = literal_segments(routes[i].path);
            if (score > best_score) best = &routes[i], best_score = score;
            continue;
        }
        *path_known = true;
        if (allow && !strstr(allow, routes[i].method)) {
            size_t len = strlen(allow);
            snprintf(allow + len, allowlen - len, "%s%s", len ? ", " : "", routes[i].method);
        }
    }
    if (best) {
        *path_known = true;
        match_path(best->path, path, params);
    }
    return best;
}
