/* entities.c — the built-in descriptors. Each table lists an entity's own
 * fields; the registry adds the standard ones (id, created_at, updated_at,
 * created_by, owner_id, team_id, version, deleted_at, tags). */
#include "model/entities.h"

#include <stddef.h>

#define END                                                                                        \
	{                                                                                          \
		0                                                                                  \
	}
#define E(...) ((const char *const[]){__VA_ARGS__, NULL})

static const char *const locales[] = {"en", "zh", "ru", NULL};

static const struct field_def user_fields[] = {
	{.name = "email",
	 .type = FT_EMAIL,
	 .flags = FF_REQUIRED | FF_UNIQUE | FF_SEARCH | FF_SORT,
	 .max_len = 254},
	{.name = "name",
	 .type = FT_TEXT,
	 .flags = FF_REQUIRED | FF_SEARCH | FF_SORT,
	 .max_len = 200},
	{.name = "password",
	 .column = "password_hash",
	 .type = FT_PASSWORD,
	 .flags = FF_WRITEONLY | FF_NOFILTER,
	 .max_len = 200},
	{.name = "role_id", .type = FT_REF, .ref = "roles", .flags = FF_REQUIRED | FF_INDEX},
	{.name = "locale", .type = FT_ENUM, .enum_values = locales, .dflt = "en"},
	{.name = "time_zone", .type = FT_TEXT, .max_len = 64, .dflt = "UTC"},
	{.name = "active", .type = FT_BOOL, .dflt = "true"},
	{.name = "last_login_at", .type = FT_DATETIME, .flags = FF_READONLY},
	/* two-factor sign-in is on; set by /auth/2fa/enable, cleared by
	 * disable or an admin's reset (the secret itself is not a field) */
	{.name = "two_factor", .type = FT_BOOL, .flags = FF_READONLY},
	END};

static const struct field_def team_fields[] = {
	{.name = "name",
	 .type = FT_TEXT,
	 .flags = FF_REQUIRED | FF_UNIQUE | FF_SORT | FF_SEARCH,
	 .max_len = 200},
	{.name = "description", .type = FT_TEXT, .max_len = 2000},
	END};

static const struct field_def role_fields[] = {
	{.name = "name",
	 .type = FT_TEXT,
	 .flags = FF_REQUIRED | FF_UNIQUE | FF_SORT,
	 .max_len = 100},
	{.name = "permissions",
	 .type = FT_JSON,
	 .flags = FF_NOFILTER,
	 .max_len = 65536,
	 .dflt = "{}"},
	{.name = "description", .type = FT_TEXT, .max_len = 2000},
	/* members must sign in with a second factor; until they set one up
	 * their sessions reach only their own enrolment */
	{.name = "require_2fa", .type = FT_BOOL, .dflt = "false"},
	END};

static const struct field_def account_fields[] = {
	{.name = "name",
	 .type = FT_TEXT,
	 .flags = FF_REQUIRED | FF_SEARCH | FF_SORT | FF_MATCH,
	 .max_len = 300},
	{.name = "industry", .type = FT_TEXT, .flags = FF_INDEX, .max_len = 100},
	{.name = "website", .type = FT_URL, .flags = FF_SEARCH, .max_len = 500},
	{.name = "phone", .type = FT_PHONE, .flags = FF_SEARCH | FF_MATCH, .max_len = 50},
	{.name = "email", .type = FT_EMAIL, .flags = FF_SEARCH | FF_MATCH, .max_len = 254},
	{.name = "country", .type = FT_TEXT, .flags = FF_INDEX, .max_len = 100},
	{.name = "region", .type = FT_TEXT, .max_len = 100},
	{.name = "city", .type = FT_TEXT, .flags = FF_SEARCH, .max_len = 100},
	{.name = "address", .type = FT_TEXT, .max_len = 500},
	{.name = "lifecycle",
	 .type = FT_ENUM,
	 .flags = FF_INDEX,
	 .enum_values = E("prospect", "customer", "churned"),
	 .dflt = "prospect"},
	{.name = "customer_since", .type = FT_DATE},
	{.name = "churned_at", .type = FT_DATE},
	{.name = "tier",
	 .type = FT_ENUM,
	 .enum_values = E("small", "medium", "large", "strategic")},
	{.name = "employees", .type = FT_INT, .min = 0, .max = 10000000},
	{.name = "annual_revenue", .type = FT_MONEY},
	{.name = "currency", .type = FT_CURRENCY},
	{.name = "description", .type = FT_TEXT, .max_len = 10000},
	{.name = "external_id", .type = FT_TEXT, .flags = FF_INDEX, .max_len = 200},
	END};

static const struct field_def contact_fields[] = {
	{.name = "name",
	 .type = FT_TEXT,
	 .flags = FF_REQUIRED | FF_SEARCH | FF_SORT | FF_MATCH,
	 .max_len = 300},
	{.name = "family_name", .type = FT_TEXT, .flags = FF_SEARCH | FF_SORT, .max_len = 150},
	{.name = "given_name", .type = FT_TEXT, .flags = FF_SEARCH, .max_len = 150},
	{.name = "email",
	 .type = FT_EMAIL,
	 .flags = FF_SEARCH | FF_INDEX | FF_MATCH,
	 .max_len = 254},
	{.name = "email2", .type = FT_EMAIL, .flags = FF_SEARCH | FF_MATCH, .max_len = 254},
	{.name = "phone", .type = FT_PHONE, .flags = FF_SEARCH | FF_MATCH, .max_len = 50},
	{.name = "mobile", .type = FT_PHONE, .flags = FF_SEARCH | FF_MATCH, .max_len = 50},
	{.name = "title", .type = FT_TEXT, .max_len = 200},
	{.name = "account_id", .type = FT_REF, .ref = "accounts", .flags = FF_INDEX},
	{.name = "birthday", .type = FT_DATE},
	{.name = "preferred_channel",
	 .type = FT_ENUM,
	 .enum_values = E("email", "phone", "sms", "chat", "visit", "mail")},
	{.name = "marketing_consent", .type = FT_BOOL, .dflt = "false"},
	{.name = "city", .type = FT_TEXT, .max_len = 100},
	{.name = "country", .type = FT_TEXT, .max_len = 100},
	{.name = "description", .type = FT_TEXT, .max_len = 10000},
	{.name = "external_id", .type = FT_TEXT, .flags = FF_INDEX, .max_len = 200},
	END};

static const struct field_def lead_fields[] = {
	{.name = "name",
	 .type = FT_TEXT,
	 .flags = FF_REQUIRED | FF_SEARCH | FF_SORT | FF_MATCH,
	 .max_len = 300},
	{.name = "company", .type = FT_TEXT, .flags = FF_SEARCH, .max_len = 300},
	{.name = "email",
	 .type = FT_EMAIL,
	 .flags = FF_SEARCH | FF_INDEX | FF_MATCH,
	 .max_len = 254},
	{.name = "phone", .type = FT_PHONE, .flags = FF_SEARCH | FF_MATCH, .max_len = 50},
	{.name = "title", .type = FT_TEXT, .max_len = 200},
	{.name = "source",
	 .type = FT_ENUM,
	 .flags = FF_INDEX,
	 .enum_values = E("web", "referral", "event", "cold_call", "email", "social", "partner",
			  "ads", "other")},
	{.name = "status",
	 .type = FT_ENUM,
	 .flags = FF_INDEX,
	 .enum_values = E("new", "contacted", "qualified", "converted", "disqualified"),
	 .dflt = "new"},
	{.name = "score", .type = FT_INT, .flags = FF_SORT, .min = 0, .max = 100},
	{.name = "campaign_id", .type = FT_INT, .flags = FF_INDEX, .min = 1, .max = INT64_MAX},
	{.name = "first_contacted_at", .type = FT_DATETIME},
	{.name = "converted_account_id", .type = FT_REF, .ref = "accounts", .flags = FF_READONLY},
	{.name = "converted_contact_id", .type = FT_REF, .ref = "contacts", .flags = FF_READONLY},
	{.name = "converted_deal_id", .type = FT_REF, .ref = "deals", .flags = FF_READONLY},
	{.name = "disqualify_reason", .type = FT_TEXT, .max_len = 500},
	{.name = "utm_source", .type = FT_TEXT, .max_len = 200},
	{.name = "utm_medium", .type = FT_TEXT, .max_len = 200},
	{.name = "utm_campaign", .type = FT_TEXT, .max_len = 200},
	{.name = "utm_term", .type = FT_TEXT, .max_len = 200},
	{.name = "utm_content", .type = FT_TEXT, .max_len = 200},
	{.name = "description", .type = FT_TEXT, .max_len = 10000},
	{.name = "external_id", .type = FT_TEXT, .flags = FF_INDEX, .max_len = 200},
	END};

static const struct field_def pipeline_fields[] = {
	{.name = "name",
	 .type = FT_TEXT,
	 .flags = FF_REQUIRED | FF_UNIQUE | FF_SORT,
	 .max_len = 200},
	{.name = "is_default", .type = FT_BOOL, .dflt = "false"},
	{.name = "currency", .type = FT_CURRENCY},
	END};

static const struct field_def stage_fields[] = {
	{.name = "pipeline_id",
	 .type = FT_REF,
	 .ref = "pipelines",
	 .flags = FF_REQUIRED | FF_INDEX},
	{.name = "name", .type = FT_TEXT, .flags = FF_REQUIRED | FF_SORT, .max_len = 200},
	{.name = "position", .type = FT_INT, .flags = FF_SORT, .min = 0, .max = 1000, .dflt = "0"},
	{.name = "probability", .type = FT_INT, .min = 0, .max = 100, .dflt = "0"},
	{.name = "kind", .type = FT_ENUM, .enum_values = E("open", "won", "lost"), .dflt = "open"},
	END};

static const struct field_def deal_fields[] = {
	{.name = "name",
	 .type = FT_TEXT,
	 .flags = FF_REQUIRED | FF_SEARCH | FF_SORT,
	 .max_len = 300},
	{.name = "account_id", .type = FT_REF, .ref = "accounts", .flags = FF_INDEX},
	{.name = "contact_id", .type = FT_REF, .ref = "contacts", .flags = FF_INDEX},
	{.name = "pipeline_id", .type = FT_REF, .ref = "pipelines", .flags = FF_INDEX},
	{.name = "stage_id", .type = FT_REF, .ref = "stages", .flags = FF_INDEX},
	{.name = "amount", .type = FT_MONEY, .flags = FF_SORT, .dflt = "0"},
	{.name = "currency", .type = FT_CURRENCY, .dflt = "USD"},
	{.name = "probability", .type = FT_INT, .min = 0, .max = 100},
	{.name = "expected_close", .type = FT_DATE, .flags = FF_SORT},
	{.name = "status",
	 .type = FT_ENUM,
	 .flags = FF_INDEX,
	 .enum_values = E("open", "won", "lost"),
	 .dflt = "open"},
	{.name = "lost_reason", .type = FT_TEXT, .max_len = 500},
	{.name = "won_reason", .type = FT_TEXT, .max_len = 500},
	{.name = "closed_at", .type = FT_DATETIME, .flags = FF_READONLY | FF_SORT},
	{.name = "source", .type = FT_TEXT, .max_len = 100},
	{.name = "description", .type = FT_TEXT, .max_len = 10000},
	{.name = "external_id", .type = FT_TEXT, .flags = FF_INDEX, .max_len = 200},
	END};

static const struct field_def activity_fields[] = {
	{.name = "type",
	 .type = FT_ENUM,
	 .flags = FF_REQUIRED | FF_INDEX,
	 .enum_values = E("call", "email", "meeting", "note", "task", "sms", "chat", "visit")},
	{.name = "subject",
	 .type = FT_TEXT,
	 .flags = FF_REQUIRED | FF_SEARCH | FF_SORT,
	 .max_len = 500},
	{.name = "body", .type = FT_TEXT, .max_len = 100000},
	{.name = "due_at", .type = FT_DATETIME, .flags = FF_SORT},
	{.name = "done_at", .type = FT_DATETIME, .flags = FF_SORT},
	{.name = "duration_min", .type = FT_INT, .min = 0, .max = 100000},
	{.name = "direction", .type = FT_ENUM, .enum_values = E("inbound", "outbound")},
	{.name = "related_type",
	 .type = FT_ENUM,
	 .flags = FF_INDEX,
	 .enum_values = E("accounts", "contacts", "leads", "deals")},
	{.name = "related_id", .type = FT_INT, .flags = FF_INDEX, .min = 1, .max = INT64_MAX},
	{.name = "external_id", .type = FT_TEXT, .flags = FF_INDEX, .max_len = 200},
	{.name = "account_id",
	 .type = FT_REF,
	 .ref = "accounts",
	 .flags = FF_READONLY | FF_INDEX,
	 .label = "Account (of the record it is about)"},
	END};

static const struct field_def product_fields[] = {
	{.name = "name",
	 .type = FT_TEXT,
	 .flags = FF_REQUIRED | FF_SEARCH | FF_SORT,
	 .max_len = 300},
	{.name = "sku", .type = FT_TEXT, .flags = FF_UNIQUE | FF_SEARCH, .max_len = 100},
	{.name = "description", .type = FT_TEXT, .max_len = 10000},
	{.name = "price", .type = FT_MONEY, .flags = FF_SORT, .dflt = "0"},
	{.name = "cost", .type = FT_MONEY, .dflt = "0"},
	{.name = "currency", .type = FT_CURRENCY, .dflt = "USD"},
	{.name = "recurring",
	 .type = FT_ENUM,
	 .enum_values = E("none", "monthly", "quarterly", "yearly"),
	 .dflt = "none"},
	{.name = "active", .type = FT_BOOL, .dflt = "true"},
	{.name = "external_id", .type = FT_TEXT, .flags = FF_INDEX, .max_len = 200},
	END};

static const struct field_def tag_fields[] = {{.name = "name",
					       .type = FT_TEXT,
					       .flags = FF_REQUIRED | FF_UNIQUE | FF_SORT,
					       .max_len = 64},
					      {.name = "color", .type = FT_TEXT, .max_len = 16},
					      END};

static const struct field_def saved_view_fields[] = {
	{.name = "name", .type = FT_TEXT, .flags = FF_REQUIRED | FF_SORT, .max_len = 200},
	{.name = "entity", .type = FT_TEXT, .flags = FF_REQUIRED | FF_INDEX, .max_len = 48},
	{.name = "query",
	 .type = FT_TEXT,
	 .max_len = 4000,
	 .label = "Filters and sort, as a URL query"},
	{.name = "columns", .type = FT_JSON, .flags = FF_NOFILTER, .max_len = 8192, .dflt = "{}"},
	{.name = "shared", .type = FT_BOOL, .dflt = "false"},
	END};

#define IMPORTABLE E("accounts", "contacts", "leads", "deals", "products", "activities")
#define COUNTER(n)                                                                                 \
	{                                                                                          \
		.name = n, .type = FT_INT, .flags = FF_READONLY, .dflt = "0"                       \
	}

/* An import: the file, how its columns map, what to do with duplicates,
 * and (written by the importer only) where it stands and what it did. */
static const struct field_def import_fields[] = {
	{.name = "entity",
	 .type = FT_ENUM,
	 .flags = FF_REQUIRED | FF_INDEX | FF_READONLY,
	 .enum_values = IMPORTABLE},
	{.name = "file_name", .type = FT_TEXT, .flags = FF_READONLY | FF_SORT, .max_len = 255},
	{.name = "status",
	 .type = FT_ENUM,
	 .flags = FF_READONLY | FF_INDEX,
	 .enum_values =
		 E("queued", "running", "cancelling", "done", "failed", "cancelled", "undone"),
	 .dflt = "queued"},
	{.name = "dry_run", .type = FT_BOOL, .flags = FF_READONLY, .dflt = "false"},
	{.name = "strategy",
	 .type = FT_ENUM,
	 .flags = FF_READONLY,
	 .enum_values = E("skip", "update", "merge", "create"),
	 .dflt = "update",
	 .label = "When a row matches a record"},
	{.name = "mapping", .type = FT_JSON, .flags = FF_READONLY | FF_NOFILTER, .max_len = 65536},
	{.name = "options", .type = FT_JSON, .flags = FF_READONLY | FF_NOFILTER, .max_len = 8192},
	COUNTER("total_rows"),
	COUNTER("processed_rows"),
	COUNTER("created"),
	COUNTER("updated"),
	COUNTER("merged"),
	COUNTER("skipped"),
	COUNTER("rejected"),
	COUNTER("undo_kept"), /* records changed since, which its undo left */
	{.name = "progress", .type = FT_NUMBER, .flags = FF_READONLY, .dflt = "0"},
	{.name = "error", .type = FT_TEXT, .flags = FF_READONLY, .max_len = 1000},
	{.name = "report", .type = FT_JSON, .flags = FF_READONLY | FF_NOFILTER, .max_len = 1000000},
	{.name = "started_at", .type = FT_DATETIME, .flags = FF_READONLY | FF_SORT},
	{.name = "finished_at", .type = FT_DATETIME, .flags = FF_READONLY},
	END};

/* A saved column mapping, chosen by name when the next file comes. */
static const struct field_def import_template_fields[] = {
	{.name = "name", .type = FT_TEXT, .flags = FF_REQUIRED | FF_SORT, .max_len = 200},
	{.name = "entity",
	 .type = FT_ENUM,
	 .flags = FF_REQUIRED | FF_INDEX,
	 .enum_values = IMPORTABLE},
	{.name = "mapping", .type = FT_JSON, .flags = FF_NOFILTER, .max_len = 65536, .dflt = "{}"},
	{.name = "options", .type = FT_JSON, .flags = FF_NOFILTER, .max_len = 8192, .dflt = "{}"},
	END};

/* Codes are persisted in search row ids: never renumber. */
const struct entity_spec model_builtin[] = {
	{"users", "user", "Users", 1, EF_SEARCH, "name", "email", user_fields},
	{"teams", "team", "Teams", 2, 0, "name", NULL, team_fields},
	{"roles", "role", "Roles", 3, 0, "name", NULL, role_fields},
	{"accounts", "account", "Accounts", 4, EF_SEARCH | EF_TIMELINE, "name", "city",
	 account_fields},
	{"contacts", "contact", "Contacts", 5, EF_SEARCH | EF_TIMELINE | EF_PERSON, "name", "email",
	 contact_fields},
	{"leads", "lead", "Leads", 6, EF_SEARCH | EF_TIMELINE | EF_PERSON, "name", "company",
	 lead_fields},
	{"pipelines", "pipeline", "Pipelines", 7, 0, "name", NULL, pipeline_fields},
	{"stages", "stage", "Stages", 8, 0, "name", NULL, stage_fields},
	{"deals", "deal", "Deals", 9, EF_SEARCH | EF_TIMELINE | EF_EVENT, "name", "status",
	 deal_fields},
	{"activities", "activity", "Activities", 10, EF_SEARCH | EF_ACTIVITY, "subject", "type",
	 activity_fields},
	{"products", "product", "Products", 11, EF_SEARCH, "name", "sku", product_fields},
	{"tags", "tag", "Tags", 12, 0, "name", NULL, tag_fields},
	{"saved_views", "saved_view", "Saved views", 13, 0, "name", "entity", saved_view_fields},
	{"imports", "import", "Imports", 14, EF_OWN_CREATE, "file_name", "status", import_fields},
	{"import_templates", "import_template", "Import templates", 15, 0, "name", "entity",
	 import_template_fields},
	{0},
};
