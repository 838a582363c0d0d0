/* The web workstation's static files (gateway/web/): read once at start into
 * memory and served by exact name, so that no request path ever reaches the
 * file system (no traversal by "..", "%2e%2e" or an encoded slash). */
#ifndef GW_WEB_H
#define GW_WEB_H

#include <stdbool.h>

struct _u_request;
struct _u_response;

/* Loads the regular files of dir whose names are [a-z0-9._-] with a known
 * extension. Returns how many, or -1 when dir cannot be read (logged; the
 * gateway then answers 404 for every page). Call once, before serving. */
int gw_web_load(const char *dir);
/* true when path is no route's (/api/..., /oai): a page or an asset. */
bool gw_web_path(const char *path);
/* Answers a request for a page or an asset into resp: 200 with its content
 * type and security headers, 304 for a matching If-None-Match, 404, or 405
 * for a method other than GET and HEAD. */
void gw_web_serve(const struct _u_request *req, struct _u_response *resp);
/* The headers every page carries (CSP without inline script, no framing,
 * nosniff), added to resp. */
void gw_web_security_headers(struct _u_response *resp);

#endif
