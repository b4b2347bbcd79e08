/* hooks.h — entity-specific rules run before a write, looked up by entity
 * name from one table. `old` is NULL on create; `r` holds the fields being
 * written and may be changed (derived fields, hashing). */
#pragma once
#include "domain/domain.h"

enum rp_err hooks_before_write(struct dctx *d, const struct entity_def *e, const struct record *old,
			       struct record *r, struct rp_error *err);
