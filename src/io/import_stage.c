/* import_stage.c — a deal's stage from the name a file gives it. By the
 * stage's own name first; else a closed deal as other CRMs write it
 * ("Closed Won" in Salesforce, HubSpot and Zoho, "Успешно реализовано" in
 * amoCRM, "Сделка провалена" in Bitrix24, "赢单" ...) lands in the won or
 * lost stage (a stage's `kind`) of the row's pipeline, or of the default
 * pipeline when the row names none. */
#include <stdlib.h>
#include <string.h>

#include "io/import_internal.h"
#include "model/registry.h"

static const struct {
	const char *kind;
	const char *const *names;
} closed_names[] = {
	{"won", N("won", "closed won", "closed/won", "deal won", "successful", "выиграна",
		  "выиграно", "успешно реализовано", "сделка успешна", "закрыто и реализовано",
		  "закрыта успешно", "успешно", "赢单", "已赢单", "成交", "已成交", "赢得")},
	{"lost", N("lost", "closed lost", "closed/lost", "deal lost", "closed lost to competition",
		   "проиграна", "проиграно", "закрыто и не реализовано", "сделка провалена",
		   "закрыта неуспешно", "провалена", "输单", "已输单", "丢单", "失败")},
};

const char *import_stage_kind(const char *name)
{
	char *key = import_header_key(name);
	const char *kind = NULL;
	for (size_t i = 0; key && *key && !kind && i < sizeof closed_names / sizeof *closed_names;
	     i++)
		for (int k = 0; closed_names[i].names[k] && !kind; k++) {
			char *alias = import_header_key(closed_names[i].names[k]);
			if (alias && !strcmp(alias, key))
				kind = closed_names[i].kind;
			free(alias);
		}
	free(key);
	return kind;
}

/* The first stage (by position) whose field equals v, within the pipeline
 * when one is given; 0 if none. */
static int64_t first_stage(struct importer *im, const char *field, const char *v, int64_t pipeline)
{
	const struct entity_def *se = model_entity("stages");
	struct list_query q = {.ent = se, .limit = 1, .scope = {SCOPE_ALL}};
	struct value text = {.kind = V_TEXT, .s = v, .len = strlen(v)};
	struct value pv = {.kind = V_INT, .i = pipeline};
	q.filters[q.nfilters++] = (struct filter){entity_field_index(se, field), OP_EQ, &text, 1};
	if (pipeline)
		q.filters[q.nfilters++] =
			(struct filter){entity_field_index(se, "pipeline_id"), OP_EQ, &pv, 1};
	q.sort[0] = (struct sort_key){entity_field_index(se, "position"), false};
	q.sort[1] = (struct sort_key){0, false};
	q.nsort = 2;
	struct record **rows;
	int n = 0;
	bool more;
	struct rp_error ignore;
	rp_error_init(&ignore);
	if (store_list(im->d.c, &q, im->d.a, &rows, &n, &more, &ignore) || n == 0)
		return 0;
	return record_int(rows[0], "id");
}

static int64_t default_pipeline(struct importer *im)
{
	const struct entity_def *pe = model_entity("pipelines");
	struct list_query q = {.ent = pe, .limit = 1, .scope = {SCOPE_ALL}};
	struct value yes = {.kind = V_INT, .i = 1};
	q.filters[0] = (struct filter){entity_field_index(pe, "is_default"), OP_EQ, &yes, 1};
	q.nfilters = 1;
	q.sort[0] = (struct sort_key){0, false};
	q.nsort = 1;
	struct record **rows;
	int n = 0;
	bool more;
	struct rp_error ignore;
	rp_error_init(&ignore);
	if (store_list(im->d.c, &q, im->d.a, &rows, &n, &more, &ignore) || n == 0)
		return 0;
	return record_int(rows[0], "id");
}

static int64_t find_stage(struct importer *im, const char *name, int64_t pipeline)
{
	/* in the row's own pipeline, its stage of that name, else of that kind */
	if (pipeline) {
		int64_t id = first_stage(im, "name", name, pipeline);
		const char *kind = id ? NULL : import_stage_kind(name);
		if (kind)
			id = first_stage(im, "kind", kind, pipeline);
		if (id)
			return id;
	}
	/* a stage of that name anywhere (another pipeline's is refused, and
	 * says so), else the default pipeline's won or lost stage */
	int64_t id = store_find_by(im->d.c, model_entity("stages"), "name", name);
	const char *kind = id || pipeline ? NULL : import_stage_kind(name);
	if (kind)
		id = first_stage(im, "kind", kind, default_pipeline(im));
	return id;
}

/* A deal created in a won or lost stage is won or lost: the record
 * service takes the status from the stage only when the body has none,
 * and on create the status default is already there. */
static void close_deal(struct importer *im, int64_t stage, json_t *body)
{
	struct record *st;
	struct rp_error ignore;
	rp_error_init(&ignore);
	if (json_object_get(body, "status") ||
	    store_get(im->d.c, model_entity("stages"), stage, im->d.a, &st, &ignore))
		return;
	const char *kind = record_text(st, "kind");
	if (kind && strcmp(kind, "open"))
		json_object_set_new(body, "status", json_string(kind));
}

int64_t import_deal_stage(struct importer *im, const char *name, json_t *body)
{
	int64_t pipeline = json_integer_value(json_object_get(body, "pipeline_id"));
	int64_t id = find_stage(im, name, pipeline);
	if (id)
		close_deal(im, id, body);
	return id;
}
