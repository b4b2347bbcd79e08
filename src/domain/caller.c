/* caller.c — who a request's caller is, remembered between requests.
 * Naming the caller took two statements on every request (the token's
 * user, then the user with the role) and a parse of the role's
 * permissions: more than a tenth of the server's time for a record read
 * (perf, get at 10k; with this memo get went from 74k to 91k requests a
 * second). An entry here is used while the database's auth_version is the
 * one it was read at. Triggers count in it every write to users, roles,
 * api_tokens and custom_fields, whichever process writes (this server,
 * another on the same database, the shell), so a revoked token, a
 * disabled user or a changed role counts from the next request, as it did
 * without the memo.
 * Slots are direct-mapped, each with its own lock; a hit copies the user
 * into the request's arena under it. Failures are not remembered. */
#include "domain/domain.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "core/xalloc.h"

#define TOKEN_SLOTS 256
#define USER_SLOTS  256

struct token_slot {
	pthread_mutex_t lock;
	uint64_t instance; /* the store's (store_instance); 0: empty */
	int64_t version;   /* auth_version when it was read */
	char hash[65];
	int64_t user_id;
};

/* A role's permissions, shared by a slot and the requests it answered.
 * jansson's own count is not for threads (json_incref reads it plainly
 * before its atomic add), so this count is: the JSON, the slot's own
 * copy, is only read by requests and freed by the last holder. */
struct shared_perms {
	atomic_int holders;
	json_t *json;
};

struct user_slot {
	pthread_mutex_t lock;
	uint64_t instance;
	int64_t version;
	struct principal p; /* p.user in arena, p.perms perms->json */
	struct arena *arena;
	struct shared_perms *perms;
};

static struct token_slot tokens[TOKEN_SLOTS];
static struct user_slot users[USER_SLOTS];
static pthread_once_t slots_once = PTHREAD_ONCE_INIT;

static void init_slots(void)
{
	for (int i = 0; i < TOKEN_SLOTS; i++)
		pthread_mutex_init(&tokens[i].lock, NULL);
	for (int i = 0; i < USER_SLOTS; i++)
		pthread_mutex_init(&users[i].lock, NULL);
}

static struct token_slot *token_slot(const char *hash)
{
	return &tokens[fnv1a(0, hash, strlen(hash)) % TOKEN_SLOTS];
}

static struct user_slot *user_slot(int64_t user_id)
{
	return &users[(uint64_t)user_id % USER_SLOTS];
}

static bool token_recall(uint64_t instance, int64_t version, const char *hash, int64_t *user_id)
{
	struct token_slot *t = token_slot(hash);
	pthread_mutex_lock(&t->lock);
	bool hit = t->instance == instance && t->version == version && !strcmp(t->hash, hash);
	if (hit)
		*user_id = t->user_id;
	pthread_mutex_unlock(&t->lock);
	return hit;
}

static void token_remember(uint64_t instance, int64_t version, const char *hash, int64_t user_id)
{
	struct token_slot *t = token_slot(hash);
	pthread_mutex_lock(&t->lock);
	t->instance = instance;
	t->version = version;
	memcpy(t->hash, hash, sizeof t->hash);
	t->user_id = user_id;
	pthread_mutex_unlock(&t->lock);
}

static struct shared_perms *perms_share(const json_t *perms)
{
	if (!perms)
		return NULL;
	struct shared_perms *sp = xcalloc(1, sizeof *sp);
	atomic_init(&sp->holders, 1);
	sp->json = json_deep_copy(perms);
	return sp;
}

static void perms_release(void *p)
{
	struct shared_perms *sp = p;
	if (sp && atomic_fetch_sub_explicit(&sp->holders, 1, memory_order_acq_rel) == 1) {
		json_decref(sp->json);
		free(sp);
	}
}

/* A copy of what the slot remembers, owned by a. Slot lock held. */
static struct principal *principal_copy(const struct user_slot *u, struct arena *a)
{
	struct principal *p = arena_alloc(a, sizeof *p);
	*p = u->p;
	p->user = record_copy(a, u->p.user);
	if (u->perms) {
		atomic_fetch_add_explicit(&u->perms->holders, 1, memory_order_relaxed);
		arena_on_release(a, perms_release, u->perms);
	}
	return p;
}

static struct principal *user_recall(uint64_t instance, int64_t version, int64_t user_id,
				     struct arena *a)
{
	struct user_slot *u = user_slot(user_id);
	struct principal *p = NULL;
	pthread_mutex_lock(&u->lock);
	if (u->instance == instance && u->version == version && u->p.user_id == user_id)
		p = principal_copy(u, a);
	pthread_mutex_unlock(&u->lock);
	return p;
}

static void user_remember(uint64_t instance, int64_t version, const struct principal *p)
{
	struct user_slot *u = user_slot(p->user_id);
	struct arena *fresh = arena_new();
	struct record *user = record_copy(fresh, p->user);
	struct shared_perms *perms = perms_share(p->perms);
	pthread_mutex_lock(&u->lock);
	struct arena *old = u->arena;
	struct shared_perms *old_perms = u->perms;
	u->p = *p;
	u->p.user = user;
	u->p.perms = perms ? perms->json : NULL;
	u->perms = perms;
	u->arena = fresh;
	u->instance = instance;
	u->version = version;
	pthread_mutex_unlock(&u->lock);
	perms_release(old_perms);
	arena_free(old);
}

/* The user's principal as of auth_version `version`. */
static enum rp_err caller_user(struct store_conn *c, int64_t version, int64_t user_id,
			       struct arena *a, struct principal **ret, struct rp_error *err)
{
	uint64_t instance = store_instance(c);
	if ((*ret = user_recall(instance, version, user_id, a)))
		return RP_OK;
	if (domain_principal(c, user_id, a, ret, err))
		return err->err;
	user_remember(instance, version, *ret);
	return RP_OK;
}

/* The auth_version of the request's snapshot, read before anything it
 * vouches for. */
static enum rp_err current_version(struct store_conn *c, int64_t *ret, struct rp_error *err)
{
	pthread_once(&slots_once, init_slots);
	return store_auth_version(c, ret, err);
}

enum rp_err domain_caller_user(struct store_conn *c, int64_t user_id, struct arena *a,
			       struct principal **ret, struct rp_error *err)
{
	int64_t version;
	if (current_version(c, &version, err))
		return err->err;
	return caller_user(c, version, user_id, a, ret, err);
}

enum rp_err domain_caller_token(struct store_conn *c, const char *secret, struct arena *a,
				struct principal **ret, struct rp_error *err)
{
	char hash[65];
	domain_secret_hash(secret, hash);
	int64_t version, user_id, token_id;
	if (current_version(c, &version, err))
		return err->err;
	uint64_t instance = store_instance(c);
	if (!token_recall(instance, version, hash, &user_id)) {
		if (store_token_find(c, hash, &user_id, &token_id, err))
			return err->err;
		token_remember(instance, version, hash, user_id);
	}
	return caller_user(c, version, user_id, a, ret, err);
}
