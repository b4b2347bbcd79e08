/* list_query.c — feeds a list request's query parameters to
 * model_parse_list_query (src/model/query.c): filters f=v and f[op]=v with
 * every operator and field type, sort, limit, fields, include, q, deleted
 * and the keyset cursor. The first byte picks the entity; the rest is
 * "k=v&k=v" as libmicrohttpd hands it over (already unescaped). A key
 * "@cursor" sends its value base64url-encoded as the cursor, so the
 * fuzzer can work on the cursor's JSON directly. Checks that a success
 * stays inside the query's limits and a failure names its parameter. */
#include <string.h>

#include "core/codec.h"
#include "harness.h"
#include "model/query.h"
#include "model/registry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAXP 48

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	model_init();
	if (size < 1)
		return 0;
	const struct entity_def *e = model_entity_at(data[0] % model_entity_count());
	char *parts[MAXP];
	int n = fuzz_split(data + 1, size - 1, '&', parts, MAXP);
	struct query_param params[MAXP];
	struct arena *a = arena_new();
	for (int i = 0; i < n; i++) {
		char *eq = strchr(parts[i], '=');
		if (eq)
			*eq = '\0';
		params[i] = (struct query_param){parts[i], eq ? eq + 1 : ""};
		if (!strcmp(params[i].key, "@cursor")) {
			struct buf b;
			buf_init(&b, 0);
			base64url_encode(&b, params[i].value, strlen(params[i].value));
			params[i] = (struct query_param){"cursor", arena_strdup(a, buf_str(&b))};
			buf_release(&b);
		}
	}
	struct list_query q;
	struct rp_error err;
	rp_error_init(&err);
	enum rp_err rc = model_parse_list_query(e, params, n, a, &q, &err);
	if (rc == RP_OK) {
		FUZZ_CHECK(q.limit >= 1 && q.limit <= QUERY_MAX_LIMIT, "limit out of range");
		FUZZ_CHECK(q.nfilters <= QUERY_MAX_FILTERS, "too many filters");
		FUZZ_CHECK(q.nsort >= 1 && q.nsort <= QUERY_MAX_SORT + 1, "sort key count");
		FUZZ_CHECK(q.ninclude <= QUERY_MAX_INCLUDE, "too many includes");
		int nf = entity_nfields(e);
		for (int i = 0; i < q.nsort; i++)
			FUZZ_CHECK(q.sort[i].field >= 0 && q.sort[i].field < nf, "sort field");
		for (int i = 0; i < q.nfilters; i++) {
			FUZZ_CHECK(q.filters[i].field >= 0 && q.filters[i].field < nf,
				   "filter field");
			FUZZ_CHECK(q.filters[i].op < OP_COUNT, "filter op");
			FUZZ_CHECK(q.filters[i].nvals >= 1 && q.filters[i].nvals <= QUERY_MAX_IN,
				   "filter values");
			for (int k = 0; k < q.filters[i].nvals; k++) {
				const struct value *v = &q.filters[i].vals[k];
				FUZZ_CHECK(v->kind != V_TEXT || (v->s && strlen(v->s) == v->len),
					   "a text value whose length is wrong");
			}
		}
		for (int i = 0; i < q.ninclude; i++)
			FUZZ_CHECK(q.include[i] != NULL, "an include of no entity");
	} else {
		FUZZ_CHECK(err.err == RP_EINVAL && err.nfields >= 1,
			   "a refused list query that names no parameter");
	}
	arena_free(a);
	fuzz_free_parts(parts, n);
	return 0;
}
