/* pg_internal.h — what pg_search.c gives the PostgreSQL driver's table in
 * pg.c (see db_driver in internal.h for what each does). */
#pragma once
#include "store/internal.h"

char *pq_search_prefix(const char *match);
void pq_sql_match(struct sql *q, const char *alias, const char *table, const char *match);
enum rp_err pq_search_put(struct store_conn *c, const int64_t *keys, const char *const *texts,
			  int n, struct rp_error *err);
enum rp_err pq_search_add(struct store_conn *c, const int64_t *keys, const char *const *texts,
			  int n, struct rp_error *err);
void pq_sql_contains(struct sql *q, const char *column, const struct value *v, bool prefix);
