/* The training service's actions: staff of the schools' libraries, courses
 * of professional development, enrolments with attendance and completion,
 * and who is due for training (every three years). */
#ifndef TRAINING_H
#define TRAINING_H

#include <ibc/ibc.h>

ibc_rc staff_create(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc staff_get(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc staff_update(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc staff_delete(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc staff_list(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc staff_record(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc due_list(ibc_ctx *ctx, const json_t *req, json_t **reply);

ibc_rc courses_create(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc courses_get(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc courses_update(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc courses_list(ibc_ctx *ctx, const json_t *req, json_t **reply);

ibc_rc enrolments_create(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc enrolments_get(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc enrolments_list(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc enrolments_attendance(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc enrolments_complete(ibc_ctx *ctx, const json_t *req, json_t **reply);
ibc_rc enrolments_cancel(ibc_ctx *ctx, const json_t *req, json_t **reply);

#endif
