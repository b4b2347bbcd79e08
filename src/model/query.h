/* query.h — a list request as data: filters, sort keys, keyset cursor,
 * projection and row scope. Parsed and validated here from the query
 * string against the entity's descriptor; compiled to SQL by the store. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "model/record.h"

enum filter_op {
	OP_EQ,
	OP_NE,
	OP_LT,
	OP_LTE,
	OP_GT,
	OP_GTE,
	OP_IN,
	OP_CONTAINS,
	OP_PREFIX,
	OP_NULL,
	OP_COUNT
};

#define QUERY_MAX_FILTERS   32
#define QUERY_MAX_SORT	    6 /* user keys; id is always appended */
#define QUERY_MAX_IN	    100
#define QUERY_MAX_INCLUDE   4
#define QUERY_DEFAULT_LIMIT 50
#define QUERY_MAX_LIMIT	    500

struct filter {
	int field;
	enum filter_op op;
	struct value *vals; /* one, or several for OP_IN */
	int nvals;
};

struct sort_key {
	int field;
	bool desc;
};

/* Which rows a caller may see: the ACL scope turned into data. */
enum row_scope { SCOPE_NONE, SCOPE_OWN, SCOPE_TEAM, SCOPE_ALL };

struct scope {
	enum row_scope scope;
	int64_t user_id, team_id;
};

struct query_param {
	const char *key, *value;
};

struct list_query {
	const struct entity_def *ent;
	struct filter filters[QUERY_MAX_FILTERS];
	int nfilters;
	struct sort_key sort[QUERY_MAX_SORT + 1];
	int nsort;
	int limit;
	struct value *after; /* cursor: one value per sort key, or NULL */
	bool *want;	     /* fields= projection (NULL: all readable) */
	int nwant;	     /* entries in want */
	const char *q;	     /* full-text query as typed */
	const char *match;   /* q as a full-text expression (set by domain) */
	bool deleted;	     /* the recycle bin instead of live rows */
	const struct entity_def *include[QUERY_MAX_INCLUDE];
	int include_field[QUERY_MAX_INCLUDE]; /* the FT_REF field to follow */
	int ninclude;
	struct scope scope;
};

/* Parses list parameters (filters `f=v` and `f[op]=v`, sort, limit,
 * cursor, fields, include, q, deleted). Errors carry the parameter name as
 * the field. */
enum rp_err model_parse_list_query(const struct entity_def *e, const struct query_param *params,
				   int n, struct arena *a, struct list_query *ret,
				   struct rp_error *err);

/* The opaque cursor that continues after row `r` in q's order. Owned by a. */
const char *model_encode_cursor(const struct list_query *q, const struct record *r,
				struct arena *a);

const char *filter_op_name(enum filter_op op);
