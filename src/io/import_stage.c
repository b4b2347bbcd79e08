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
		for (int k = 0; closed_names[i].names[k] && !kind; k++)
			if (import_header_is(key, closed_names[i].names[k]))
				kind = closed_names[i].kind;
	free(key);
	return kind;
}

static int64_t find_stage(struct importer *im, const char *name, int64_t pipeline)
{
	/* in the row's own pipeline, its stage of that name, else of that kind */
	if (pipeline) {
		int64_t id = domain_first_stage(im->d.c, pipeline, "name", name, im->d.a);
		const char *kind = id ? NULL : import_stage_kind(name);
		if (kind)
			id = domain_first_stage(im->d.c, pipeline, "kind", kind, im->d.a);
		if (id)
			return id;
	}
	/* a stage of that name anywhere (another pipeline's is refused, and
	 * says so), else the default pipeline's won or lost stage */
	int64_t id = store_find_by(im->d.c, model_entity("stages"), "name", name);
	const char *kind = id || pipeline ? NULL : import_stage_kind(name);
	if (kind)
		id = domain_first_stage(im->d.c, domain_default_pipeline(im->d.c, im->d.a), "kind",
					kind, im->d.a);
	return id;
}

int64_t import_deal_stage(struct importer *im, const char *name, json_t *body)
{
	/* its status follows (the record service takes it from the stage) */
	return find_stage(im, name, json_integer_value(json_object_get(body, "pipeline_id")));
}
