/* The grant project's status workflow: its statuses, which jumps are allowed,
 * and which role may make each. Pure code without I/O (unit-tested). */
#ifndef GRANTS_WORKFLOW_H
#define GRANTS_WORKFLOW_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

typedef enum {
    GS_DRAFT,
    GS_SUBMITTED,
    GS_UNDER_REVIEW,
    GS_APPROVED,
    GS_REJECTED,
    GS_IN_PROGRESS,
    GS_COMPLETED,
    GS_WITHDRAWN,
    GS_COUNT
} grant_status;

/* Returned by grant_status_parse for a name that is no status. */
#define GS_UNKNOWN (-1)

/* The status names in workflow order, NULL-terminated (an ibc_field enum). */
extern const char *const grant_status_names[];

/* The status called s, or GS_UNKNOWN; s may be NULL. */
int grant_status_parse(const char *s);
/* The name of s (static); "" when s is out of range. */
const char *grant_status_name(int s);
/* True for rejected, completed and withdrawn: nothing follows them. */
bool grant_status_final(int s);
/* True when the workflow allows from → to. */
bool grant_may_go(int from, int to);
/* Writes the statuses reachable from `from` as "a, b or c" into buf (""
 * for a final status); returns buf. */
char *grant_next_text(int from, char *buf, size_t n);
/* A new JSON array of the statuses reachable from `from`. */
json_t *grant_next_json(int from);
/* A new JSON array of the statuses reachable from `from` that role may move
 * a project to (grant_may_go and grant_role_may both hold). */
json_t *grant_actions_json(int from, const char *role);
/* True when role (admin, methodologist, librarian, ...) may move a project to
 * `to`; whether a librarian's project is their own school's is the caller's
 * check. */
bool grant_role_may(const char *role, int to);
/* Who may move a project to `to`, as a phrase ("a methodologist or an
 * admin"); static. */
const char *grant_who_may(int to);
/* What moving to `to` does, as a phrase ("submit a project"); static. */
const char *grant_verb(int to);

#endif
