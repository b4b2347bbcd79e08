/* field.c — small facts about field types, and fields' labels. */
#include "model/entity.h"

#include <stdio.h>
#include <string.h>

#include "core/i18n.h"

static const char *const type_names[FT_COUNT] = {
	[FT_ID] = "id",	       [FT_TEXT] = "text",	   [FT_EMAIL] = "email",
	[FT_PHONE] = "phone",  [FT_URL] = "url",	   [FT_CURRENCY] = "currency",
	[FT_INT] = "integer",  [FT_MONEY] = "money",	   [FT_NUMBER] = "number",
	[FT_BOOL] = "boolean", [FT_DATE] = "date",	   [FT_DATETIME] = "datetime",
	[FT_ENUM] = "enum",    [FT_REF] = "reference",	   [FT_JSON] = "json",
	[FT_TAGS] = "tags",    [FT_PASSWORD] = "password",
};

const char *field_column(const struct field_def *f)
{
	return f->column ? f->column : f->name;
}

const char *field_label_in(const struct field_def *f, const char *locale)
{
	if (f->flags & FF_CUSTOM)
		return f->label && *f->label ? f->label : f->name;
	char key[MODEL_NAME_MAX + 8];
	snprintf(key, sizeof key, "field.%s", f->name);
	const char *t = i18n_text(locale, key);
	return t ? t : f->label && *f->label ? f->label : f->name;
}

const char *enum_label_in(const struct field_def *f, const char *value, const char *locale)
{
	char key[2 * MODEL_NAME_MAX + 80];
	snprintf(key, sizeof key, "enum.%s.%s", f->name, value);
	const char *t = i18n_text(locale, key);
	if (!t) {
		snprintf(key, sizeof key, "enum.%s", value);
		t = i18n_text(locale, key);
	}
	return t;
}

const char *field_type_name(enum field_type t)
{
	return t < FT_COUNT ? type_names[t] : "unknown";
}

bool field_type_from_name(const char *s, enum field_type *ret)
{
	for (int t = 0; t < FT_COUNT; t++)
		if (!strcmp(type_names[t], s)) {
			*ret = (enum field_type)t;
			return true;
		}
	return false;
}

bool field_is_text(enum field_type t)
{
	switch (t) {
	case FT_ID:
	case FT_INT:
	case FT_MONEY:
	case FT_NUMBER:
	case FT_BOOL:
	case FT_REF: return false;
	default: return true;
	}
}

bool field_readable(const struct field_def *f)
{
	return !(f->flags & FF_WRITEONLY);
}
