/* entity.h — entity descriptors: every record type of Rapport described
 * once, as data. Validation, SQL, JSON, filters, search, OpenAPI, audit and
 * the UI's forms all follow from these tables; nothing here does I/O. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

enum field_type {
	FT_ID,	 /* integer primary key */
	FT_TEXT, /* string up to max_len characters */
	FT_EMAIL,
	FT_PHONE,
	FT_URL,
	FT_CURRENCY, /* ISO 4217 code, three capital letters */
	FT_INT,
	FT_MONEY,  /* integer minor units */
	FT_NUMBER, /* double */
	FT_BOOL,
	FT_DATE,     /* YYYY-MM-DD */
	FT_DATETIME, /* RFC 3339, stored UTC */
	FT_ENUM,
	FT_REF,	     /* id of a record of `ref` */
	FT_JSON,     /* any JSON object, stored as text */
	FT_TAGS,     /* array of short strings, stored as JSON text */
	FT_PASSWORD, /* write-only; stored as an argon2id hash */
	FT_COUNT
};

enum field_flag {
	FF_REQUIRED = 1u << 0,	/* must be present (non-null) on create */
	FF_READONLY = 1u << 1,	/* clients never write it */
	FF_UNIQUE = 1u << 2,	/* unique among live records */
	FF_SEARCH = 1u << 3,	/* indexed for full-text search */
	FF_SORT = 1u << 4,	/* sortable; gets an index */
	FF_SYSTEM = 1u << 5,	/* standard field every entity has */
	FF_CUSTOM = 1u << 6,	/* added at run time */
	FF_WRITEONLY = 1u << 7, /* never sent back (passwords) */
	FF_INDEX = 1u << 8,	/* gets an index without being a sort key */
	FF_NOFILTER = 1u << 9,	/* not usable as a list filter */
	FF_MATCH = 1u << 10,	/* finds duplicates (e-mail, phone, name keys) */
	FF_NOTNULL = 1u << 11,	/* set on every write, never NULL (NOT NULL column) */
};

#define MODEL_MAX_FIELDS 160 /* per entity, built-in and custom together */
#define MODEL_MAX_CUSTOM 100 /* custom fields per entity */
#define MODEL_NAME_MAX	 48
#define MODEL_TEXT_MAX	 1000 /* default max_len of a text field */
/* bytes of a value in an indexed field (sortable, unique, FF_INDEX), in
 * any script: a PostgreSQL index entry holds at most 2,704 */
#define MODEL_INDEXED_MAX 2000

struct field_def {
	const char *name;   /* API name */
	const char *column; /* SQL column; NULL = name */
	enum field_type type;
	unsigned flags;
	int max_len;			/* characters; 0 = MODEL_TEXT_MAX */
	const char *const *enum_values; /* NULL-terminated, for FT_ENUM */
	const char *ref;		/* entity name, for FT_REF */
	const char *dflt;		/* default on create, as text */
	int64_t min, max;		/* FT_INT range when min < max */
	const char *label;
	/* ,"name": as JSON writes it (jw_raw_key), made by the registry
	 * (json_key_len 0: not made) */
	char json_key[48];
	uint8_t json_key_len;
};

enum entity_flag {
	EF_SEARCH = 1u << 0,	 /* appears in global search */
	EF_TIMELINE = 1u << 1,	 /* has a timeline (accounts, contacts, ...) */
	EF_EVENT = 1u << 2,	 /* shows in its parents' timelines (deals) */
	EF_ACTIVITY = 1u << 3,	 /* linked to any record by related_type/_id */
	EF_OWN_CREATE = 1u << 4, /* created by an endpoint of its own (imports:
				    a file upload), not the generic POST */
	EF_PERSON = 1u << 5,	 /* a person: a vCard, a name made of its parts */
};

struct entity_hooks;

struct entity_def {
	const char *name;     /* plural, as in the URL: "contacts" */
	const char *singular; /* "contact"; also the include= name */
	const char *label;
	int code; /* stable small number (search row ids) */
	unsigned flags;
	const char *title_field;    /* what a person calls the record */
	const char *subtitle_field; /* a second line in search results */
	/* Fields live in a fixed array, so adding a custom field never moves
	 * one another thread is reading; nfields is published last. */
	struct field_def *fields;
	int nfields;
};

const char *field_column(const struct field_def *f);
/* What a person in locale ("ru") calls f, as the UI does: a custom
 * field's own label; else the catalogue's "field.<name>" (core/i18n.h);
 * else the descriptor's label; else the name. */
const char *field_label_in(const struct field_def *f, const char *locale);
/* What a person in locale calls value of f's picklist, as the UI's
 * enumLabel: "enum.<field>.<value>", else "enum.<value>", else NULL. */
const char *enum_label_in(const struct field_def *f, const char *value, const char *locale);
const char *field_type_name(enum field_type t);
bool field_type_from_name(const char *s, enum field_type *ret);
bool field_is_text(enum field_type t); /* stored as TEXT */
bool field_readable(const struct field_def *f);
