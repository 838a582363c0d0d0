/* Checked staff and course bodies (see body.h). */
#include "body.h"
#include <ibc/request.h>

#include <ibc/json.h>
#include <stdio.h>
#include <string.h>

static const char *const staff_readonly[] = {"id", "version", "created_at", "updated_at", NULL};

/* Sets a JSON null for each listed column that out lacks. */
static void fill_nulls(json_t *out, const char *const *columns)
{
    for (const char *const *c = columns; *c; c++)
        if (!json_object_get(out, *c)) json_object_set_new(out, *c, json_null());
}

ibc_rc staff_normalize(ibc_ctx *ctx, const json_t *body, const char *default_school, json_t **flat)
{
    static const ibc_field fields[] = {
        {"full_name", IBC_F_STR, true, 1, 300}, {"position", IBC_F_STR, false, 1, 200},
        {"school", IBC_F_STR, false, 1, 64},    {"hired_on", IBC_F_DATE, false},
        {"left_on", IBC_F_DATE, false},
    };
    static const char *const optional[] = {"position", "hired_on", "left_on", NULL};
    json_t *out = json_object();
    ibc_rc rc = ibc_validate(ctx, body, fields, IBC_LEN(fields), "", staff_readonly, out);
    if (rc != IBC_OK) goto done;
    const char *school = json_string_value(json_object_get(out, "school"));
    if (!school) {
        school = default_school;
        if (!school || !ibc_org_valid(school)) {
            rc = ibc_fail(ctx, IBC_EINVAL, "'school' is required: name the staff member's school");
            goto done;
        }
        json_object_set_new(out, "school", json_string(school));
    } else if (!ibc_org_valid(school)) {
        rc = ibc_fail(ctx, IBC_EINVAL,
                      "'school' must be an organisation id (letters, digits, '.', '_', '-'), "
                      "not '%.64s'",
                      school);
        goto done;
    }
    const char *hired = json_string_value(json_object_get(out, "hired_on"));
    const char *left = json_string_value(json_object_get(out, "left_on"));
    if (hired && left && strcmp(left, hired) < 0) {
        rc = ibc_fail(ctx, IBC_EINVAL, "'left_on' (%s) is before 'hired_on' (%s)", left, hired);
        goto done;
    }
    fill_nulls(out, optional);
done:
    if (rc != IBC_OK) {
        json_decref(out);
        out = NULL;
    }
    *flat = out;
    return rc;
}

static const char *const kinds[] = {"course", "seminar", "webinar", "consultation", NULL};
static const char *const formats[] = {"in_person", "distance", "blended", NULL};
static const char *const course_readonly[] = {"id",         "enrolled",       "seats_left",
                                              "status",     "version",        "created_at",
                                              "updated_at", "created_by_org", NULL};

/* Checks materials: an array of at most 50 {title?, url} objects. */
static ibc_rc check_materials(ibc_ctx *ctx, const json_t *materials)
{
    static const ibc_field fields[] = {
        {"title", IBC_F_STR, false, 1, 300},
        {"url", IBC_F_STR, true, 8, 2000},
    };
    if (!json_is_array(materials))
        return ibc_fail(ctx, IBC_EINVAL,
                        "'materials' must be an array of {\"title\", \"url\"} objects");
    if (json_array_size(materials) > 50)
        return ibc_fail(ctx, IBC_EINVAL, "'materials' may hold at most 50 links, not %zu",
                        json_array_size(materials));
    size_t i;
    json_t *m;
    json_array_foreach(materials, i, m)
    {
        char where[32];
        snprintf(where, sizeof where, "materials[%zu].", i);
        json_t *tmp = json_object();
        ibc_rc rc = ibc_validate(ctx, m, fields, IBC_LEN(fields), where, NULL, tmp);
        json_decref(tmp);
        if (rc != IBC_OK) return rc;
        const char *url = json_string_value(json_object_get(m, "url"));
        if (strncmp(url, "http://", 7) && strncmp(url, "https://", 8))
            return ibc_fail(ctx, IBC_EINVAL,
                            "'materials[%zu].url' must start with http:// or "
                            "https://",
                            i);
    }
    return IBC_OK;
}

ibc_rc course_normalize(ibc_ctx *ctx, const json_t *body, json_t **flat)
{
    static const ibc_field fields[] = {
        {"title", IBC_F_STR, true, 1, 500},      {"provider", IBC_F_STR, true, 1, 300},
        {"kind", IBC_F_ENUM, true, 0, 0, kinds}, {"format", IBC_F_ENUM, true, 0, 0, formats},
        {"hours", IBC_F_INT, true, 1, 2000},     {"starts_on", IBC_F_DATE, true},
        {"ends_on", IBC_F_DATE, true},           {"capacity", IBC_F_INT, false, 1, 10000},
        {"location", IBC_F_STR, false, 1, 500},  {"description", IBC_F_STR, false, 1, 5000},
        {"materials", IBC_F_ANY, false},
    };
    static const char *const optional[] = {"capacity", "location", "description", NULL};
    json_t *out = json_object();
    ibc_rc rc = ibc_validate(ctx, body, fields, IBC_LEN(fields), "", course_readonly, out);
    if (rc != IBC_OK) goto done;
    const char *starts = json_string_value(json_object_get(out, "starts_on"));
    const char *ends = json_string_value(json_object_get(out, "ends_on"));
    if (strcmp(ends, starts) < 0) {
        rc = ibc_fail(ctx, IBC_EINVAL, "'ends_on' (%s) is before 'starts_on' (%s)", ends, starts);
        goto done;
    }
    json_t *materials = json_object_get(out, "materials");
    if (materials) {
        rc = check_materials(ctx, materials);
        if (rc != IBC_OK) goto done;
    } else {
        json_object_set_new(out, "materials", json_array());
    }
    fill_nulls(out, optional);
done:
    if (rc != IBC_OK) {
        json_decref(out);
        out = NULL;
    }
    *flat = out;
    return rc;
}
