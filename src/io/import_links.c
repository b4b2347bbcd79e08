/* import_links.c — the records a row links to: an account by its name
 * (remembered for the run, created when missing), a contact by e-mail or
 * name within the row's account, an owner by e-mail or name, any record
 * by the old system's id, and what an activity is about — as a file
 * names them. import_rows.c puts the ids found into the row. */
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "core/xalloc.h"
#include "domain/dedup.h"
#include "io/import_internal.h"
#include "model/registry.h"

static int64_t find_by_key(struct store_conn *c, const struct entity_def *e, const char *kind,
			   const char *key)
{
	int64_t id = 0;
	return store_dedup_find(c, e, kind, key, 0, &id, 1) ? id : 0;
}

/* Rows of one company follow each other or recur all through a file:
 * the account a name led to is remembered for the run (until a rollback,
 * see import_forget_links). A remembered account deleted meanwhile fails
 * the row's reference check, and the row is written again without it.
 * The table grows with the file's companies up to ACCOUNT_MEMO_MAX slots
 * (about 10 MB with the names), then starts again: a fixed 1,024 slots
 * missed 98 % of a 1M-row file's 50,000 companies, each miss a look-up. */
#define ACCOUNT_MEMO_MIN 1024
#define ACCOUNT_MEMO_MAX (1u << 18)

struct account_memo {
	uint64_t hash;
	char *name; /* NULL: a free slot */
	int64_t id;
};

static uint64_t name_hash(const char *s)
{
	return fnv1a(0, s, strlen(s));
}

/* The slot holding name, or the free slot where it would go. */
static struct account_memo *account_slot(struct account_memo *tab, size_t cap, const char *name,
					 uint64_t h)
{
	for (size_t i = h & (cap - 1);; i = (i + 1) & (cap - 1))
		if (!tab[i].name || (tab[i].hash == h && !strcmp(tab[i].name, name)))
			return &tab[i];
}

static void forget_accounts(struct importer *im)
{
	for (size_t i = 0; i < im->naccount_slots; i++)
		free(im->accounts[i].name);
	free(im->accounts);
	im->accounts = NULL;
	im->naccount_slots = im->naccounts = 0;
}

/* Makes room for one more name: the table doubles at 70 % full, and at
 * its largest is emptied instead. */
static void account_room(struct importer *im)
{
	if (im->accounts && (im->naccounts + 1) * 10 <= im->naccount_slots * 7)
		return;
	size_t cap = im->accounts ? im->naccount_slots * 2 : ACCOUNT_MEMO_MIN;
	if (cap > ACCOUNT_MEMO_MAX) {
		forget_accounts(im);
		cap = ACCOUNT_MEMO_MIN;
	}
	struct account_memo *tab = xcalloc(cap, sizeof *tab);
	for (size_t i = 0; i < im->naccount_slots; i++)
		if (im->accounts[i].name)
			*account_slot(tab, cap, im->accounts[i].name, im->accounts[i].hash) =
				im->accounts[i];
	free(im->accounts);
	im->accounts = tab;
	im->naccount_slots = cap;
}

static void remember_account(struct importer *im, const char *name, int64_t id)
{
	account_room(im);
	uint64_t h = name_hash(name);
	struct account_memo *m = account_slot(im->accounts, im->naccount_slots, name, h);
	if (!m->name) {
		*m = (struct account_memo){.hash = h, .name = xstrdup(name)};
		im->naccounts++;
	}
	m->id = id;
}

static int64_t remembered_account(struct importer *im, const char *name)
{
	if (!im->accounts)
		return 0;
	struct account_memo *m =
		account_slot(im->accounts, im->naccount_slots, name, name_hash(name));
	return m->name ? m->id : 0;
}

void import_forget_links(struct importer *im)
{
	forget_accounts(im);
	if (im->d.seen) /* the records may be gone with the rollback */
		domain_remember_refs(&im->d, true);
}

/* The account so named, by its name's key ("ООО «Ромашка»" is "Romashka
 * LLC"). */
static int64_t account_found(struct importer *im, const char *name)
{
	int64_t id = remembered_account(im, name);
	if (id)
		return id;
	char *key = dedup_name_key(name, true);
	id = key ? find_by_key(im->d.c, model_entity("accounts"), "name", key) : 0;
	free(key);
	if (id)
		remember_account(im, name, id);
	return id;
}

static int64_t account_by_name(struct importer *im, const char *name, struct rp_error *err)
{
	int64_t id = account_found(im, name);
	if (id || !im->create_missing)
		return id;
	const struct entity_def *ae = model_entity("accounts");
	json_t *body = json_pack("{s:s}", "name", name);
	struct record *r;
	struct rp_error cerr;
	rp_error_init(&cerr);
	if (domain_create(&im->d, ae, body, &r, &cerr) == RP_OK) {
		id = record_int(r, "id");
		im->linked_created++;
		if (import_log_change(im, ae, r, "created", NULL, err))
			id = 0;
		else
			remember_account(im, name, id);
	} else {
		rp_field_fail(err, "account_id", "invalid",
			      "the account \"%.60s\" cannot be created: %s", name,
			      cerr.nfields ? cerr.fields[0].message : cerr.detail);
		rp_field_because(err, "company_not_created", name);
	}
	json_decref(body);
	return id;
}

/* The address in a cell naming a person by it: "jane@x.com", or as mail
 * programs and other CRMs write one, "Jane Doe <jane@x.com>" and "Jane
 * Doe (jane@x.com)". The key of the address, or false. */
static bool address_key(const char *s, char *key, size_t n)
{
	static const char stops[] = " \t<>()[],;\"'";
	const char *at = strchr(s, '@'), *b = at, *e = at;
	if (!at)
		return false;
	while (b > s && !strchr(stops, b[-1]))
		b--;
	while (*e && !strchr(stops, *e))
		e++;
	char addr[320];
	if (b == at || e == at + 1 || (size_t)(e - b) >= sizeof addr)
		return false;
	memcpy(addr, b, (size_t)(e - b));
	addr[e - b] = '\0';
	return dedup_email_key(addr, key, n);
}

/* A contact by e-mail, or by name within the row's account (people's name
 * keys carry their company), else by the name exactly as written. */
static int64_t contact_by_name(struct importer *im, const char *s, int64_t account_id)
{
	const struct entity_def *ce = model_entity("contacts");
	char key[320];
	if (address_key(s, key, sizeof key))
		return find_by_key(im->d.c, ce, "email", key);
	char *nk = dedup_name_key(s, false);
	int64_t id = 0;
	if (nk && account_id) {
		char *k = arena_printf(im->d.a, "a%lld:%s", (long long)account_id, nk);
		id = find_by_key(im->d.c, ce, "name", k);
	}
	free(nk);
	return id ? id : store_find_by(im->d.c, ce, "name", s);
}

static int64_t user_by_name(struct importer *im, const char *s)
{
	if (strchr(s, '@'))
		return domain_user_by_email(im->d.c, s, im->d.a);
	return store_find_by(im->d.c, model_entity("users"), "name", s);
}

/* The id of the record a "<ref>" cell names; 0 with a field error. */
int64_t import_ref_by_name(struct importer *im, const struct column *col, const char *cell,
			   json_t *body, struct rp_error *err)
{
	const struct entity_def *re = model_entity(col->f->ref);
	int64_t id = 0;
	if (!strcmp(re->name, "accounts"))
		id = account_by_name(im, cell, err);
	else if (!strcmp(re->name, "contacts"))
		id = contact_by_name(im, cell,
				     json_integer_value(json_object_get(body, "account_id")));
	else if (!strcmp(re->name, "users"))
		id = user_by_name(im, cell);
	else if (!strcmp(re->name, "stages"))
		id = import_deal_stage(im, cell, body);
	else if (!strcmp(re->name, "pipelines"))
		id = import_pipeline(im, cell);
	else
		id = store_find_by(im->d.c, re, re->title_field, cell);
	if (!id && !err->nfields) {
		rp_field_fail(err, col->f->name, "not_found", "no %s named \"%.60s\"", re->singular,
			      cell);
		rp_field_because(err, "none_named", cell);
	}
	return id;
}

int64_t import_ref_by_external_id(struct importer *im, const struct column *col, const char *cell,
				  struct rp_error *err)
{
	const struct entity_def *re = model_entity(col->f->ref);
	int64_t id = store_find_by(im->d.c, re, "external_id", cell);
	if (!id) {
		rp_field_fail(err, col->f->name, "not_found",
			      "no %s with the external id \"%.60s\" (import the %s first)",
			      re->singular, cell, re->name);
		rp_field_because(err, "no_external_id", cell);
	}
	return id;
}

/* A record of re that cell names: people by e-mail or name as a contact
 * column finds them, companies by their name's key, others by title. */
static int64_t named(struct importer *im, const struct entity_def *re, const char *cell,
		     json_t *body)
{
	char key[320];
	const char *type = json_string_value(json_object_get(body, "related_type"));
	if (!strcmp(re->name, "contacts"))
		return contact_by_name(
			im, cell,
			json_integer_value(json_object_get(body, type && !strcmp(type, "accounts")
									 ? "related_id"
									 : "account_id")));
	if (!strcmp(re->name, "accounts"))
		return account_found(im, cell);
	if (!strcmp(re->name, "leads") && address_key(cell, key, sizeof key))
		return find_by_key(im->d.c, re, "email", key);
	return store_find_by(im->d.c, re, re->title_field, cell);
}

/* The record an activity is about: the first of these kinds (only type,
 * when given) with one whose field is cell, or that cell names. */
static bool related_by(struct importer *im, const char *type, const char *field, const char *cell,
		       json_t *body)
{
	static const char *const kinds[] = {"contacts", "accounts", "deals", "leads"};
	for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++) {
		if (type && strcmp(type, kinds[i]))
			continue;
		const struct entity_def *re = model_entity(kinds[i]);
		int64_t id =
			field ? store_find_by(im->d.c, re, field, cell) : named(im, re, cell, body);
		if (id) {
			json_object_set_new(body, "related_type", json_string(kinds[i]));
			json_object_set_new(body, "related_id", json_integer(id));
			return true;
		}
	}
	return false;
}

/* An activity's record in the old system: whichever linked entity has
 * that external id. */
void import_related_by_external_id(struct importer *im, const char *cell, json_t *body,
				   struct rp_error *err)
{
	if (!related_by(im, NULL, "external_id", cell, body)) {
		rp_field_fail(err, "related_id", "not_found",
			      "no contact, account, deal or lead with the external id \"%.60s\"",
			      cell);
		rp_field_because(err, "no_external_id", cell);
	}
}

/* An activity's record by its title: of the row's related_type, else of
 * the first kind that has one so named (an export names each). */
void import_related_by_name(struct importer *im, const char *cell, json_t *body,
			    struct rp_error *err)
{
	/* Several columns may say it (a contact's, a company's): the first
	 * found is kept, but a person beats the company they work at, and
	 * is looked for within it. */
	const char *type = json_string_value(json_object_get(body, "related_type"));
	if (json_object_get(body, "related_id")) {
		if (!type || strcmp(type, "accounts") ||
		    related_by(im, "contacts", NULL, cell, body) ||
		    related_by(im, "leads", NULL, cell, body))
			return;
		type = NULL;
	}
	if (related_by(im, type, NULL, cell, body))
		return;
	rp_field_fail(err, "related_id", "not_found", "no %s named \"%.60s\"",
		      type ? model_entity(type) ? model_entity(type)->singular : type
			   : "contact, account, deal or lead",
		      cell);
	rp_field_because(err, "none_named", cell);
}
