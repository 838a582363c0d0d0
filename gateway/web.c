/* Static files of the workstation, held in memory (see web.h). Pages are
 * revalidated on every load (Cache-Control: no-cache with an ETag of the
 * content), so that a new version is seen at once and an unchanged one costs
 * a 304 without a body. */
#include "web.h"

#include "routes.h"

#include <ibc/envelope.h>
#include <ibc/ibc.h>
#include <dirent.h>
#include <gnutls/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <ulfius.h>

#define WEB_MAX_FILES 128
#define WEB_MAX_FILE (4L << 20)

typedef struct {
    char name[64];
    char *data;
    size_t len;
    const char *type;
    char etag[24];
} web_file;

static web_file files[WEB_MAX_FILES];
static size_t nfiles;

/* The content type of a file name, or NULL when it is not served. */
static const char *type_of(const char *name)
{
    static const struct {
        const char *ext, *type;
    } types[] = {{".html", "text/html; charset=utf-8"},
                 {".js", "text/javascript; charset=utf-8"},
                 {".css", "text/css; charset=utf-8"},
                 {".svg", "image/svg+xml"},
                 {".png", "image/png"},
                 {".ico", "image/x-icon"},
                 {".txt", "text/plain; charset=utf-8"}};
    const char *dot = strrchr(name, '.');
    for (size_t i = 0; dot && i < IBC_LEN(types); i++)
        if (strcmp(dot, types[i].ext) == 0) return types[i].type;
    return NULL;
}

static bool name_ok(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n >= sizeof files[0].name || name[0] == '.') return false;
    for (const char *c = name; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '.' || *c == '-' ||
              *c == '_'))
            return false;
    return type_of(name) != NULL;
}

/* Reads path whole; caller frees; NULL when unreadable or too large. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    struct stat st;
    char *buf = NULL;
    if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size <= WEB_MAX_FILE &&
        (buf = malloc((size_t)st.st_size + 1)) &&
        fread(buf, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
        free(buf);
        buf = NULL;
    }
    if (buf) *len = (size_t)st.st_size;
    fclose(f);
    return buf;
}

int gw_web_load(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) {
        ibc_log(IBC_LOG_WARN, NULL, "web: cannot read %s (IBC_WEB_DIR): no pages are served", dir);
        return -1;
    }
    struct dirent *e;
    while ((e = readdir(d)) && nfiles < WEB_MAX_FILES) {
        if (!name_ok(e->d_name)) continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        web_file *f = &files[nfiles];
        if (!(f->data = slurp(path, &f->len))) continue;
        snprintf(f->name, sizeof f->name, "%s", e->d_name);
        f->type = type_of(f->name);
        unsigned char h[32];
        gnutls_hash_fast(GNUTLS_DIG_SHA256, f->data, f->len, h);
        snprintf(f->etag, sizeof f->etag, "\"%02x%02x%02x%02x%02x%02x%02x%02x\"", h[0], h[1], h[2],
                 h[3], h[4], h[5], h[6], h[7]);
        nfiles++;
    }
    closedir(d);
    ibc_log(IBC_LOG_INFO, NULL, "web: %zu files from %s", nfiles, dir);
    return (int)nfiles;
}

bool gw_web_path(const char *path)
{
    /* the first segment of every route (/api, /oai) belongs to the routes */
    size_t n = strcspn(path + (path[0] == '/'), "/") + (path[0] == '/');
    for (size_t i = 0; i < gw_nroutes; i++)
        if (strncmp(gw_routes[i].path, path, n) == 0 &&
            (gw_routes[i].path[n] == '/' || gw_routes[i].path[n] == 0))
            return false;
    return true;
}

void gw_web_security_headers(struct _u_response *resp)
{
    u_map_put(resp->map_header, "Content-Security-Policy",
              "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
              "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
              "frame-ancestors 'none'");
    u_map_put(resp->map_header, "X-Content-Type-Options", "nosniff");
    u_map_put(resp->map_header, "X-Frame-Options", "DENY");
    u_map_put(resp->map_header, "Referrer-Policy", "same-origin");
}

/* The file a path names exactly ("/" is index.html), or NULL. */
static const web_file *find(const char *path)
{
    if (strcmp(path, "/") == 0) path = "/index.html";
    for (size_t i = 0; i < nfiles; i++)
        if (path[0] == '/' && strcmp(path + 1, files[i].name) == 0) return &files[i];
    return NULL;
}

/* A problem+json answer, as every other path of the gateway gives. */
static void refuse(struct _u_response *resp, ibc_rc rc, const char *detail)
{
    int status = ibc_rc_status(rc);
    json_t *p = ibc_problem(status, ibc_rc_type(rc), ibc_rc_title(rc), detail);
    char *text = json_dumps(p, JSON_COMPACT);
    json_decref(p);
    ulfius_set_string_body_response(resp, status, text ? text : "{}");
    free(text);
    u_map_put(resp->map_header, "Content-Type", "application/problem+json");
}

void gw_web_serve(const struct _u_request *req, struct _u_response *resp)
{
    gw_web_security_headers(resp);
    if (strcmp(req->http_verb, "GET") != 0 && strcmp(req->http_verb, "HEAD") != 0) {
        u_map_put(resp->map_header, "Allow", "GET, HEAD");
        refuse(resp, IBC_ENOTALLOWED, "a page is only read: GET or HEAD");
        return;
    }
    const web_file *f = find(req->url_path);
    if (!f) {
        refuse(resp, IBC_ENOTFOUND, "no such page");
        return;
    }
    u_map_put(resp->map_header, "Cache-Control", "no-cache");
    u_map_put(resp->map_header, "ETag", f->etag);
    const char *inm = u_map_get_case(req->map_header, "If-None-Match");
    if (inm && strstr(inm, f->etag)) {
        resp->status = 304;
        return;
    }
    ulfius_set_binary_body_response(resp, 200, f->data, f->len);
    u_map_put(resp->map_header, "Content-Type", f->type);
}
