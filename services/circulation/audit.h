/* 152-ФЗ: the audit log of readers' personal data. Who (principal, role,
 * organisation, request id) read or changed which readers' personal data,
 * when, and which fields; ids and field names only, never a value. */
#ifndef CIRC_AUDIT_H
#define CIRC_AUDIT_H

#include <ibc/ibc.h>

/* Logs `action` ("read", "list", "export", "create", "update", "delete",
 * "consent", "anonymise") on `readers` (an array of objects with "id" and
 * "school"; borrowed), one row per school, with the field names `fields`
 * (an array of strings; borrowed). Nothing when readers is empty. A change
 * logs in its own transaction; a read, which has none, commits its row
 * before its reply leaves: a read whose row cannot be written fails. */
ibc_rc audit_readers(ibc_ctx *ctx, const char *action, const json_t *readers, const json_t *fields);
/* Logs a "list" of the names shown in `rows` (objects with "reader_id" and,
 * when shown, "name"; borrowed) of readers of `school`: an overdue list, a
 * class set's answer. */
ibc_rc audit_names_shown(ibc_ctx *ctx, const json_t *rows, const char *school);
/* audit_readers for one reader by id and school. */
ibc_rc audit_reader(ibc_ctx *ctx, const char *action, const char *id, const char *school,
                    const json_t *fields);
/* The personal fields present in a reader object (a new array). */
json_t *audit_fields_of(const json_t *reader);
/* The personal fields present in any reader of an array (a new array). */
json_t *audit_fields_of_list(const json_t *readers);
/* The readers of `readers` (array) whose name the reply shows (a new array). */
json_t *audit_named(const json_t *readers);

/* audit.list: GET /api/v1/circulation/audit. */
ibc_rc audit_list(ibc_ctx *ctx, const json_t *req, json_t **reply);

/* store_audit.c */
typedef struct {
    const char *school, *reader, *principal, *action, *from, *to, *limit, *offset;
} audit_filter;
/* Appends the rows: readers is the JSON text of [{id, school}], fields of
 * [names]. */
ibc_rc store_audit_append(ibc_ctx *ctx, const char *principal, const char *role, const char *action,
                          const char *readers, const char *fields);
/* {items, total, limit, offset}, newest first. */
ibc_rc store_audit_list(ibc_ctx *ctx, const audit_filter *f, json_t **out);
/* *known: the reader is of `school`, or was in one of its log's rows. */
ibc_rc store_audit_reader_known(ibc_ctx *ctx, const char *reader, const char *school, bool *known);

#endif
