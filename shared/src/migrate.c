/* The migration runner: applies migrations/common/ and migrations/<schema>/
 * SQL files once each, in name order, each in its own transaction, recorded in
 * <schema>.schema_migrations, under an advisory lock so that replicas starting
 * together do not race. */
#include "ibc/migrate.h"
#include "ibc/log.h"

#include <stdbool.h>

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIGRATE_LOCK_KEY 7311220001LL

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Lists *.sql in dir sorted; *out is a malloc'd array of malloc'd names. */
static int list_sql(const char *dir, char ***out)
{
    *out = NULL;
    DIR *d = opendir(dir);
    if (!d) return 0;
    int n = 0, cap = 0;
    char **names = NULL;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".sql")) continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            names = realloc(names, cap * sizeof *names);
        }
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_names);
    *out = names;
    return n;
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc(len + 1);
    if (s && fread(s, 1, len, f) != (size_t)len) {
        free(s);
        s = NULL;
    }
    if (s) s[len] = 0;
    fclose(f);
    return s;
}

static bool exec_ok(PGconn *db, const char *sql, char *err, size_t errlen)
{
    PGresult *r = PQexec(db, sql);
    ExecStatusType st = PQresultStatus(r);
    bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
    if (!ok) snprintf(err, errlen, "%s", PQresultErrorMessage(r));
    PQclear(r);
    return ok;
}

/* Applies one file unless recorded; false with err on failure. */
static bool apply(PGconn *db, const char *schema, const char *dir, const char *version_prefix,
                  const char *name, char *err, size_t errlen)
{
    char version[512], path[1024];
    snprintf(version, sizeof version, "%s%s", version_prefix, name);
    snprintf(path, sizeof path, "%s/%s", dir, name);

    char sql[256];
    snprintf(sql, sizeof sql, "SELECT 1 FROM %s.schema_migrations WHERE version = $1", schema);
    const char *p[] = {version};
    PGresult *r = PQexecParams(db, sql, 1, NULL, p, NULL, NULL, 0);
    bool done = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0;
    PQclear(r);
    if (done) return true;

    char *text = read_file(path);
    if (!text) {
        snprintf(err, errlen, "cannot read %s", path);
        return false;
    }
    char set[160];
    snprintf(set, sizeof set, "BEGIN; SET LOCAL search_path = %s, public;", schema);
    bool ok = exec_ok(db, set, err, errlen) && exec_ok(db, text, err, errlen);
    free(text);
    if (ok) {
        snprintf(sql, sizeof sql, "INSERT INTO %s.schema_migrations(version) VALUES ($1)", schema);
        r = PQexecParams(db, sql, 1, NULL, p, NULL, NULL, 0);
        ok = PQresultStatus(r) == PGRES_COMMAND_OK;
        if (!ok) snprintf(err, errlen, "%s", PQresultErrorMessage(r));
        PQclear(r);
    }
    if (ok) ok = exec_ok(db, "COMMIT", err, errlen);
    if (!ok) {
        char keep[512];
        snprintf(keep, sizeof keep, "%s: %s", version, err);
        snprintf(err, errlen, "%s", keep);
        PGresult *rb = PQexec(db, "ROLLBACK");
        PQclear(rb);
        return false;
    }
    ibc_log(IBC_LOG_INFO, NULL, "migration %s applied to schema %s", version, schema);
    return true;
}

/* True when the query (one parameter) returns a row. */
static bool exists(PGconn *db, const char *sql, const char *param)
{
    const char *p[] = {param};
    PGresult *r = PQexecParams(db, sql, 1, NULL, p, NULL, NULL, 0);
    bool yes = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0;
    PQclear(r);
    return yes;
}

/* Creates the schema and its schema_migrations when missing. Each is created
 * only when absent, since CREATE ... IF NOT EXISTS checks the privilege
 * first: the schema's owner role (deploy/pg-roles.sql) has no CREATE on the
 * database, and the admin has created the schema for it. */
static bool ensure_ledger(PGconn *db, const char *schema, char *err, size_t errlen)
{
    char sql[512];
    snprintf(sql, sizeof sql, "CREATE SCHEMA %s", schema);
    if (!exists(db, "SELECT 1 FROM pg_namespace WHERE nspname = $1", schema) &&
        !exec_ok(db, sql, err, errlen))
        return false;
    char table[160];
    snprintf(table, sizeof table, "%s.schema_migrations", schema);
    snprintf(sql, sizeof sql,
             "CREATE TABLE %s(version text PRIMARY KEY, applied_at timestamptz NOT NULL "
             "DEFAULT now())",
             table);
    return exists(db, "SELECT 1 WHERE to_regclass($1) IS NOT NULL", table) ||
           exec_ok(db, sql, err, errlen);
}

/* Applies pending migrations of schema; IBC_EDB with err on failure. */
ibc_rc ibc_migrate(PGconn *db, const char *schema, const char *root, char *err, size_t errlen)
{
    for (const char *c = schema; *c; c++)
        if (!(islower((unsigned char)*c) || *c == '_')) {
            snprintf(err, errlen, "schema name '%s' must be lowercase letters", schema);
            return IBC_EINVAL;
        }
    char sql[512];
    snprintf(sql, sizeof sql, "SELECT pg_advisory_lock(%lld)", MIGRATE_LOCK_KEY);
    if (!exec_ok(db, sql, err, errlen)) return IBC_EDB;

    ibc_rc rc = ensure_ledger(db, schema, err, errlen) ? IBC_OK : IBC_EDB;

    const char *subdirs[] = {"common", schema};
    const char *prefixes[] = {"common/", ""};
    for (int k = 0; k < 2 && rc == IBC_OK; k++) {
        char dir[1024];
        snprintf(dir, sizeof dir, "%s/%s", root, subdirs[k]);
        char **names;
        int n = list_sql(dir, &names);
        for (int i = 0; i < n; i++) {
            if (rc == IBC_OK && !apply(db, schema, dir, prefixes[k], names[i], err, errlen))
                rc = IBC_EDB;
            free(names[i]);
        }
        free(names);
    }
    snprintf(sql, sizeof sql, "SELECT pg_advisory_unlock(%lld)", MIGRATE_LOCK_KEY);
    char ignore[256];
    exec_ok(db, sql, ignore, sizeof ignore);
    return rc;
}
