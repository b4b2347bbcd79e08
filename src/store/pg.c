/* pg.c — the PostgreSQL driver (libpq). Not built yet: a postgres:// URL
 * is refused with a clear message. */
#include "store/internal.h"

const struct db_driver pg_driver = {
	.name = "PostgreSQL",
};
