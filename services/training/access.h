/* Who may read and change what in training (DESIGN.md "Who may do what"):
 * admin and methodologist everything in every school; a librarian their own
 * school's staff and enrolments; an integrator reads everything but no staff
 * names; a portal nothing. The gateway checks roles per route; these checks
 * add the organisation. Pure code. */
#ifndef TRAINING_ACCESS_H
#define TRAINING_ACCESS_H

#include <ibc/ibc.h>

/* The school a list or report is limited to, in *school (borrowed): for a
 * librarian its own organisation (IBC_EFORBIDDEN when `asked` names another
 * school), for the other readers `asked` (NULL: every school). */
ibc_rc access_list_school(ibc_ctx *ctx, const char *asked, const char **school);
/* IBC_OK when the caller may read data of `school`; `what` names the data in
 * the message ("staff member 1f…"). */
ibc_rc access_read(ibc_ctx *ctx, const char *school, const char *what);
/* IBC_OK when the caller may change data of `school`: admin and
 * methodologist anywhere, a librarian in their own school. */
ibc_rc access_write(ibc_ctx *ctx, const char *school, const char *what);
/* The check for one existing object of `school` (a staff member, an
 * enrolment): to a librarian of another school it does not exist, so the
 * answer is IBC_ENOTFOUND with the very sentence the store gives for an
 * unknown id ("no <kind> has id '<id>'<suffix>"); otherwise access_read or,
 * when `write`, access_write. */
ibc_rc access_object(ibc_ctx *ctx, const char *school, bool write, const char *kind, const char *id,
                     const char *suffix);
/* IBC_OK for admin and methodologist, who run the courses. */
ibc_rc access_network(ibc_ctx *ctx, const char *what);
/* True when the caller may see the names of `school`'s staff. */
bool access_names(const ibc_ctx *ctx, const char *school);
/* The same rule as SQL parameters: *all is "t" when every name is visible,
 * else "f"; *own is the school whose names are visible (a librarian's) or NULL. */
void access_names_params(const ibc_ctx *ctx, const char **all, const char **own);

#endif
