/* README.md's table of knobs says the defaults the code has. For each row
 * whose default is one literal (`8`, `info`), the process settings are
 * loaded twice, once with nothing set and once with only that knob set to the
 * README's default: the two must be the same. The loaders say which names
 * they read, so a row of a knob neither loads is reported, not passed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../gateway/limits.h"

static const char *env_name, *env_value;
static bool env_read; /* the loader asked for env_name */

static const char *fake_getenv(const char *name)
{
    if (!env_name || strcmp(name, env_name) != 0) return NULL;
    env_read = true;
    return env_value;
}

static bool limits_equal(const gw_limits *a, const gw_limits *b)
{
    return a->per_address == b->per_address && a->header_timeout_s == b->header_timeout_s &&
           a->idle_timeout_s == b->idle_timeout_s && a->import_body == b->import_body &&
           a->in_flight == b->in_flight && memcmp(a->rate, b->rate, sizeof a->rate) == 0 &&
           memcmp(a->burst, b->burst, sizeof a->burst) == 0;
}

/* The settings with only name=value set (name NULL: nothing); *read: a loader
 * asked for name. */
static void load(const char *name, const char *value, ibc_config *cfg, gw_limits *lim, bool *read)
{
    char err[256] = "";
    env_name = name;
    env_value = value;
    env_read = false;
    if (ibc_config_load(cfg, "catalog", fake_getenv, err, sizeof err) != IBC_OK ||
        gw_limits_load(lim, fake_getenv, err, sizeof err) != IBC_OK)
        fail_msg("README's default of %s, '%s', is refused: %s", name, value, err);
    *read = env_read;
}

/* Checks one README row; returns 1 when the row was a checked knob. */
static int check_row(const char *line, const ibc_config *cfg0, const gw_limits *lim0)
{
    char name[64], value[128];
    int end = 0;
    if (sscanf(line, "| `%63[A-Z0-9_]` | `%127[^`]` |%n", name, value, &end) != 2 || !end) return 0;
    if (strchr(value, '<')) return 0; /* computed per process, e.g. <hostname>-<pid> */
    ibc_config cfg;
    gw_limits lim;
    bool read;
    load(name, value, &cfg, &lim, &read);
    if (!read) {
        print_message("README names %s with default '%s', but no loader reads it\n", name, value);
        return 0;
    }
    /* the instance id holds the pid: the same process, the same id */
    if (memcmp(&cfg, cfg0, sizeof cfg) != 0 || !limits_equal(&lim, lim0))
        fail_msg("README says %s defaults to '%s'; the code's default differs", name, value);
    return 1;
}

static void readme_defaults_are_the_code_defaults(void **state)
{
    (void)state;
    char path[4096];
    const char *src = __FILE__; /* <root>/tests/unit/test_gateway_knobs.c */
    const char *cut = strstr(src, "tests/unit/");
    assert_non_null(cut);
    snprintf(path, sizeof path, "%.*sREADME.md", (int)(cut - src), src);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    ibc_config cfg0;
    gw_limits lim0;
    bool read;
    load(NULL, NULL, &cfg0, &lim0, &read);
    char line[2048];
    int in_table = 0, checked = 0;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "| variable | default | meaning |", 32) == 0)
            in_table++;
        else if (in_table == 1 && line[0] != '|')
            in_table = line[0] == '\n' ? 2 : in_table;
        else if (in_table == 1)
            checked += check_row(line, &cfg0, &lim0);
    }
    fclose(f);
    print_message("%d knobs' defaults checked\n", checked);
    assert_true(checked >= 20);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(readme_defaults_are_the_code_defaults),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
