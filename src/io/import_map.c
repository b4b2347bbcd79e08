/* import_map.c — which column of a file goes where. Headers are matched
 * after folding (case, accents, spaces and punctuation ignored) against
 * the names people and other systems give each field: English, Chinese
 * and Russian, and the exports of Salesforce, HubSpot, Zoho, Bitrix24,
 * amoCRM, Outlook and Google Contacts. A target is a field of the entity,
 * "<ref>" (a referenced record by its name: "account", "owner", "stage"),
 * "<ref>.external_id" (by the old system's id) or "" (skip). */
#include "io/import.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "core/i18n.h"
#include "core/textkey.h"
#include "core/xalloc.h"
#include "model/registry.h"

struct alias {
	const char *entity; /* NULL: any entity that has the target */
	const char *target;
	const char *const *names;
};

#define PERSON_NAMES                                                                               \
	N("name", "full name", "contact name", "lead name", "display name", "фио", "полное имя",   \
	  "контакт", "姓名", "名字", "联系人", "联系人姓名")

/* Most specific first: the first alias whose folded name matches wins. */
static const struct alias aliases[] = {
	/* the record's own id in the old system */
	{"contacts", "external_id", N("contact id", "id контакта", "联系人id", "record id")},
	{"accounts", "external_id",
	 N("account id", "company id", "id компании", "客户id", "公司id", "record id")},
	{"leads", "external_id", N("lead id", "id лида", "线索id", "record id")},
	{"deals", "external_id",
	 N("deal id", "opportunity id", "id сделки", "商机id", "record id")},
	{"activities", "external_id", N("activity id", "task id", "event id", "id задачи")},
	{"products", "external_id", N("product id", "id товара", "产品id")},
	{NULL, "external_id", N("id", "external id", "old id", "внешний id", "外部id")},
	/* links to other records by their old ids */
	{NULL, "account.external_id", N("account id", "company id", "id компании", "客户id")},
	{NULL, "contact.external_id", N("contact id", "who id", "id контакта", "联系人id")},
	{NULL, "deal.external_id", N("deal id", "opportunity id", "id сделки", "商机id")},
	{"activities", "related.external_id",
	 N("related to id", "what id", "regarding id", "parent id", "связано с id")},
	{"activities", "related",
	 N("related", "related name", "related to", "связано с", "contact", "contact name",
	   "contact email", "associated contact", "who", "email", "e-mail", "контакт", "эл. почта",
	   "клиент", "联系人", "联系人邮箱", "邮箱", "company", "company name", "account",
	   "account name", "associated company", "компания", "организация", "公司", "客户",
	   "客户名称")},
	/* names */
	{"accounts", "name",
	 N("name", "account name", "company name", "company", "organization", "organisation",
	   "organization name", "название", "название компании", "компания", "наименование",
	   "организация", "公司名称", "公司", "客户名称", "名称", "单位名称", "企业名称")},
	{"deals", "name",
	 N("name", "deal name", "opportunity name", "deal", "название сделки", "сделка", "название",
	   "наименование", "наименование сделки", "商机名称", "商机", "交易名称")},
	{"products", "name",
	 N("name", "product name", "product", "item", "наименование", "товар", "название",
	   "产品名称", "产品", "商品名称", "名称")},
	{"activities", "subject",
	 N("subject", "title", "name", "тема", "название", "主题", "标题")},
	/* people only: elsewhere a contact's name is not the record's name */
	{"contacts", "name", PERSON_NAMES},
	{"leads", "name", PERSON_NAMES},
	{NULL, "given_name", N("first name", "given name", "firstname", "имя", "名")},
	{NULL, "middle_name", N("middle name", "middle", "patronymic", "отчество")},
	{NULL, "family_name",
	 N("last name", "surname", "family name", "lastname", "фамилия", "姓")},
	/* contact details */
	{NULL, "email",
	 N("email", "e-mail", "email address", "e-mail address", "e-mail 1 - value", "work email",
	   "primary email", "e-mail адрес", "адрес e-mail", "рабочий e-mail", "e-mail рабочий",
	   "email рабочий", "рабочий email", "эл. почта", "эл. почта рабочая", "рабочая эл. почта",
	   "рабочая почта", "электронная почта", "адрес электронной почты", "адрес эл. почты",
	   "почта", "邮箱", "邮箱地址", "电子邮件", "电子邮件地址", "电子邮箱", "邮件")},
	{NULL, "email2",
	 N("other email", "e-mail 2 - value", "personal email", "home email", "secondary email",
	   "e-mail 2 address", "личный e-mail", "e-mail личный", "другой e-mail",
	   "личная эл. почта", "эл. почта личная", "другая эл. почта", "личная почта",
	   "частный e-mail", "частный email", "личный email", "домашний e-mail", "private email",
	   "second email", "其他邮箱", "个人邮箱")},
	{NULL, "mobile",
	 N("mobile", "mobile phone", "mobile phone number", "cell", "cell phone", "mobile number",
	   "phone 2 - value", "мобильный", "мобильный телефон", "телефон мобильный", "手机",
	   "手机号", "手机号码", "移动电话")},
	{NULL, "phone",
	 N("phone", "phone number", "business phone", "work phone", "phone 1 - value",
	   "primary phone", "telephone", "телефон", "рабочий телефон", "телефон рабочий", "电话",
	   "联系电话", "座机", "办公电话")},
	{NULL, "title",
	 N("title", "job title", "position", "role", "organization 1 - title", "organization title",
	   "должность", "职位", "职务", "头衔")},
	{NULL, "website",
	 N("website", "web site", "url", "web", "company domain name", "domain", "website url",
	   "домен", "сайт", "网站", "网址", "公司网站")},
	{NULL, "industry", N("industry", "sector", "отрасль", "сфера деятельности", "行业")},
	{"accounts", "employees",
	 N("number of employees", "no. of employees", "employee count", "headcount",
	   "численность сотрудников", "количество сотрудников", "число сотрудников", "员工人数",
	   "员工数")},
	{"accounts", "annual_revenue",
	 N("annual revenue", "revenue", "годовой доход", "годовая выручка", "выручка", "年收入",
	   "年营业额")},
	{NULL, "address",
	 N("address", "street", "billing street", "mailing street", "business street",
	   "address 1 - street", "адрес", "地址", "详细地址")},
	{NULL, "city",
	 N("city", "mailing city", "billing city", "business city", "address 1 - city", "town",
	   "город", "城市", "所在城市")},
	{NULL, "region",
	 N("region", "state", "province", "billing state", "mailing state", "address 1 - region",
	   "регион", "область", "省份", "地区", "省")},
	{NULL, "country",
	 N("country", "mailing country", "billing country", "business country",
	   "address 1 - country", "country/region", "country or region", "business country/region",
	   "страна", "国家", "国家地区")},
	/* the old system's dates (struct history) */
	{NULL, "created_at",
	 N("created at", "created", "created date", "create date", "date created", "created time",
	   "creation date", "created on", "дата создания", "создано", "创建时间", "创建日期")},
	{"deals", "closed_at",
	 N("closed at", "closed date", "date closed", "actual close date", "closed on",
	   "дата закрытия сделки", "成交日期", "关闭日期")},
	{NULL, "marketing_consent",
	 N("marketing consent", "email opt in", "opted in", "subscribed", "subscribed to marketing",
	   "согласие на рассылку", "подписка на рассылку", "подписан на рассылку", "同意营销",
	   "订阅")},
	{NULL, "preferred_channel",
	 N("preferred channel", "preferred contact method", "contact method",
	   "предпочтительный способ связи", "способ связи", "首选联系方式", "联系方式偏好")},
	{NULL, "birthday",
	 N("birthday", "date of birth", "birthdate", "birth date", "день рождения", "дата рождения",
	   "生日", "出生日期")},
	{NULL, "description",
	 N("description", "notes", "note", "comment", "comments", "details", "описание",
	   "комментарий", "примечание", "заметки", "备注", "描述", "说明")},
	{NULL, "tags",
	 N("tags", "tag", "labels", "categories", "category", "теги", "метки", "категории", "标签",
	   "类别")},
	/* links by name */
	{"contacts", "account",
	 N("company", "company name", "account name", "account", "organization",
	   "organization 1 - name", "organization name", "organisation", "компания",
	   "название компании", "организация", "公司", "公司名称", "单位", "客户", "客户名称",
	   "所属公司")},
	{"deals", "account",
	 N("account name", "company", "company name", "account", "associated company", "компания",
	   "клиент", "компания контакта", "客户", "客户名称", "公司")},
	{"deals", "contact",
	 N("contact", "contact name", "primary contact", "associated contact", "контакт",
	   "основной контакт", "联系人")},
	{"leads", "company",
	 N("company", "company name", "organization", "organization name", "компания",
	   "название компании", "公司", "公司名称", "单位")},
	{NULL, "owner",
	 N("owner", "contact owner", "account owner", "lead owner", "deal owner",
	   "opportunity owner", "company owner", "record owner", "assigned to", "responsible",
	   "responsible user", "ответственный", "менеджер", "负责人", "所有者", "销售负责人")},
	{"accounts", "lifecycle",
	 N("lifecycle", "lifecycle stage", "жизненный цикл", "этап жизненного цикла", "生命周期",
	   "生命周期阶段", "客户阶段")},
	/* leads */
	{"leads", "source",
	 N("source", "lead source", "источник", "источник лида", "来源", "线索来源")},
	{"leads", "status",
	 N("status", "lead status", "статус", "статус лида", "状态", "线索状态")},
	{NULL, "score", N("score", "lead score", "рейтинг", "评分")},
	/* deals */
	{"deals", "amount",
	 N("amount", "value", "deal value", "deal amount", "opportunity amount", "revenue", "сумма",
	   "бюджет", "сумма сделки", "金额", "商机金额", "合同金额")},
	{NULL, "currency", N("currency", "currency code", "валюта", "币种", "货币")},
	{"deals", "stage",
	 N("stage", "deal stage", "pipeline stage", "этап", "стадия", "этап сделки",
	   "стадия сделки", "阶段", "销售阶段")},
	{"deals", "pipeline", N("pipeline", "воронка", "销售流程", "管道")},
	{"deals", "expected_close",
	 N("close date", "expected close date", "expected close", "closing date", "дата закрытия",
	   "предполагаемая дата закрытия", "预计成交日期", "预计结束日期")},
	{NULL, "probability", N("probability", "probability (%)", "вероятность", "赢率", "概率")},
	{"deals", "status", N("status", "deal status", "статус", "状态")},
	{"deals", "source",
	 N("source", "lead source", "deal source", "источник", "источник сделки", "来源",
	   "商机来源")},
	{"deals", "lost_reason",
	 N("lost reason", "loss reason", "reason lost", "closed lost reason", "причина проигрыша",
	   "причина отказа", "输单原因", "丢单原因")},
	{"deals", "won_reason",
	 N("won reason", "win reason", "closed won reason", "причина выигрыша", "赢单原因")},
	{"leads", "disqualify_reason",
	 N("disqualify reason", "disqualification reason", "unqualified reason",
	   "причина дисквалификации", "无效原因")},
	/* activities */
	{"activities", "type",
	 N("type", "activity type", "task type", "тип", "тип активности", "类型", "活动类型")},
	{"activities", "body",
	 N("description", "body", "comments", "content", "описание", "текст", "内容", "描述")},
	{"activities", "due_at",
	 N("due date", "due", "date", "activity date", "start", "start date", "срок", "дата",
	   "крайний срок", "截止日期", "日期", "时间")},
	{"activities", "done",
	 N("status", "task status", "activity status", "статус", "статус задачи", "состояние",
	   "状态", "任务状态")},
	{"activities", "done_at",
	 N("completed", "completed date", "done", "date completed", "выполнено", "дата выполнения",
	   "完成时间", "完成日期")},
	/* products */
	{"products", "description",
	 N("product description", "item description", "описание товара", "产品描述", "商品描述")},
	{"products", "tags",
	 N("product family", "family", "product group", "group", "группа", "группа товаров",
	   "категория", "产品类别", "商品分类", "分类")},
	{"products", "sku",
	 N("sku", "product code", "code", "item code", "артикул", "код", "编码", "产品编码",
	   "货号")},
	{"products", "price",
	 N("price", "unit price", "list price", "sales price", "цена", "цена продажи", "价格",
	   "单价", "售价")},
	{"products", "cost", N("cost", "unit cost", "себестоимость", "закупочная цена", "成本")},
};

/* Whether a character past ASCII is punctuation or a space the key drops:
 * "Эл. почта" from 1C and "Эл.\u00a0почта", "E‑mail" (a non-breaking
 * hyphen), "电话：" or "Телефон — рабочий" all lose what is not a letter
 * or digit. Symbols stay ("✓" is a yes). */
static bool ignorable(utf8proc_int32_t cp)
{
	switch (utf8proc_category(cp)) {
	case UTF8PROC_CATEGORY_PC:
	case UTF8PROC_CATEGORY_PD:
	case UTF8PROC_CATEGORY_PS:
	case UTF8PROC_CATEGORY_PE:
	case UTF8PROC_CATEGORY_PI:
	case UTF8PROC_CATEGORY_PF:
	case UTF8PROC_CATEGORY_PO:
	case UTF8PROC_CATEGORY_ZS:
	case UTF8PROC_CATEGORY_ZL:
	case UTF8PROC_CATEGORY_ZP:
	case UTF8PROC_CATEGORY_CC:
	case UTF8PROC_CATEGORY_CF: return true;
	default: return false;
	}
}

/* Case-folded letters and digits only: "E-mail 1 - Value" → "email1value",
 * "Эл. почта" → "элпочта". */
char *import_header_key(const char *s)
{
	char *f = textkey_fold(s, strlen(s));
	if (!f)
		return NULL;
	size_t k = 0;
	for (size_t i = 0; f[i];) {
		unsigned char c = (unsigned char)f[i];
		if (c < 0x80) {
			if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
				f[k++] = f[i];
			i++;
			continue;
		}
		utf8proc_int32_t cp;
		utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)f + i, -1, &cp);
		if (n <= 0) /* cannot happen: textkey_fold's output is valid */
			n = 1, cp = 0;
		if (!ignorable(cp)) {
			memmove(f + k, f + i, (size_t)n);
			k += (size_t)n;
		}
		i += (size_t)n;
	}
	f[k] = '\0';
	return f;
}

bool import_header_is(const char *key, const char *name)
{
	char *k = import_header_key(name);
	bool same = k && !strcmp(k, key);
	free(k);
	return same;
}

/* The entity a "<ref>" or "<ref>.external_id" target points at, through
 * the field "<ref>_id" of e ("related" is any entity an activity links). */
const struct field_def *import_ref_field(const struct entity_def *e, const char *target)
{
	char name[MODEL_NAME_MAX + 8];
	size_t n = strcspn(target, ".");
	snprintf(name, sizeof name, "%.*s_id", (int)n, target);
	const struct field_def *f = entity_field(e, name);
	return f && (f->type == FT_REF || field_is_related_link(e, f)) ? f : NULL;
}

/* Whether a link ("account", "account.external_id") may set its field: an
 * activity's account_id is read-only (it follows what the activity is
 * about), and a row setting it would be refused whatever it held. */
static bool link_writable(const struct entity_def *e, const char *target)
{
	const struct field_def *f = import_ref_field(e, target);
	return f && !(f->flags & FF_READONLY);
}

bool import_history_field(const struct field_def *f)
{
	return !strcmp(f->name, "created_at") || !strcmp(f->name, "closed_at");
}

bool import_name_part(const struct entity_def *e, const char *target)
{
	return (e->flags & EF_PERSON) && !entity_field(e, target) &&
	       (!strcmp(target, "given_name") || !strcmp(target, "family_name") ||
		!strcmp(target, "middle_name"));
}

bool import_target_valid(const struct entity_def *e, const char *target)
{
	if (!*target)
		return true;
	if (!strcmp(target, "done")) /* a task's status: sets done_at */
		return entity_field(e, "done_at") != NULL;
	if (import_name_part(e, target)) /* goes into the name made of the parts */
		return true;
	const char *dot = strchr(target, '.');
	if (dot)
		return !strcmp(dot, ".external_id") && link_writable(e, target);
	const struct field_def *f = entity_field(e, target);
	if (f && import_history_field(f))
		return true;
	if (f)
		return !(f->flags & FF_READONLY) && f->type != FT_PASSWORD &&
		       !(f->flags & FF_SYSTEM && strcmp(f->name, "owner_id") &&
			 strcmp(f->name, "tags"));
	return link_writable(e, target);
}

/* Whether some alias leads to target. */
static bool aliased(const char *target)
{
	for (size_t i = 0; i < sizeof aliases / sizeof *aliases; i++)
		if (!strcmp(aliases[i].target, target))
			return true;
	return false;
}

/* One lasting copy of each link name made below (a few dozen at most:
 * one per reference field), so a target outlives the call. */
static const char *link_name(const char *field, size_t len)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	static struct name {
		struct name *next;
		char s[MODEL_NAME_MAX];
	} * names;
	pthread_mutex_lock(&lock);
	struct name *n = names;
	while (n && (strlen(n->s) != len || memcmp(n->s, field, len)))
		n = n->next;
	if (!n) {
		n = xcalloc(1, sizeof *n);
		snprintf(n->s, sizeof n->s, "%.*s", (int)len, field);
		n->next = names;
		names = n;
	}
	pthread_mutex_unlock(&lock);
	return n->s;
}

/* The target of a column headed with f's label in one of the UI's
 * languages (an export with labels: "Эл. почта", "Компания"), or "": the
 * field, or for a reference its record by name ("account"). */
static const char *labelled(const struct entity_def *e, const struct field_def *f, const char *key)
{
	bool link = f->type == FT_REF || field_is_related_link(e, f);
	size_t n = strlen(f->name);
	for (const char *const *l = i18n_locales; *l; l++) {
		if (!import_header_is(key, field_label_in(f, *l)))
			continue;
		const char *target = f->name;
		if (link && n > 3 && !strcmp(f->name + n - 3, "_id"))
			target = link_name(f->name, n - 3);
		/* only the links a header may name anyway: a team by its name
		 * (another database's teams) is passed over, not a reject */
		bool known = !link || aliased(target);
		return known && import_target_valid(e, target) ? target : "";
	}
	return "";
}

const char *import_auto_target(const struct entity_def *e, const char *header)
{
	char *key = import_header_key(header);
	if (!key || !*key) {
		free(key);
		return "";
	}
	const char *found = "";
	for (size_t i = 0; i < sizeof aliases / sizeof *aliases && !*found; i++) {
		const struct alias *al = &aliases[i];
		if ((al->entity && strcmp(al->entity, e->name)) ||
		    !import_target_valid(e, al->target))
			continue;
		for (int k = 0; al->names[k]; k++)
			if (import_header_is(key, al->names[k])) {
				found = al->target;
				break;
			}
	}
	/* a field's own name or label ("family_name", a custom field's label) */
	for (int i = 0; !*found && i < e->nfields; i++) {
		const struct field_def *f = &e->fields[i];
		if ((import_header_is(key, f->name) ||
		     (f->label && import_header_is(key, f->label))) &&
		    import_target_valid(e, f->name))
			found = f->name;
	}
	for (int i = 0; !*found && i < e->nfields; i++)
		found = labelled(e, &e->fields[i], key);
	free(key);
	return found;
}

/* Whether key is one of the names the aliases give target, for any entity. */
/* A home or other number takes the phone, or the mobile, only when no
 * column of the file claims it: Outlook's has "Home Phone" before
 * "Business Phone" and "Mobile Phone". */
static const char *const other_phones[] = {"home phone",     "other phone", "домашний телефон",
					   "другой телефон", "住宅电话",    NULL};

/* A bare "Title" beside a "Job Title" is Outlook's and Salesforce's
 * salutation (Mr., Dr.), not the job. */
static const char *const job_titles[] = {"job title", "должность", "职位", NULL};

static bool key_in(const char *key, const char *const *names)
{
	for (int k = 0; names[k]; k++)
		if (import_header_is(key, names[k]))
			return true;
	return false;
}

/* Whether one of the headers (but except) is one of names. */
static bool header_in(const char *const *headers, int n, int except, const char *const *names)
{
	bool found = false;
	for (int i = 0; i < n && !found; i++) {
		char *key = i == except ? NULL : import_header_key(headers[i]);
		found = key && key_in(key, names);
		free(key);
	}
	return found;
}

static bool alias_of(const char *key, const char *target)
{
	for (size_t i = 0; i < sizeof aliases / sizeof *aliases; i++) {
		if (strcmp(aliases[i].target, target))
			continue;
		for (int k = 0; aliases[i].names[k]; k++)
			if (import_header_is(key, aliases[i].names[k]))
				return true;
	}
	return false;
}

static int column_of(const char *const *targets, int n, const char *target, int except)
{
	for (int i = 0; i < n; i++)
		if (i != except && !strcmp(targets[i], target))
			return i;
	return -1;
}

static int header_of(const char *const *headers, int n, const char *header)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(headers[i], header))
			return i;
	return -1;
}

/* A Rapport export writes each link twice: "account_id", the record's id
 * in the database it came from, and "account_name", its title. Into
 * another database those ids are nobody's — or someone else's — so the
 * name links the record (as a column headed "account" would) and the id
 * column is skipped. Column i is a reference field's own name. */
static void link_by_export_name(const struct entity_def *e, const char *const *headers,
				const char *const *chosen, int n, int i, const char **ret)
{
	const struct field_def *f = entity_field(e, headers[i]);
	size_t len = strlen(headers[i]);
	if (!f || (f->type != FT_REF && !field_is_related_link(e, f)) || len < 4 ||
	    strcmp(headers[i] + len - 3, "_id"))
		return;
	char name[MODEL_NAME_MAX + 8];
	snprintf(name, sizeof name, "%.*s_name", (int)(len - 3), headers[i]);
	int j = header_of(headers, n, name);
	if (j < 0 || chosen[j])
		return;
	/* an activity's account follows the record it is about: its name
	 * column names nobody the activity is about either */
	if (f->flags & FF_READONLY) {
		ret[j] = "";
		return;
	}
	name[len - 3] = '\0';
	const char *link = import_auto_target(e, name);
	if (!*link || import_ref_field(e, link) != f || strchr(link, '.'))
		return;
	ret[i] = "";
	ret[j] = link;
}

void import_auto_targets(const struct entity_def *e, const char *const *headers,
			 const char *const *chosen, int n, const char **ret)
{
	for (int i = 0; i < n; i++)
		ret[i] = chosen[i] ? chosen[i] : import_auto_target(e, headers[i]);
	for (int i = 0; i < n; i++)
		if (!chosen[i])
			link_by_export_name(e, headers, chosen, n, i, ret);
	bool has_mobile = import_target_valid(e, "mobile");
	for (int i = 0; i < n; i++) {
		if (chosen[i])
			continue;
		char *key = import_header_key(headers[i]);
		if (!key)
			continue;
		/* a bare "id" is the weakest claim on external_id: a Rapport
		 * export's own ids, beside the external_id column it also has */
		if (!strcmp(key, "id") && !strcmp(ret[i], "external_id") &&
		    column_of(ret, n, "external_id", i) >= 0)
			ret[i] = "";
		/* a patronymic makes the name with the given and family names; a
		 * full name column has it already */
		if (!strcmp(ret[i], "middle_name") && column_of(ret, n, "name", -1) >= 0)
			ret[i] = "";
		/* a mobile number is the only phone a lead or account can keep */
		if (!has_mobile && !*ret[i] && import_target_valid(e, "phone") &&
		    column_of(ret, n, "phone", i) < 0 && alias_of(key, "mobile"))
			ret[i] = "phone";
		if (!strcmp(key, "title") && !strcmp(ret[i], "title") &&
		    header_in(headers, n, i, job_titles))
			ret[i] = "";
		/* a user's id in another system ("Owner ID" of Salesforce's
		 * 005...) is nobody's here: users link by e-mail or name */
		const struct field_def *f = *ret[i] ? entity_field(e, ret[i]) : NULL;
		if (f && f->type == FT_REF && f->ref && !strcmp(f->ref, "users"))
			ret[i] = "";
		free(key);
	}
	/* then the numbers no column claimed, in the file's order */
	for (int i = 0; i < n; i++) {
		char *key = chosen[i] ? NULL : import_header_key(headers[i]);
		if (key && !*ret[i] && key_in(key, other_phones)) {
			if (import_target_valid(e, "phone") && column_of(ret, n, "phone", -1) < 0)
				ret[i] = "phone";
			else if (has_mobile && column_of(ret, n, "mobile", -1) < 0)
				ret[i] = "mobile";
		}
		free(key);
	}
}
