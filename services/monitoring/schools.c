/* The directory of schools and their library passports: validate, call the
 * store, emit, answer. A school's id is its organisation id; a librarian
 * sees and edits only their own school, methodologists and admins every one. */
#include "monitoring.h"
#include "store.h"

#include <ibc/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const kinds[] = {"school", "lyceum", "gymnasium", "resource_centre", NULL};
static const char *const levels[] = {"none", "pilot", "base_site", "ibc", NULL};

/* Checks students {"1": n, ..., "11": n} and sets out.students to an array
 * of 11 integers (0 for a grade not given). */
static ibc_rc normalize_students(ibc_ctx *ctx, const json_t *students, json_t *out)
{
    long counts[11] = {0};
    if (students) {
        const char *key;
        json_t *v;
        json_object_foreach((json_t *)students, key, v)
        {
            char *end = NULL;
            long g = strtol(key, &end, 10);
            if (!*key || *end || g < 1 || g > 11)
                return ibc_fail(ctx, IBC_EINVAL,
                                "'students' is keyed by grade \"1\" to \"11\", not '%.20s'", key);
            if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 5000)
                return ibc_fail(ctx, IBC_EINVAL, "'students.%s' must be an integer from 0 to 5000",
                                key);
            counts[g - 1] = (long)json_integer_value(v);
        }
    }
    json_t *arr = json_array();
    for (int g = 0; g < 11; g++)
        json_array_append_new(arr, json_integer(counts[g]));
    json_object_set_new(out, "students", arr);
    return IBC_OK;
}

/* Validates a school body; *out is a new object {id, name, district, kind,
 * students[11]}. path_id (may be NULL) must equal a body id when both are given. */
static ibc_rc school_body(ibc_ctx *ctx, const json_t *body, const char *path_id, json_t **out)
{
    static const char *const readonly[] = {"students_total",   "ibc_level", "level_reached_on",
                                           "passport_version", "version",   "created_at",
                                           "updated_at",       NULL};
    const ibc_field fields[] = {
        {"id", IBC_F_STR, path_id == NULL, 1, 64},
        {"name", IBC_F_STR, true, 1, 500},
        {"district", IBC_F_STR, false, 1, 200},
        {"kind", IBC_F_ENUM, true, 0, 0, kinds},
        {"students", IBC_F_OBJ, false},
    };
    *out = json_object();
    ibc_rc rc = ibc_validate(ctx, body, fields, IBC_LEN(fields), "", readonly, *out);
    const char *id = json_string_value(json_object_get(*out, "id"));
    if (rc == IBC_OK && id && !ibc_org_valid(id))
        rc = ibc_fail(ctx, IBC_EINVAL,
                      "'id' must be the school's organisation id (1 to 64 of A-Z a-z 0-9 . _ -), "
                      "not '%.70s'",
                      id);
    if (rc == IBC_OK && id && path_id && strcmp(id, path_id) != 0)
        rc = ibc_fail(ctx, IBC_EINVAL, "'id' '%s' in the body is not the school '%s' of the path",
                      id, path_id);
    if (rc == IBC_OK && path_id) json_object_set_new(*out, "id", json_string(path_id));
    if (rc == IBC_OK) rc = normalize_students(ctx, json_object_get(*out, "students"), *out);
    if (rc == IBC_OK && !json_object_get(*out, "district"))
        json_object_set_new(*out, "district", json_null());
    if (rc != IBC_OK) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

/* schools.list: ?district=&kind=&level=&limit=&offset=. 200 {"items",
 * "total", "limit", "offset"}; a librarian gets their own school only. */
ibc_rc schools_list(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    const char *school, *kind, *level;
    ibc_page page;
    ibc_rc rc = mon_school_scope(ctx, req, &school);
    if (rc == IBC_OK) rc = ibc_req_enum(ctx, req, "kind", kinds, &kind);
    if (rc == IBC_OK) rc = ibc_req_enum(ctx, req, "level", levels, &level);
    if (rc == IBC_OK) rc = ibc_req_page(ctx, req, MON_PAGE_DEFAULT, MON_PAGE_MAX, &page);
    if (rc == IBC_OK)
        rc = store_school_list(ctx, school, ibc_param(req, "district"), kind, level, &page, reply);
    return rc;
}

/* schools.create: body = school. 201 with the school; 409 when the id is in
 * the directory. Methodologist or admin. Emits monitoring.school.created. */
ibc_rc schools_create(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    json_t *body = NULL;
    ibc_rc rc = mon_may_run_network(ctx, "add schools to the directory");
    if (rc == IBC_OK) rc = school_body(ctx, ibc_body(req), NULL, &body);
    if (rc == IBC_OK) rc = store_school_insert(ctx, body, reply);
    if (rc == IBC_OK) {
        const char *id = json_string_value(json_object_get(*reply, "id"));
        rc = ibc_emit(ctx, "school", "created", id, json_deep_copy(*reply));
        ibc_created(ctx, "/api/v1/monitoring/schools/%s", id);
        ibc_set_etag_of(ctx, *reply, "version");
    }
    json_decref(body);
    return rc;
}

/* schools.get: 200 with the school and its current ИБЦ level; 404 unknown. */
ibc_rc schools_get(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    const char *id;
    ibc_rc rc = mon_school_param(ctx, req, "id", &id);
    if (rc == IBC_OK) rc = mon_may_school(ctx, id, false);
    if (rc == IBC_OK) rc = store_school_get(ctx, id, reply);
    if (rc == IBC_OK) ibc_set_etag_of(ctx, *reply, "version");
    return rc;
}

/* schools.update: replaces name, district, kind and students (optional
 * If-Match: 412 when stale). The school's librarian or the network.
 * Emits monitoring.school.updated. */
ibc_rc schools_update(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    const char *id;
    long version;
    json_t *body = NULL;
    ibc_rc rc = mon_school_param(ctx, req, "id", &id);
    if (rc == IBC_OK) rc = mon_may_school(ctx, id, true);
    if (rc == IBC_OK) rc = ibc_if_match(ctx, false, &version);
    if (rc == IBC_OK) rc = school_body(ctx, ibc_body(req), id, &body);
    if (rc == IBC_OK) rc = store_school_update(ctx, id, body, version, reply);
    if (rc == IBC_OK) {
        rc = ibc_emit(ctx, "school", "updated", id, json_deep_copy(*reply));
        ibc_set_etag_of(ctx, *reply, "version");
    }
    json_decref(body);
    return rc;
}

/* passports.get: ?as_of=YYYY-MM-DD. 200 with the current passport (or the
 * one in force at the end of as_of); 404 when there is none. */
ibc_rc passports_get(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    const char *id, *as_of;
    ibc_rc rc = mon_school_param(ctx, req, "id", &id);
    if (rc == IBC_OK) rc = mon_may_school(ctx, id, false);
    if (rc == IBC_OK) rc = ibc_req_date(ctx, req, "as_of", &as_of);
    if (rc == IBC_OK) rc = store_passport_get(ctx, id, as_of, reply);
    if (rc == IBC_OK) ibc_set_etag_of(ctx, *reply, "version");
    return rc;
}

static bool date_in_future(const char *date)
{
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    char today[16];
    strftime(today, sizeof today, "%Y-%m-%d", &tm);
    return strcmp(date, today) > 0;
}

/* Validates a passport body; *out gets every field (null when not given). */
static ibc_rc passport_body(ibc_ctx *ctx, const json_t *body, json_t **out)
{
    static const char *const readonly[] = {"school",      "version", "recorded_at",
                                           "recorded_by", "changed", NULL};
    const ibc_field fields[] = {
        {"area_m2", IBC_F_NUM, false, 0, 100000},
        {"reading_room_seats", IBC_F_INT, false, 0, 10000},
        {"computers", IBC_F_INT, false, 0, 10000},
        {"terminals", IBC_F_INT, false, 0, 10000},
        {"printers", IBC_F_INT, false, 0, 1000},
        {"scanners", IBC_F_INT, false, 0, 1000},
        {"projector", IBC_F_BOOL, false},
        {"internet_mbps", IBC_F_NUM, false, 0, 100000},
        {"media_equipment", IBC_F_STRARR, false, 0, 100, NULL, 200},
        {"staff_count", IBC_F_INT, false, 0, 1000},
        {"ibc_level", IBC_F_ENUM, false, 0, 0, levels},
        {"level_reached_on", IBC_F_DATE, false},
        {"note", IBC_F_STR, false, 1, 2000},
    };
    *out = json_object();
    ibc_rc rc = ibc_validate(ctx, body, fields, IBC_LEN(fields), "", readonly, *out);
    if (rc == IBC_OK) {
        if (!json_object_get(*out, "ibc_level"))
            json_object_set_new(*out, "ibc_level", json_string("none"));
        const char *level = json_string_value(json_object_get(*out, "ibc_level"));
        const char *reached = json_string_value(json_object_get(*out, "level_reached_on"));
        bool none = strcmp(level, "none") == 0;
        if (!none && !reached)
            rc = ibc_fail(ctx, IBC_EINVAL,
                          "'level_reached_on' is required with 'ibc_level' '%s': the date the "
                          "library reached it",
                          level);
        else if (none && reached)
            rc = ibc_fail(ctx, IBC_EINVAL,
                          "'level_reached_on' must be absent when 'ibc_level' is 'none'");
        else if (reached && date_in_future(reached))
            rc = ibc_fail(ctx, IBC_EINVAL,
                          "'level_reached_on' %s is in the future; record a level once reached",
                          reached);
    }
    if (rc == IBC_OK) {
        for (size_t i = 0; i < IBC_LEN(fields); i++)
            if (!json_object_get(*out, fields[i].name))
                json_object_set_new(*out, fields[i].name,
                                    fields[i].kind == IBC_F_STRARR ? json_array() : json_null());
    } else {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

/* passports.update: the whole passport; each change becomes a new dated
 * version (201 for the first, 200 after); a body equal to the current
 * passport adds nothing and answers it. Optional If-Match on the version.
 * The school's librarian or the network. Emits monitoring.passport.updated. */
ibc_rc passports_update(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    const char *id;
    long version, same = 0;
    json_t *body = NULL, *current = NULL;
    ibc_rc rc = mon_school_param(ctx, req, "id", &id);
    if (rc == IBC_OK) rc = mon_may_school(ctx, id, true);
    if (rc == IBC_OK) rc = ibc_if_match(ctx, false, &version);
    if (rc == IBC_OK) rc = passport_body(ctx, ibc_body(req), &body);
    if (rc == IBC_OK) rc = store_school_lock(ctx, id);
    if (rc != IBC_OK) goto done;
    rc = store_passport_get(ctx, id, NULL, &current);
    if (rc == IBC_ENOTFOUND) {
        ctx->err = IBC_OK;
        ctx->err_detail[0] = 0;
        rc = IBC_OK;
    }
    if (rc != IBC_OK) goto done;
    long current_version =
        current ? (long)json_integer_value(json_object_get(current, "version")) : 0;
    if (version > 0 && version != current_version) {
        rc = ibc_fail(ctx, IBC_EPRECOND,
                      "the passport changed: its version is %ld, If-Match named %ld; read it "
                      "again",
                      current_version, version);
        goto done;
    }
    if (current) rc = store_passport_unchanged(ctx, id, body, &same);
    if (rc != IBC_OK) goto done;
    if (same) {
        *reply = json_incref(current);
    } else {
        rc = store_passport_insert(ctx, id, body, reply);
        if (rc != IBC_OK) goto done;
        json_t *data = json_deep_copy(*reply);
        json_object_del(data, "recorded_by");
        json_object_del(data, "note");
        rc = ibc_emit(ctx, "passport", "updated", id, data);
        if (!current) ibc_created(ctx, NULL); /* at the school's own path */
    }
    if (rc == IBC_OK) ibc_set_etag_of(ctx, *reply, "version");
done:
    json_decref(body);
    json_decref(current);
    return rc;
}

/* passports.history: 200 {"school", "versions": [newest first]}; each
 * version lists the fields it changed. 404 for an unknown school. */
ibc_rc passports_history(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    const char *id;
    ibc_rc rc = mon_school_param(ctx, req, "id", &id);
    if (rc == IBC_OK) rc = mon_may_school(ctx, id, false);
    if (rc == IBC_OK) rc = store_passport_history(ctx, id, reply);
    return rc;
}
