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
#include <string.h>

#include "core/hash.h"

#define TOKEN_SLOTS 256
#define USER_SLOTS  256

struct token_slot {
	pthread_mutex_t lock;
	uint64_t instance; /* the store's (store_instance); 0: empty */
	int64_t version;   /* auth_version when it was read */
	char hash[65];
	int64_t user_id;
};

struct user_slot {
	pthread_mutex_t lock;
	uint64_t instance;
	int64_t version;
	struct principal p; /* p.user in arena; the slot holds a reference to p.perms */
	struct arena *arena;
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

static void decref(void *p)
{
	json_decref(p);
}

/* A copy of what the slot remembers, owned by a. */
static struct principal *principal_copy(const struct principal *from, struct arena *a)
{
	struct principal *p = arena_alloc(a, sizeof *p);
	*p = *from;
	p->user = record_copy(a, from->user);
	if (p->perms) {
		json_incref(p->perms);
		arena_on_release(a, decref, p->perms);
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
		p = principal_copy(&u->p, a);
	pthread_mutex_unlock(&u->lock);
	return p;
}

static void user_remember(uint64_t instance, int64_t version, const struct principal *p)
{
	struct user_slot *u = user_slot(p->user_id);
	struct arena *fresh = arena_new();
	struct record *user = record_copy(fresh, p->user);
	pthread_mutex_lock(&u->lock);
	struct arena *old = u->arena;
	json_t *old_perms = u->p.perms;
	u->p = *p;
	u->p.user = user;
	u->p.perms = json_incref(p->perms);
	u->arena = fresh;
	u->instance = instance;
	u->version = version;
	pthread_mutex_unlock(&u->lock);
	json_decref(old_perms);
	arena_free(old);
}

/* The user's principal as of auth_version `version` (read in the same
 * snapshot, before anything it names). */
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

enum rp_err domain_caller_user(struct store_conn *c, int64_t user_id, struct arena *a,
			       struct principal **ret, struct rp_error *err)
{
	pthread_once(&slots_once, init_slots);
	int64_t version;
	if (store_auth_version(c, &version, err))
		return err->err;
	return caller_user(c, version, user_id, a, ret, err);
}

enum rp_err domain_caller_token(struct store_conn *c, const char *secret, struct arena *a,
				struct principal **ret, struct rp_error *err)
{
	pthread_once(&slots_once, init_slots);
	char hash[65];
	domain_secret_hash(secret, hash);
	int64_t version, user_id, token_id;
	if (store_auth_version(c, &version, err))
		return err->err;
	uint64_t instance = store_instance(c);
	if (!token_recall(instance, version, hash, &user_id)) {
		if (store_token_find(c, hash, &user_id, &token_id, err))
			return err->err;
		token_remember(instance, version, hash, user_id);
	}
	return caller_user(c, version, user_id, a, ret, err);
}
