/* dedup.h — normalised keys that tell when two records are the same
 * customer, and a name similarity (see dedup.c). */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "domain/domain.h"

/* The country (ISO 3166 alpha-2) whose national phone numbers are
 * completed with its calling code when no other is given; "" for none. */
void dedup_set_default_country(const char *cc);
const char *dedup_default_country(void);
bool dedup_known_country(const char *iso);

/* Each writes the key into out (n bytes) and returns false when s has
 * none (no @, too few digits). */
bool dedup_email_key(const char *s, char *out, size_t n);
/* country NULL or "": the default country. */
bool dedup_phone_key(const char *s, const char *country, char *out, size_t n);
/* The keys a number of country (key as dedup_phone_key made it) has when
 * it was saved with no country to complete it: written nationally, with
 * the trunk prefix and without ("89161234567", "9161234567" for RU's
 * 79161234567). Returns how many (0-2) went to out. */
int dedup_phone_national_keys(const char *key, const char *country, char out[2][32]);
/* Latin letters of the name's words in sorted order, run together;
 * a person's Chinese name counts as two words, family and given name
 * ("张伟" = "Wei Zhang" = "Zhang Wei"); companies lose their legal form
 * ("ООО Ромашка" = "Romashka LLC").
 * malloc'd; NULL when nothing is left. */
char *dedup_name_key(const char *s, bool company);
/* Jaro-Winkler similarity of two keys, 0..1; from DEDUP_SIMILAR_NAME on,
 * two names are spelled alike enough to be one person's or company's
 * ("petrov" ~ "petrow", "catherine" ~ "katherine", not "ivanov"). */
double dedup_similarity(const char *a, const char *b);
#define DEDUP_SIMILAR_NAME 0.94
/* Whether two name keys (or their name parts) are one name misspelled:
 * Jaro-Winkler from DEDUP_SIMILAR_NAME, and one letter changed, added,
 * dropped, or two swapped, in a name long enough for that to be a slip. */
bool dedup_names_alike(const char *a, const char *b);
/* Whether s has a Chinese character: names written so match exactly by
 * their pinyin, and one syllable apart are other people's (小明, 小敏). */
bool dedup_has_han(const char *s);
/* Whether every character of s is a Chinese one ("" too). */
bool dedup_all_han(const char *s);

/* Whether e has fields that find duplicates. */
bool dedup_applies(const struct entity_def *e);
/* Whether a field the duplicate keys come from (company_part's too)
 * differs between two versions of a record. */
bool dedup_inputs_differ(const struct entity_def *e, const struct record *old,
			 const struct record *fresh);
/* The keys of r's FF_MATCH fields (strings in a); returns the count. */
int dedup_keys_of(const struct entity_def *e, const struct record *r, const char *country,
		  struct arena *a, struct dedup_key *ret, int max);
/* Stores r's keys for record id (called on every write); is_new: the
 * record was just inserted and has no keys yet. */
enum rp_err dedup_index(struct store_conn *c, const struct entity_def *e, int64_t id,
			const struct record *r, bool is_new, struct arena *a, struct rp_error *err);
/* After store_repoint moved the people of account from_id to to_id
 * (a merge of accounts), their name keys, which begin with the account,
 * move too. Nothing for other entities. */
enum rp_err dedup_repoint(struct store_conn *c, const struct entity_def *e, int64_t from_id,
			  int64_t to_id, struct arena *a, struct rp_error *err);
/* The keys of records just inserted (each with its "id"), together. */
enum rp_err dedup_index_new_many(struct store_conn *c, const struct entity_def *e,
				 struct record *const *rows, int n, struct arena *a,
				 struct rp_error *err);
