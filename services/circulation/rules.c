/* Loan rules of a school: per reader category the most items on loan, the
 * loan period, the renewals allowed and whether textbooks stay out until the
 * end of the school year; and the school's settings (that date, the days a
 * ready hold waits for pickup). */
#include "circulation.h"
#include "store.h"

#include <ibc/json.h>
#include <string.h>

/* policies.list and settings.get: 200 with the school's rules and settings
 * (network roles name the school with ?school=). */
ibc_rc policies_list(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    const char *school;
    ibc_rc rc = caller_school(ctx, ibc_param(req, "school"), true, &school);
    if (rc == IBC_OK) rc = store_rules_get(ctx, school, reply);
    return rc;
}

ibc_rc settings_get(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    return policies_list(ctx, req, reply);
}

static const ibc_field policy_fields[] = {
    {"max_items", IBC_F_INT, true, 0, 1000, NULL, 0},
    {"loan_days", IBC_F_INT, true, 1, 365, NULL, 0},
    {"renewals", IBC_F_INT, true, 0, 20, NULL, 0},
    {"textbooks_to_year_end", IBC_F_BOOL, true, 0, 0, NULL, 0},
};

/* policies.put: sets the rules of one category (student, teacher, staff) at
 * the caller's school; 200 with all the school's rules. */
ibc_rc policies_put(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    const char *school, *category = ibc_param(req, "category");
    if (!category ||
        (strcmp(category, "student") && strcmp(category, "teacher") && strcmp(category, "staff")))
        return ibc_fail(ctx, IBC_EINVAL,
                        "the category must be student, teacher or staff, not '%.30s'",
                        category ? category : "");
    json_t *flat = json_object();
    ibc_rc rc = caller_school(ctx, ibc_param(req, "school"), true, &school);
    if (rc == IBC_OK)
        rc =
            ibc_validate(ctx, ibc_body(req), policy_fields, IBC_LEN(policy_fields), "", NULL, flat);
    if (rc == IBC_OK) rc = store_policy_put(ctx, school, category, flat);
    if (rc == IBC_OK) rc = store_rules_get(ctx, school, reply);
    json_decref(flat);
    return rc;
}

static const ibc_field settings_fields[] = {
    {"school_year_ends_on", IBC_F_DATE, false, 0, 0, NULL, 0},
    {"hold_pickup_days", IBC_F_INT, false, 1, 60, NULL, 0},
    {"teacher_age_override", IBC_F_BOOL, false, 0, 0, NULL, 0},
};

/* settings.put: the school's last day of the school year (today or later),
 * the days a ready hold waits, and whether a teacher may let a reader take a
 * copy marked for older readers (436-ФЗ); 200 with the school's rules. */
ibc_rc settings_put(ibc_ctx *ctx, const json_t *req, json_t **reply)
{
    const char *school;
    json_t *flat = json_object();
    ibc_rc rc = caller_school(ctx, ibc_param(req, "school"), true, &school);
    if (rc == IBC_OK)
        rc = ibc_validate(ctx, ibc_body(req), settings_fields, IBC_LEN(settings_fields), "", NULL,
                          flat);
    if (rc == IBC_OK && json_object_size(flat) == 0)
        rc = ibc_fail(ctx, IBC_EINVAL,
                      "send 'school_year_ends_on', 'hold_pickup_days' or "
                      "'teacher_age_override'");
    if (rc == IBC_OK) rc = store_settings_put(ctx, school, flat);
    if (rc == IBC_OK) rc = store_rules_get(ctx, school, reply);
    json_decref(flat);
    return rc;
}
