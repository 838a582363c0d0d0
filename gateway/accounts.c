/* Staff accounts, managed by the admin: create with a first password, list,
 * and change name, org, role, password, disabled, or unlock. People have the
 * roles of people (admin, methodologist, librarian); machines use API keys. */
#include "session.h"

#include <ibc/envelope.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool login_valid(const char *s)
{
    size_t n = strlen(s);
    if (n < 2 || n > 64) return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '.' || *s == '-' ||
              *s == '_'))
            return false;
    return true;
}

static bool person_role(const char *role)
{
    return strcmp(role, "admin") == 0 || strcmp(role, "methodologist") == 0 ||
           strcmp(role, "librarian") == 0;
}

/* Checks the fields an account may be given; IBC_EINVAL naming the bad one. */
static ibc_rc check_fields(const char *login, const char *org, const char *role, const char *name,
                           char *err, size_t errlen)
{
    if (login && !login_valid(login))
        snprintf(err, errlen, "'login' must be 2 to 64 of a-z, 0-9, '.', '-', '_'");
    else if (org && !gw_org_valid(org))
        snprintf(err, errlen,
                 "'org' must be 1 to 64 letters, digits, '-', '_' or '.' (an organisation id)");
    else if (role && !person_role(role))
        snprintf(err, errlen,
                 "'role' of a person must be admin, methodologist or librarian "
                 "(portals and integrators use API keys)");
    else if (name && (strlen(name) > 200 || !ibc_utf8_valid(name, strlen(name))))
        snprintf(err, errlen, "'name' must be at most 200 characters");
    else
        return IBC_OK;
    return IBC_EINVAL;
}

ibc_rc gw_accounts_create(PGconn *db, const json_t *body, json_t **out, char *err, size_t errlen)
{
    const char *login = NULL, *org = NULL, *role = NULL, *name = "", *password = NULL;
    json_error_t jerr;
    if (!json_is_object(body) ||
        json_unpack_ex((json_t *)body, &jerr, JSON_STRICT, "{s:s, s:s, s:s, s:s, s?:s}", "login",
                       &login, "org", &org, "role", &role, "password", &password, "name",
                       &name) != 0) {
        snprintf(err, errlen, "%s",
                 json_is_object(body) ? jerr.text : "the body must be a JSON object");
        return IBC_EINVAL;
    }
    ibc_rc rc = check_fields(login, org, role, name, err, errlen);
    char hash[128];
    if (rc == IBC_OK) rc = gw_password_hash(password, hash, err, errlen);
    if (rc != IBC_OK) return rc;
    const char *p[] = {login, org, role, name, hash};
    rc = gw_json_row(db,
                     "WITH a AS (INSERT INTO accounts(login, org, role, name, password_hash) "
                     "VALUES ($1, $2, $3, $4, $5) RETURNING *) SELECT " GW_ACCOUNT_JSON
                     "::text FROM a",
                     5, p, out);
    if (rc == IBC_ECONFLICT) snprintf(err, errlen, "the login '%s' is taken", login);
    return rc;
}

ibc_rc gw_accounts_list(PGconn *db, const json_t *params, json_t **out, char *err, size_t errlen)
{
    char l[24], o[24];
    if (gw_page(params, l, o, err, errlen) != IBC_OK) return IBC_EINVAL;
    const char *p[] = {l, o};
    return gw_json_row(
        db,
        "SELECT json_build_object('items', coalesce((SELECT json_agg(" GW_ACCOUNT_JSON
        " ORDER BY a.login) FROM (SELECT * FROM accounts ORDER BY login "
        "LIMIT $1::int OFFSET $2::int) a), '[]'), 'total', "
        "(SELECT count(*) FROM accounts), 'limit', $1::int, 'offset', $2::int)::text",
        2, p, out);
}

ibc_rc gw_accounts_update(PGconn *db, const char *id, const json_t *body, json_t **out, char *err,
                          size_t errlen)
{
    const char *org = NULL, *role = NULL, *name = NULL, *password = NULL;
    int disabled = -1, unlock = 0;
    json_error_t jerr;
    if (!json_is_object(body) ||
        json_unpack_ex((json_t *)body, &jerr, JSON_STRICT, "{s?:s, s?:s, s?:s, s?:s, s?:b, s?:b}",
                       "org", &org, "role", &role, "name", &name, "password", &password, "disabled",
                       &disabled, "unlock", &unlock) != 0) {
        snprintf(err, errlen, "%s",
                 json_is_object(body) ? jerr.text : "the body must be a JSON object");
        return IBC_EINVAL;
    }
    ibc_rc rc = check_fields(NULL, org, role, name, err, errlen);
    char hash[128] = "";
    if (rc == IBC_OK && password) rc = gw_password_hash(password, hash, err, errlen);
    if (rc != IBC_OK) return rc;
    const char *dis = disabled < 0 ? NULL : disabled ? "t" : "f";
    const char *p[] = {id, org, role, name, password ? hash : NULL, dis, unlock ? "t" : "f"};
    /* a disabled account, a new role or org, or a new password ends its sessions */
    rc = gw_json_row(
        db,
        "WITH a AS (UPDATE accounts SET org = coalesce($2, org), role = coalesce($3, role), "
        "name = coalesce($4, name), password_hash = coalesce($5, password_hash), "
        "disabled_at = CASE WHEN $6::bool THEN coalesce(disabled_at, now()) "
        "WHEN NOT $6::bool THEN NULL ELSE disabled_at END, "
        "locked_until = CASE WHEN $7::bool THEN NULL ELSE locked_until END, "
        "failed_logins = CASE WHEN $7::bool THEN 0 ELSE failed_logins END "
        "WHERE id::text = $1 RETURNING *), "
        "f AS (DELETE FROM login_failures WHERE $7::bool AND account_id = (SELECT id FROM a)), "
        "d AS (DELETE FROM sessions WHERE account_id = (SELECT id FROM a) AND "
        "($2 IS NOT NULL OR $3 IS NOT NULL OR $5 IS NOT NULL OR $6::bool)) "
        "SELECT " GW_ACCOUNT_JSON "::text FROM a",
        7, p, out);
    if (rc == IBC_ENOTFOUND) snprintf(err, errlen, "no account has id '%.64s'", id);
    return rc;
}
