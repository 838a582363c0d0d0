/* The grant project's workflow tables (see workflow.h):
 * draft → submitted → under_review → approved | rejected;
 * approved → in_progress → completed; any non-final → withdrawn. */
#include "workflow.h"

#include <stdio.h>
#include <string.h>

const char *const grant_status_names[] = {"draft",     "submitted", "under_review",
                                          "approved",  "rejected",  "in_progress",
                                          "completed", "withdrawn", NULL};

#define BIT(s) (1u << (s))

/* next[from]: the statuses a project may go to from `from` */
static const unsigned next[GS_COUNT] = {
    [GS_DRAFT] = BIT(GS_SUBMITTED) | BIT(GS_WITHDRAWN),
    [GS_SUBMITTED] = BIT(GS_UNDER_REVIEW) | BIT(GS_WITHDRAWN),
    [GS_UNDER_REVIEW] = BIT(GS_APPROVED) | BIT(GS_REJECTED) | BIT(GS_WITHDRAWN),
    [GS_APPROVED] = BIT(GS_IN_PROGRESS) | BIT(GS_WITHDRAWN),
    [GS_IN_PROGRESS] = BIT(GS_COMPLETED) | BIT(GS_WITHDRAWN),
    [GS_REJECTED] = 0,
    [GS_COMPLETED] = 0,
    [GS_WITHDRAWN] = 0,
};

enum { R_ADMIN = 1, R_METHODOLOGIST = 2, R_LIBRARIAN = 4 };

/* who[to]: the roles that may move a project to `to`. The school submits and
 * withdraws its own application; the project lab (methodologists) reviews and
 * decides; both may start and complete the work. An admin may do anything. */
static const struct {
    unsigned roles;
    const char *who;
    const char *verb;
} who[GS_COUNT] = {
    [GS_DRAFT] = {0, "nobody (a project starts as a draft)", "return a project to draft"},
    [GS_SUBMITTED] = {R_ADMIN | R_LIBRARIAN, "the school's librarian or an admin",
                      "submit a project"},
    [GS_UNDER_REVIEW] = {R_ADMIN | R_METHODOLOGIST, "a methodologist or an admin",
                         "take a project under review"},
    [GS_APPROVED] = {R_ADMIN | R_METHODOLOGIST, "a methodologist or an admin", "approve a project"},
    [GS_REJECTED] = {R_ADMIN | R_METHODOLOGIST, "a methodologist or an admin", "reject a project"},
    [GS_IN_PROGRESS] = {R_ADMIN | R_METHODOLOGIST | R_LIBRARIAN,
                        "the school's librarian, a methodologist or an admin", "start a project"},
    [GS_COMPLETED] = {R_ADMIN | R_METHODOLOGIST | R_LIBRARIAN,
                      "the school's librarian, a methodologist or an admin", "complete a project"},
    [GS_WITHDRAWN] = {R_ADMIN | R_LIBRARIAN, "the school's librarian or an admin",
                      "withdraw a project"},
};

/* Returns the status index of s or GS_UNKNOWN. */
int grant_status_parse(const char *s)
{
    for (int i = 0; s && i < GS_COUNT; i++)
        if (strcmp(grant_status_names[i], s) == 0) return i;
    return GS_UNKNOWN;
}

/* Returns the static name of s, "" when out of range. */
const char *grant_status_name(int s)
{
    return s >= 0 && s < GS_COUNT ? grant_status_names[s] : "";
}

/* Returns true when no transition leaves s. */
bool grant_status_final(int s)
{
    return s >= 0 && s < GS_COUNT && next[s] == 0;
}

/* Returns true when the table allows from → to. */
bool grant_may_go(int from, int to)
{
    return from >= 0 && from < GS_COUNT && to >= 0 && to < GS_COUNT && (next[from] & BIT(to));
}

/* Returns buf holding "a, b or c": the statuses reachable from `from`. */
char *grant_next_text(int from, char *buf, size_t n)
{
    if (n) buf[0] = 0;
    int count = 0, total = 0;
    for (int s = 0; s < GS_COUNT; s++)
        total += grant_may_go(from, s);
    for (int s = 0; s < GS_COUNT; s++) {
        if (!grant_may_go(from, s)) continue;
        size_t len = strlen(buf);
        const char *sep = count == 0 ? "" : count == total - 1 ? " or " : ", ";
        snprintf(buf + len, n - len, "%s%s", sep, grant_status_names[s]);
        count++;
    }
    return buf;
}

/* Returns a new array of the status names reachable from `from`. */
json_t *grant_next_json(int from)
{
    json_t *a = json_array();
    for (int s = 0; s < GS_COUNT; s++)
        if (grant_may_go(from, s)) json_array_append_new(a, json_string(grant_status_names[s]));
    return a;
}

static unsigned role_bit(const char *role)
{
    if (!role) return 0;
    if (strcmp(role, "admin") == 0) return R_ADMIN;
    if (strcmp(role, "methodologist") == 0) return R_METHODOLOGIST;
    if (strcmp(role, "librarian") == 0) return R_LIBRARIAN;
    return 0; /* portal, integrator, unknown: never */
}

/* Returns true when role may move a project to `to`. */
bool grant_role_may(const char *role, int to)
{
    return to >= 0 && to < GS_COUNT && (who[to].roles & role_bit(role));
}

/* Returns a static phrase naming who may move a project to `to`. */
const char *grant_who_may(int to)
{
    return to >= 0 && to < GS_COUNT ? who[to].who : "nobody";
}

/* Returns the static phrase of moving to `to` ("approve a project"). */
const char *grant_verb(int to)
{
    return to >= 0 && to < GS_COUNT ? who[to].verb : "move";
}

/* Returns a new array of the statuses reachable from `from` that role may
 * move a project to: the actions a client offers that caller. */
json_t *grant_actions_json(int from, const char *role)
{
    json_t *a = json_array();
    for (int s = 0; s < GS_COUNT; s++)
        if (grant_may_go(from, s) && grant_role_may(role, s))
            json_array_append_new(a, json_string(grant_status_names[s]));
    return a;
}
