/* libFuzzer target: the gateway's route matcher and path decoder
 * (gateway/routes.c) over the real routes table: any method and path. A
 * match has the method asked for, and every captured parameter is a string
 * (percent-decoded when that gives UTF-8). The input is the path; it is
 * matched for every method. */
#include "routes.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void match(const char *method, const char *path)
{
    json_t *params = json_object();
    bool known = false;
    char allow[64];
    const gw_route *r =
        gw_route_match(gw_routes, gw_nroutes, method, path, params, &known, allow, sizeof allow);
    if (r && (strcmp(r->method, method) != 0 || !known)) __builtin_trap();
    const char *k;
    json_t *v;
    json_object_foreach(params, k, v) if (!json_is_string(v)) __builtin_trap();
    if (!r && json_object_size(params)) __builtin_trap();
    json_decref(params);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const methods[] = {"GET", "POST", "PUT", "DELETE", "PATCH"};
    if (size > 8192) return 0;
    char *path = malloc(size + 1);
    memcpy(path, data, size);
    path[size] = 0;
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
        match(methods[i], path);
    gw_role_bit(path);
    free(path);
    return 0;
}
