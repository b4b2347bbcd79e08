/* entities.h — the built-in entity specs the registry is built from. */
#pragma once
#include "model/entity.h"

struct entity_spec {
	const char *name, *singular, *label;
	int code;
	unsigned flags;
	const char *title_field, *subtitle_field;
	const struct field_def *fields; /* terminated by a zero entry */
};

extern const struct entity_spec model_builtin[];
