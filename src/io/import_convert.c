/* import_convert.c — a spreadsheet cell as the API value of a field: dates
 * as people write them ("05.03.2024", "3/5/2024", "2024年3月5日"), money
 * and numbers with thousands separators and currency signs ("¥1,234.50",
 * "1 234,5 руб."), booleans in three languages, picklist values by their
 * value or a common label. What cannot be read is a field error that says
 * what was expected; the record service validates the rest. */
#include "io/import.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/ucal.h>

#include "core/clock.h"
#include "core/i18n.h"
#include "core/money.h"
#include "core/textkey.h"
#include "io/csvw.h"

/* --- numbers ------------------------------------------------------------- */

static bool is_space_byte(const char *p, size_t *skip)
{
	static const char *const spaces[] = {" ", "\t", "\xc2\xa0", "\xe2\x80\xaf", "\xe2\x80\x89",
					     "'", NULL};
	for (int i = 0; spaces[i]; i++) {
		size_t n = strlen(spaces[i]);
		if (!strncmp(p, spaces[i], n)) {
			*skip = n;
			return true;
		}
	}
	return false;
}

/* Keeps digits, one sign and the separators of s; drops currency signs and
 * words around the number. Returns false when nothing numeric is there, or
 * when digits follow a word that followed the number ("12abc34" is not
 * 1234). A '.' or ',' not followed by a digit is punctuation ("руб.",
 * "Rs. 5"), not a separator. */
static bool number_chars(const char *s, char *out, size_t cap)
{
	size_t k = 0;
	bool digits = false, ended = false;
	for (const char *p = s; *p && k + 1 < cap;) {
		size_t skip;
		if (isdigit((unsigned char)*p)) {
			if (ended)
				return false;
			out[k++] = *p++;
			digits = true;
		} else if ((*p == '.' || *p == ',') && isdigit((unsigned char)p[1]) && !ended) {
			out[k++] = *p++;
		} else if ((*p == '-' || *p == '(') && !digits && k == 0) {
			out[k++] = '-';
			p++;
		} else if (is_space_byte(p, &skip)) {
			p += skip; /* thousands separators: 1 234 567, 1'234 */
		} else {
			ended = digits; /* after the number: currency signs, %, words */
			p++;
		}
	}
	out[k] = '\0';
	return digits;
}

/* "1,234.56" / "1.234,56" / "1234,5" / "1,234" → a plain "1234.56". The
 * last separator is the decimal one unless it is followed by exactly
 * three digits and the same separator appears before it, or it is a
 * comma followed by three digits in a number with no other separator
 * (taken as thousands, as "1,234" is in English). */
static bool normalise_number(const char *raw, char *out, size_t cap)
{
	char s[128];
	if (!number_chars(raw, s, sizeof s))
		return false;
	const char *last = NULL;
	for (const char *p = s; *p; p++)
		if (*p == '.' || *p == ',')
			last = p;
	char dec = 0;
	if (last) {
		size_t after = strlen(last + 1);
		bool repeated = false;
		for (const char *p = s; p < last; p++)
			if (*p == *last)
				repeated = true;
		bool other_before = false;
		for (const char *p = s; p < last; p++)
			if ((*p == '.' || *p == ',') && *p != *last)
				other_before = true;
		if (other_before || (!repeated && !(after == 3 && *last == ',')))
			dec = *last;
		if (repeated)
			dec = 0;
	}
	size_t k = 0;
	for (const char *p = s; *p && k + 1 < cap; p++) {
		if (*p == '.' || *p == ',') {
			if (p == last && dec)
				out[k++] = '.';
			continue;
		}
		out[k++] = *p;
	}
	out[k] = '\0';
	return k > 0 && strcmp(out, "-") != 0;
}

/* Words that multiply the number they follow ("100k", "5 млн", "3万"):
 * dropped like a unit, they would store a thousandth of the value. */
static const char *const multipliers[] = {
	"k",	     "m",	  "mm",	       "mn",	    "mln",     "b",	   "bn",
	"thousand",  "thousands", "million",   "millions",  "billion", "billions", "тыс",
	"тысяч",     "тысячи",	  "тысяча",    "млн",	    "млрд",    "миллион",  "миллиона",
	"миллионов", "миллиард",  "миллиарда", "миллиардов"};
static const char *const han_multipliers[] = {"十", "百", "千", "万", "萬", "亿", "億"};
/* Units written right after the digits ("12шт", "12pcs"); other letters
 * there ("12abc") are a typo, not a unit. */
static const char *const glued_units[] = {"pcs", "pc", "ppl", "шт", "чел"};

static bool word_in(const char *w, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(w, list[i]))
			return true;
	return false;
}

static bool has_han_multiplier(const char *w)
{
	for (size_t i = 0; i < sizeof han_multipliers / sizeof *han_multipliers; i++)
		if (strstr(w, han_multipliers[i]))
			return true;
	return false;
}

/* A Latin or Cyrillic letter: not a currency sign ("100₽", "5€") nor a
 * Han unit. */
static bool starts_with_letter(const char *p)
{
	unsigned char c = (unsigned char)*p;
	return isalpha(c) || (c >= 0xd0 && c <= 0xd4);
}

/* Whether the words around a number leave its value as written: NULL if
 * so, else why not. A word is a run of what is neither digit, space nor
 * separator; one right after a digit is glued to it. Signs and Han
 * characters glued to a number are units ("100₽", "12人") unless they
 * multiply it. */
static const char *number_words_why(const char *cell)
{
	for (const char *p = cell; *p;) {
		size_t skip;
		if (isdigit((unsigned char)*p) || strchr(".,-+()%$'", *p) ||
		    is_space_byte(p, &skip)) {
			p += isdigit((unsigned char)*p) || strchr(".,-+()%$'", *p) ? 1 : skip;
			continue;
		}
		bool glued = p > cell && isdigit((unsigned char)p[-1]);
		const char *start = p;
		while (*p && !isdigit((unsigned char)*p) && !strchr(".,", *p) &&
		       !is_space_byte(p, &skip))
			p++;
		char *w = textkey_fold(start, (size_t)(p - start));
		const char *why = NULL;
		if (w && (word_in(w, multipliers, sizeof multipliers / sizeof *multipliers) ||
			  has_han_multiplier(w)))
			why = "a shortened number (write it in full)";
		else if (w && glued && starts_with_letter(start) &&
			 !word_in(w, glued_units, sizeof glued_units / sizeof *glued_units))
			why = "a number with letters glued to it";
		free(w);
		if (why)
			return why;
	}
	return NULL;
}

static bool parse_decimal(const char *s, double *ret)
{
	char n[128];
	if (!normalise_number(s, n, sizeof n))
		return false;
	char *end;
	*ret = strtod(n, &end);
	return *end == '\0' && isfinite(*ret);
}

/* --- dates --------------------------------------------------------------- */

static int days_in_month(int y, int m)
{
	static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : d[m - 1];
}

static bool valid_ymd(int y, int m, int d)
{
	return y >= 1000 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m);
}

/* Up to three numbers of a date and the text after them (the time). */
static int date_numbers(const char *s, int v[3], int len[3], const char **rest)
{
	int n = 0;
	const char *p = s;
	while (*p && n < 3) {
		if (!isdigit((unsigned char)*p)) {
			p++;
			continue;
		}
		char *end;
		long x = strtol(p, &end, 10);
		len[n] = (int)(end - p);
		v[n++] = (int)(x > 99999 ? 99999 : x);
		p = end;
		/* separators: - / . space 年 月 日 */
		while (*p && !isdigit((unsigned char)*p) && n < 3) {
			if (*p == ':' || *p == 'T')
				break;
			p++;
		}
		if (*p == ':' || *p == 'T')
			break;
	}
	while (*p == ' ' || *p == 'T' || (unsigned char)*p >= 0x80)
		p++;
	*rest = p;
	return n;
}

char import_date_hint(const char *s)
{
	int v[3] = {0}, len[3] = {0};
	const char *rest;
	if (date_numbers(s, v, len, &rest) != 3 || len[0] == 4 || (len[2] != 4 && len[2] != 2))
		return 0;
	return v[0] > 12 && v[1] <= 12 ? 'D' : v[1] > 12 && v[0] <= 12 ? 'M' : 0;
}

bool import_parse_date(const char *s, char order, char out[11], const char **ret_rest)
{
	int v[3] = {0}, len[3] = {0};
	const char *rest;
	if (date_numbers(s, v, len, &rest) != 3)
		return false;
	int y, m, d;
	if (len[0] == 4) { /* 2024-03-05, 2024/3/5, 2024年3月5日 */
		y = v[0], m = v[1], d = v[2];
	} else if (len[2] == 4 || len[2] == 2) {
		/* two digits: POSIX strptime's %y, 69..99 → 19xx, 00..68 → 20xx */
		y = len[2] == 4 ? v[2] : v[2] >= 69 ? 1900 + v[2] : 2000 + v[2];
		bool slash = strchr(s, '/') != NULL;
		bool mdy = order == 'M' || (order != 'D' && slash && v[0] <= 12 && v[1] > 12);
		if (order != 'D' && order != 'M' && slash && v[0] <= 12 && v[1] <= 12)
			mdy = true; /* 3/5/2024: the US reading, unless told DMY */
		if (v[0] > 12)
			mdy = false;
		m = mdy ? v[0] : v[1];
		d = mdy ? v[1] : v[0];
	} else {
		return false;
	}
	if (!valid_ymd(y, m, d))
		return false;
	char tmp[48];
	snprintf(tmp, sizeof tmp, "%04d-%02d-%02d", y, m, d);
	memcpy(out, tmp, 11); /* valid_ymd: exactly 10 characters */
	if (ret_rest)
		*ret_rest = rest;
	return true;
}

/* ICU's copy of a zone name (ASCII: IANA names are). */
static bool zone_uchars(const char *zone, UChar out[64])
{
	size_t n = strlen(zone);
	if (n == 0 || n >= 64)
		return false;
	for (size_t i = 0; i <= n; i++)
		out[i] = (UChar)(unsigned char)zone[i];
	return true;
}

bool import_known_timezone(const char *zone)
{
	UChar z[64], canonical[64];
	UBool system = false;
	UErrorCode st = U_ZERO_ERROR;
	if (!zone_uchars(zone, z))
		return false;
	ucal_getCanonicalTimeZoneID(z, -1, canonical, 64, &system, &st);
	return U_SUCCESS(st) && system;
}

/* Seconds since the epoch of a wall-clock time in zone (its offset that
 * day, summer time included); false for a zone ICU does not know. */
static bool zone_time(const char *zone, int y, int m, int d, int hh, int mm, int ss, int64_t *ret)
{
	UChar z[64];
	UErrorCode st = U_ZERO_ERROR;
	if (!zone_uchars(zone, z) || !import_known_timezone(zone))
		return false;
	UCalendar *cal = ucal_open(z, -1, "en_US", UCAL_GREGORIAN, &st);
	if (U_FAILURE(st))
		return false;
	ucal_setDateTime(cal, y, m - 1, d, hh, mm, ss, &st);
	UDate ms = ucal_getMillis(cal, &st);
	ucal_close(cal);
	if (U_FAILURE(st))
		return false;
	*ret = (int64_t)(ms / 1000);
	return true;
}

static bool parse_datetime(const char *s, char order, const char *zone, char out[RP_TIME_LEN])
{
	int64_t t;
	if (clock_parse(s, &t)) {
		clock_format(t, out);
		return true;
	}
	char date[11];
	const char *rest = "";
	if (!import_parse_date(s, order, date, &rest))
		return false;
	int hh = 0, mm = 0, ss = 0;
	if (*rest && sscanf(rest, "%d:%d:%d", &hh, &mm, &ss) < 2)
		hh = mm = ss = 0;
	if (strstr(rest, "PM") || strstr(rest, "pm"))
		hh = hh % 12 + 12;
	else if ((strstr(rest, "AM") || strstr(rest, "am")) && hh == 12)
		hh = 0;
	if (hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 59)
		return false;
	int64_t at;
	int y = 0, mo = 0, d = 0;
	if (zone && sscanf(date, "%d-%d-%d", &y, &mo, &d) == 3 &&
	    zone_time(zone, y, mo, d, hh, mm, ss, &at)) {
		clock_format(at, out);
		return true;
	}
	char tmp[64];
	snprintf(tmp, sizeof tmp, "%sT%02d:%02d:%02dZ", date, hh, mm, ss);
	memcpy(out, tmp, RP_TIME_LEN); /* hh, mm, ss checked: 20 characters */
	return true;
}

/* --- booleans, picklists, currencies, tags ------------------------------- */

static int parse_bool(const char *key)
{
	static const char *const yes[] = {"true", "yes", "y",  "1", "on", "x",	    "да",
					  "д",	  "是",	 "对", "✓", "✔",  "истина", NULL};
	static const char *const no[] = {"false", "no", "n",  "0",    "off", "нет",
					 "н",	  "否", "不", "ложь", NULL};
	for (int i = 0; yes[i]; i++)
		if (!strcmp(key, yes[i]))
			return 1;
	for (int i = 0; no[i]; i++)
		if (!strcmp(key, no[i]))
			return 0;
	return -1;
}

int import_task_done(const char *cell)
{
	/* folded as headers are: no case, spaces or punctuation */
	static const char *const done[] = {
		"completed", "complete",  "done",      "closed",    "finished", "held",
		"выполнена", "выполнено", "завершена", "завершено", "закрыта",	"сделано",
		"已完成",    "完成",	  "已关闭",    "已结束",    NULL};
	static const char *const open[] = {
		"notstarted", "inprogress", "open",	   "waitingonsomeoneelse",
		"waiting",    "deferred",   "pending",	   "planned",
		"scheduled",  "notheld",    "неначата",	   "вработе",
		"ожидает",    "отложена",   "невыполнена", "запланирована",
		"未开始",     "进行中",	    "未完成",	   "待办",
		"计划中",     NULL};
	char *key = import_header_key(cell);
	int b = key ? parse_bool(key) : -1;
	for (int i = 0; key && b < 0 && done[i]; i++)
		if (!strcmp(key, done[i]))
			b = 1;
	for (int i = 0; key && b < 0 && open[i]; i++)
		if (!strcmp(key, open[i]))
			b = 0;
	free(key);
	return b;
}

/* Labels other systems and people use for our picklist values. */
static const struct {
	const char *value;
	const char *const *labels;
} enum_labels[] = {
	/* lead sources, also as Salesforce's and HubSpot's defaults name them */
	{"web", N("website", "web site", "web form", "online", "organic search", "direct traffic",
		  "сайт", "поиск", "网站", "官网", "搜索引擎")},
	{"referral", N("referral", "referrals", "word of mouth", "employee referral",
		       "external referral", "рекомендация", "推荐", "转介绍")},
	{"event", N("trade show", "event", "conference", "seminar", "выставка", "мероприятие",
		    "展会", "活动")},
	{"cold_call", N("cold call", "холодный звонок", "陌拜", "电话营销")},
	{"social", N("social media", "social", "organic social", "соцсети", "社交媒体")},
	{"partner", N("partner", "partner referral", "партнер", "合作伙伴")},
	{"ads", N("advertisement", "advertising", "ppc", "paid search", "paid social", "реклама",
		  "контекстная реклама", "广告", "百度推广")},
	{"other", N("phone inquiry", "purchased list", "offline sources", "другое", "其他")},
	/* accounts' lifecycle: HubSpot's stages before a sale are our prospect */
	{"prospect", N("prospect", "subscriber", "lead", "marketing qualified lead",
		       "sales qualified lead", "opportunity", "потенциальный клиент", "潜在客户")},
	{"customer",
	 N("customer", "evangelist", "client", "клиент", "покупатель", "客户", "成交客户")},
	{"churned", N("churned", "former customer", "бывший клиент", "流失客户")},
	/* lead statuses as Salesforce, HubSpot, Zoho and Bitrix24 name theirs */
	{"new", N("new", "open", "open - not contacted", "not contacted", "новый", "новая",
		  "не обработан", "新", "新建", "未联系")},
	{"contacted",
	 N("contacted", "working", "working - contacted", "in progress", "attempted to contact",
	   "connected", "bad timing", "contact in future", "в работе", "已联系", "跟进中")},
	{"qualified", N("qualified", "pre-qualified", "open deal", "квалифицирован", "обработан",
			"已确认", "合格")},
	{"converted", N("converted", "closed - converted", "конвертирован", "качественный лид",
			"已转化", "已转换")},
	{"disqualified",
	 N("unqualified", "disqualified", "not qualified", "junk", "junk lead", "lost lead",
	   "closed - not converted", "некачественный", "некачественный лид", "无效")},
	{"won", N("closed won", "won", "успешно реализовано", "выиграна", "赢单", "成交")},
	{"lost", N("closed lost", "lost", "закрыто и не реализовано", "проиграна", "输单", "丢单")},
	{"call", N("call", "phone call", "звонок", "电话")},
	{"email", N("email", "e-mail", "email marketing", "email campaign", "рассылка", "письмо",
		    "электронная почта", "эл. почта", "邮件", "邮件营销", "电子邮件", "邮箱")},
	{"phone", N("phone", "telephone", "телефон", "по телефону", "звонок", "电话")},
	{"sms", N("sms", "text", "text message", "смс", "短信")},
	{"mail", N("mail", "post", "letter", "почтой", "邮寄")},
	{"meeting", N("meeting", "event", "встреча", "会议", "拜访会议")},
	{"task", N("task", "to-do", "todo", "задача", "任务")},
	{"note", N("note", "comment", "заметка", "комментарий", "备注", "笔记")},
	{"visit", N("visit", "визит", "拜访")},
	{"chat", N("chat", "чат", "聊天")},
};

static const char *enum_value(const struct field_def *f, const char *cell)
{
	char *key = import_header_key(cell);
	const char *found = NULL;
	for (int i = 0; key && f->enum_values[i] && !found; i++)
		if (import_header_is(key, f->enum_values[i]))
			found = f->enum_values[i];
	/* the UI's words for them, in any of its languages (a labelled
	 * export writes those) */
	for (int i = 0; key && f->enum_values[i] && !found; i++)
		for (const char *const *l = i18n_locales; *l && !found; l++) {
			const char *label = enum_label_in(f, f->enum_values[i], *l);
			if (label && import_header_is(key, label))
				found = f->enum_values[i];
		}
	for (size_t i = 0; key && !found && i < sizeof enum_labels / sizeof *enum_labels; i++) {
		bool allowed = false;
		for (int k = 0; f->enum_values[k]; k++)
			allowed = allowed || !strcmp(f->enum_values[k], enum_labels[i].value);
		for (int k = 0; allowed && enum_labels[i].labels[k] && !found; k++)
			if (import_header_is(key, enum_labels[i].labels[k]))
				found = enum_labels[i].value;
	}
	free(key);
	return found;
}

/* Currency signs and words, folded ("Руб" is found as "руб"). */
static const struct {
	const char *sign, *code;
} signs[] = {{"¥", "CNY"},   {"￥", "CNY"},  {"元", "CNY"}, {"人民币", "CNY"},
	     {"₽", "RUB"}, {"руб", "RUB"}, {"$", "USD"},  {"€", "EUR"},
	     {"£", "GBP"},   {"₸", "KZT"},   {"rmb", "CNY"}};

static const char *currency_code(const char *cell)
{
	char *folded = textkey_fold(cell, strlen(cell)); /* "Руб." as "руб." */
	const char *found = NULL;
	for (size_t i = 0; i < sizeof signs / sizeof *signs && !found; i++)
		if (strstr(cell, signs[i].sign) || (folded && strstr(folded, signs[i].sign)))
			found = signs[i].code;
	free(folded);
	return found;
}

/* The cell as a JSON array of strings, as the export writes tags
 * (["vip","a,b"]; [] is none), or NULL when it is something else. */
static json_t *tags_json(const char *cell)
{
	if (cell[0] != '[')
		return NULL;
	json_t *arr = json_loads(cell, JSON_REJECT_DUPLICATES, NULL);
	bool strings = json_is_array(arr);
	for (size_t i = 0; strings && i < json_array_size(arr); i++)
		strings = json_is_string(json_array_get(arr, i));
	if (!strings) {
		json_decref(arr);
		return NULL;
	}
	return arr;
}

/* Tags as JSON text, else split on , ; | or Google's " ::: ", whose
 * labels of its own are marked "* " ("* starred"; "* myContacts" is every
 * contact, no label at all). */
static json_t *tags_value(const char *cell)
{
	json_t *arr = tags_json(cell);
	if (arr)
		return arr;
	arr = json_array();
	char *copy = strdup(cell);
	for (char *m; (m = strstr(copy, ":::"));)
		memcpy(m, "  |", 3);
	for (char *save = NULL, *t = strtok_r(copy, ",;|", &save); t;
	     t = strtok_r(NULL, ",;|", &save)) {
		while (*t == ' ')
			t++;
		if (t[0] == '*' && t[1] == ' ')
			t += 2;
		size_t n = strlen(t);
		while (n && t[n - 1] == ' ')
			t[--n] = '\0';
		if (n && strcmp(t, "myContacts"))
			json_array_append_new(arr, json_string(t));
	}
	free(copy);
	return arr;
}

/* --- money --------------------------------------------------------------- */

/* Whether the text around an amount's number names its currency and
 * nothing else: a sign or word ("¥", "руб.", "Rs."), a code ("USD"), or
 * nothing. "12abc" and "1.5M" are no amounts: a letter that is not a
 * currency would be dropped silently. On false, ret_rest has the text. */
static bool money_words_ok(const char *cell, char *ret_rest, size_t cap)
{
	size_t k = 0;
	for (const char *p = cell; *p;) {
		size_t skip;
		if (isdigit((unsigned char)*p) || strchr(".,-+()", *p))
			p++;
		else if (is_space_byte(p, &skip))
			p += skip;
		else if (k + 1 < cap)
			ret_rest[k++] = *p++;
		else
			return false;
	}
	ret_rest[k] = '\0';
	if (!k || (k == 3 && isupper((unsigned char)ret_rest[0]) &&
		   isupper((unsigned char)ret_rest[1]) && isupper((unsigned char)ret_rest[2])))
		return true;
	char *folded = textkey_fold(ret_rest, k);
	bool ok = folded && !strcmp(folded, "rs");
	for (size_t i = 0; folded && !ok && i < sizeof signs / sizeof *signs; i++)
		ok = !strcmp(ret_rest, signs[i].sign) || !strcmp(folded, signs[i].sign);
	free(folded);
	return ok;
}

/* "1.234" or "1,234" alone: one separator after one to three digits (not
 * starting with 0) and before exactly three, which European files write
 * for 1234. */
static bool thousands_only(const char *num)
{
	const char *p = num + (*num == '-');
	size_t lead = strspn(p, "0123456789");
	return lead >= 1 && lead <= 3 && *p != '0' && (p[lead] == '.' || p[lead] == ',') &&
	       strspn(p + lead + 1, "0123456789") == 3 && !p[lead + 4];
}

/* A written amount as minor units of currency cur (NULL: 2 decimals).
 * Exact: digits are counted, never rounded. point_decimal: the '.' is
 * the decimal point whatever follows it. NULL on success, else why the
 * cell is no amount (owned by why, cap bytes). */
static const char *parse_money(const char *cell, const char *cur, bool point_decimal, int64_t *ret,
			       char *why, size_t cap)
{
	char raw[128], n[128], rest[64];
	if (!number_chars(cell, raw, sizeof raw) || !normalise_number(cell, n, sizeof n))
		return "no number";
	if (!money_words_ok(cell, rest, sizeof rest)) {
		snprintf(why, cap, "\"%.20s\" is no currency", rest);
		return why;
	}
	int digits = money_decimals(cur);
	const char *dot = strchr(n, '.');
	size_t frac = dot ? strlen(dot + 1) : 0;
	if ((int)frac > digits) {
		if (point_decimal || !thousands_only(raw)) {
			snprintf(why, cap, "more decimals than %s has (%d)", cur ? cur : "money",
				 digits);
			return why;
		}
		frac = 0;
		dot = NULL; /* 1.234 is 1234 */
	}
	bool neg = n[0] == '-';
	uint64_t v = 0;
	int have = 0;
	for (const char *p = n + neg; *p; p++) {
		if (*p == '.')
			continue;
		v = v * 10 + (uint64_t)(*p - '0');
		if (dot && p > dot)
			have++;
		if (v > 9000000000000000ull)
			return "too large";
	}
	for (; have < digits; have++)
		if ((v *= 10) > 9000000000000000ull)
			return "too large";
	*ret = neg ? -(int64_t)v : (int64_t)v;
	return NULL;
}

/* --- one cell ------------------------------------------------------------ */

/* what: the English for the message; reason: its key in the
 * catalogue (core/i18n.h), "error.<reason>" with the cell as {value}. */
static json_t *bad(struct rp_error *err, const struct field_def *f, const char *what,
		   const char *reason, const char *cell)
{
	rp_field_fail(err, f->name, "invalid", "\"%.60s\" is not %s", cell, what);
	rp_field_because(err, reason, cell);
	return NULL;
}

static json_t *bad_because(struct rp_error *err, const struct field_def *f, const char *what,
			   const char *reason, const char *cell, const char *why)
{
	rp_field_fail(err, f->name, "invalid", "\"%.60s\" is not %s: %s", cell, what, why);
	rp_field_because(err, reason, cell);
	return NULL;
}

json_t *import_convert(const struct field_def *f, const char *cell,
		       const struct import_convert_opts *o, struct rp_error *err)
{
	double d;
	char buf[RP_TIME_LEN + 8];
	int b;
	const char *words;
	switch (f->type) {
	case FT_INT:
	case FT_REF:
		if ((words = number_words_why(cell)))
			return bad_because(err, f, "a whole number", "not_whole_number", cell,
					   words);
		if (!parse_decimal(cell, &d) || d != floor(d) || fabs(d) > 9e15)
			return bad(err, f, "a whole number", "not_whole_number", cell);
		return json_integer((json_int_t)d);
	case FT_NUMBER:
		if ((words = number_words_why(cell)))
			return bad_because(err, f, "a number", "not_number", cell, words);
		if (!parse_decimal(cell, &d))
			return bad(err, f, "a number", "not_number", cell);
		return json_real(d);
	case FT_MONEY: {
		/* the row's currency, else the one the cell's sign names,
		 * else the record's default */
		const char *cur = o->currency ? o->currency : currency_code(cell);
		char why[96];
		int64_t minor;
		const char *no = parse_money(cell, cur ? cur : o->default_currency,
					     o->point_decimal, &minor, why, sizeof why);
		if (no) {
			rp_field_fail(err, f->name, "invalid",
				      "\"%.60s\" is not an amount of money: %s", cell, no);
			rp_field_because(err, "not_money", cell);
			return NULL;
		}
		return json_integer((json_int_t)minor);
	}
	case FT_BOOL: {
		char *key = import_header_key(cell);
		b = key ? parse_bool(key) : -1;
		free(key);
		if (b < 0)
			return bad(err, f, "yes or no", "not_yes_no", cell);
		return json_boolean(b);
	}
	case FT_DATE:
		/* "--07-12": a day of the year, as Google and vCard keep a
		 * birthday whose year nobody knows */
		if (!strncmp(cell, "--", 2) && isdigit((unsigned char)cell[2]))
			return bad_because(err, f, "a date", "not_date", cell,
					   "it has no year (give one, or leave the cell empty)");
		if (!import_parse_date(cell, o->date_order, buf, NULL))
			return bad(err, f, "a date", "not_date", cell);
		return json_string(buf);
	case FT_DATETIME:
		if (!parse_datetime(cell, o->date_order, o->timezone, buf))
			return bad(err, f, "a date and time", "not_datetime", cell);
		return json_string(buf);
	case FT_ENUM: {
		const char *v = enum_value(f, cell);
		if (!v)
			return bad(err, f, "one of the field's choices", "not_choice", cell);
		return json_string(v);
	}
	case FT_CURRENCY: {
		const char *code = currency_code(cell);
		if (code)
			return json_string(code);
		/* else a code as written ("usd"), upper-cased; what is longer
		 * or not ASCII is no code (and cutting it short could split a
		 * UTF-8 character, which json_string refuses) */
		char up[8] = "";
		for (size_t i = 0; cell[i]; i++) {
			if (i == sizeof up - 1 || (unsigned char)cell[i] >= 0x80)
				return bad(err, f, "a currency code", "not_currency", cell);
			up[i] = (char)toupper((unsigned char)cell[i]);
		}
		return json_string(up);
	}
	case FT_TAGS: return tags_value(cell);
	case FT_JSON: {
		json_t *j = json_loads(cell, JSON_REJECT_DUPLICATES, NULL);
		return j ? j : bad(err, f, "JSON", "not_json", cell);
	}
	default: return json_string(cell);
	}
}

const char *import_cell_currency(const char *cell)
{
	return currency_code(cell);
}

bool import_currency_code(const char *cell, char ret_code[4])
{
	const char *sign = currency_code(cell);
	if (sign) {
		memcpy(ret_code, sign, 4);
		return true;
	}
	while (*cell == ' ')
		cell++;
	char up[4];
	for (int i = 0; i < 3; i++) {
		if (!isalpha((unsigned char)cell[i]))
			return false;
		up[i] = (char)toupper((unsigned char)cell[i]);
	}
	for (const char *p = cell + 3; *p; p++)
		if (*p != ' ')
			return false;
	up[3] = '\0';
	memcpy(ret_code, up, 4);
	return true;
}

const char *import_unguarded(const char *cell)
{
	/* csvw_cell's guard, so the one rule holds both ways */
	if (cell && cell[0] == '\'' && csvw_is_formula(cell + 1, strlen(cell + 1)))
		return cell + 1;
	return cell;
}
