/* Migrations: applies the SQL files of a schema once each, in order. */
#ifndef IBC_MIGRATE_H
#define IBC_MIGRATE_H

#include "errors.h"

#include <libpq-fe.h>
#include <stddef.h>

/* Applies migrations_dir/common/ then migrations_dir/<schema>/ files not yet
 * applied, each once, in order, in its own transaction, under an advisory lock. */
ibc_rc ibc_migrate(PGconn *db, const char *schema, const char *migrations_dir, char *err,
                   size_t errlen);

#endif
