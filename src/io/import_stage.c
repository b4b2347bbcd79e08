/* import_stage.c — a deal's stage from the name a file gives it. By the
 * stage's own name first, then written otherwise ("negotiation",
 * "Proposal / Quote"); else an open stage as other CRMs name theirs
 * ("Negotiation/Review" in Salesforce, "Contract Sent" in HubSpot) lands in
 * the stage of ours it is closest to, if the pipeline kept that one; a
 * closed deal as they write it ("Closed Won" in Salesforce, HubSpot and
 * Zoho, "Успешно реализовано" in amoCRM, "Сделка провалена" in Bitrix24,
 * "赢单" ...) in the won or lost stage (a stage's `kind`) — of the row's
 * pipeline, or of the default pipeline when the row names none. */
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

/* Open stages of other CRMs, by the name of the default pipeline's stage
 * each comes closest to. */
static const struct {
	const char *ours;
	const char *const *names;
} open_names[] = {
	{"Prospecting", N("appointment scheduled", "new", "new deal", "lead in", "initial contact",
			  "первичный контакт", "новая", "новая сделка", "新商机", "初步接洽")},
	{"Qualification", N("qualified to buy", "needs analysis", "discovery", "квалификация",
			    "выявление потребностей", "需求分析", "资格审查")},
	{"Proposal",
	 N("proposal/price quote", "value proposition", "id. decision makers",
	   "perception analysis", "presentation scheduled", "decision maker bought-in", "quote",
	   "коммерческое предложение", "предложение", "презентация", "报价", "方案", "方案报价")},
	{"Negotiation", N("negotiation/review", "contract sent", "переговоры",
			  "согласование договора", "谈判", "商务谈判", "合同")},
};

/* Our stage name the folded key stands for, or NULL. */
static const char *ours_for(const char *key)
{
	for (size_t i = 0; i < sizeof open_names / sizeof *open_names; i++)
		for (int k = 0; open_names[i].names[k]; k++)
			if (import_header_is(key, open_names[i].names[k]))
				return open_names[i].ours;
	return NULL;
}

#define PIPELINE_STAGES_MAX 100
#define PIPELINES_MAX	    200

/* What other CRMs call the pipeline every deal is in until there are more. */
static const char *const default_pipelines[] = {
	"sales pipeline", "default",	      "default pipeline", "pipeline", "sales",	 "standard",
	"воронка",	  "основная воронка", "воронка продаж",	  "общая",    "продажи", "销售管道",
	"默认",		  "默认管道",	      "销售流程",	  NULL};

/* The stages and pipelines names led to, this run's: a file of Salesforce
 * opportunities names "Negotiation/Review" on every row, and finding what
 * it stands for reads the pipeline's stages (20 µs a row). A small ring:
 * a file names a few of them. */
#define STAGE_MEMO 64
struct stage_memo {
	struct {
		char kind; /* 's' a stage, 'p' a pipeline; 0: a free slot */
		int64_t pipeline, id;
		char *name;
	} slot[STAGE_MEMO];
	int next;
};

static int64_t *memo_slot(struct importer *im, char kind, int64_t pipeline, const char *name,
			  bool *found)
{
	if (!im->stages) {
		im->stages = arena_alloc(im->run_arena, sizeof *im->stages);
		memset(im->stages, 0, sizeof *im->stages);
	}
	struct stage_memo *m = im->stages;
	for (int i = 0; i < STAGE_MEMO; i++)
		if (m->slot[i].kind == kind && m->slot[i].pipeline == pipeline &&
		    !strcmp(m->slot[i].name, name)) {
			*found = true;
			return &m->slot[i].id;
		}
	int i = m->next;
	m->next = (m->next + 1) % STAGE_MEMO;
	m->slot[i].kind = kind;
	m->slot[i].pipeline = pipeline;
	m->slot[i].name = arena_strdup(im->run_arena, name);
	m->slot[i].id = 0;
	*found = false;
	return &m->slot[i].id;
}

/* The rows of q (a few: a pipeline's stages, the pipelines); 0 on failure. */
static int rows_of(struct importer *im, const struct list_query *q, struct record ***ret)
{
	int n = 0;
	bool more;
	struct rp_error err;
	rp_error_init(&err);
	return store_list(im->d.c, q, im->d.a, ret, &n, &more, &err) ? 0 : n;
}

static int64_t find_pipeline(struct importer *im, const char *name)
{
	const struct entity_def *pe = model_entity("pipelines");
	int64_t id = store_find_by(im->d.c, pe, "name", name);
	if (id)
		return id;
	struct list_query q = {.ent = pe, .scope = {SCOPE_ALL}, .limit = PIPELINES_MAX};
	q.sort[q.nsort++] = (struct sort_key){0, false}; /* by id */
	struct record **rows;
	char *key = import_header_key(name);
	int n = key ? rows_of(im, &q, &rows) : 0;
	for (int i = 0; i < n && !id; i++) {
		const char *pname = record_text(rows[i], "name");
		if (pname && import_header_is(key, pname))
			id = record_int(rows[i], "id");
	}
	for (int k = 0; key && !id && default_pipelines[k]; k++)
		if (import_header_is(key, default_pipelines[k]))
			id = domain_default_pipeline(im->d.c, im->d.a);
	free(key);
	return id;
}

/* The pipeline's stage name names when both are folded (case, spaces and
 * punctuation aside), else the one of ours it stands for; 0 if none. */
static int64_t stage_alike(struct importer *im, const char *name, int64_t pipeline)
{
	const struct entity_def *se = model_entity("stages");
	struct value pv = {.kind = V_INT, .i = pipeline};
	struct list_query q = {.ent = se, .scope = {SCOPE_ALL}, .limit = PIPELINE_STAGES_MAX};
	q.filters[q.nfilters++] =
		(struct filter){entity_field_index(se, "pipeline_id"), OP_EQ, &pv, 1};
	q.sort[q.nsort++] = (struct sort_key){entity_field_index(se, "position"), false};
	q.sort[q.nsort++] = (struct sort_key){0, false};
	struct record **rows;
	char *key = import_header_key(name);
	int n = key ? rows_of(im, &q, &rows) : 0;
	const char *ours = key ? ours_for(key) : NULL;
	char *ours_key = ours ? import_header_key(ours) : NULL;
	int64_t named = 0, closest = 0;
	for (int i = 0; i < n && !named; i++) {
		const char *stage = record_text(rows[i], "name");
		char *sk = stage ? import_header_key(stage) : NULL;
		if (sk && !strcmp(sk, key))
			named = record_int(rows[i], "id");
		else if (sk && ours_key && !closest && !strcmp(sk, ours_key))
			closest = record_int(rows[i], "id");
		free(sk);
	}
	free(ours_key);
	free(key);
	return named ? named : closest;
}

/* In the pipeline: the stage of that name, written so or otherwise, else
 * of that kind (won, lost). */
static int64_t stage_in(struct importer *im, const char *name, int64_t pipeline)
{
	int64_t id = domain_first_stage(im->d.c, pipeline, "name", name, im->d.a);
	if (!id)
		id = stage_alike(im, name, pipeline);
	const char *kind = id ? NULL : import_stage_kind(name);
	if (kind)
		id = domain_first_stage(im->d.c, pipeline, "kind", kind, im->d.a);
	return id;
}

static int64_t find_stage(struct importer *im, const char *name, int64_t pipeline)
{
	int64_t id = pipeline ? stage_in(im, name, pipeline) : 0;
	if (id)
		return id;
	/* a stage of that name anywhere (another pipeline's is refused, and
	 * says so), else one of the default pipeline's */
	id = store_find_by(im->d.c, model_entity("stages"), "name", name);
	if (!id && !pipeline)
		id = stage_in(im, name, domain_default_pipeline(im->d.c, im->d.a));
	return id;
}

int64_t import_pipeline(struct importer *im, const char *name)
{
	bool found;
	int64_t *id = memo_slot(im, 'p', 0, name, &found);
	return found ? *id : (*id = find_pipeline(im, name));
}

int64_t import_deal_stage(struct importer *im, const char *name, json_t *body)
{
	/* its status follows (the record service takes it from the stage) */
	int64_t pipeline = json_integer_value(json_object_get(body, "pipeline_id"));
	bool found;
	int64_t *id = memo_slot(im, 's', pipeline, name, &found);
	return found ? *id : (*id = find_stage(im, name, pipeline));
}
