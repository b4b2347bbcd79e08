/* demo_words.c — the demo data's companies (brands, industries, legal
 * forms) and the words of deals and activities (subjects, bodies, offers,
 * reasons) in English, Chinese and Russian. Pure functions of the PRNG. */
#include <stdio.h>
#include <string.h>

#include "io/demo_internal.h"

#define COUNT(a) ((int)(sizeof(a) / sizeof *(a)))

/* --- companies ------------------------------------------------------------ */

/* s: the word in the name; latin: for the web site; w: the industry. */
struct ind {
	const char *s, *latin, *industry;
};

static const struct word zh_brands[] = {
	{"华信", "huaxin", 0},	   {"恒通", "hengtong", 0},   {"东方", "dongfang", 0},
	{"新锐", "xinrui", 0},	   {"天成", "tiancheng", 0},  {"宏达", "hongda", 0},
	{"金桥", "jinqiao", 0},	   {"中科", "zhongke", 0},    {"盛世", "shengshi", 0},
	{"远航", "yuanhang", 0},   {"博源", "boyuan", 0},     {"佳和", "jiahe", 0},
	{"鼎盛", "dingsheng", 0},  {"锦程", "jincheng", 0},   {"瑞丰", "ruifeng", 0},
	{"星辰", "xingchen", 0},   {"汇通", "huitong", 0},    {"永兴", "yongxing", 0},
	{"腾达", "tengda", 0},	   {"凯旋", "kaixuan", 0},    {"安泰", "antai", 0},
	{"联创", "lianchuang", 0}, {"富源", "fuyuan", 0},     {"海纳", "haina", 0},
	{"智远", "zhiyuan", 0},	   {"蓝海", "lanhai", 0},     {"长城", "changcheng", 0},
	{"中天", "zhongtian", 0},  {"宏图", "hongtu", 0},     {"信达", "xinda", 0},
	{"万通", "wantong", 0},	   {"卓越", "zhuoyue", 0},    {"同创", "tongchuang", 0},
	{"易达", "yida", 0},	   {"众诚", "zhongcheng", 0}, {"嘉禾", "jiahe", 0},
	{"华瑞", "huarui", 0},	   {"润泽", "runze", 0},      {"启明", "qiming", 0},
	{"正元", "zhengyuan", 0},
};
static const struct ind zh_inds[] = {
	{"科技", "keji", "信息技术"},	{"贸易", "maoyi", "批发零售"},
	{"制造", "zhizao", "制造业"},	{"物流", "wuliu", "交通物流"},
	{"电子", "dianzi", "电子"},	{"医疗器械", "yiliao", "医疗健康"},
	{"软件", "ruanjian", "软件"},	{"新能源", "xinnengyuan", "能源"},
	{"食品", "shipin", "食品饮料"}, {"咨询", "zixun", "专业服务"},
	{"建设", "jianshe", "建筑"},	{"实业", "shiye", "综合"},
};
static const struct word ru_brands[] = {
	{"Альфа", "alfa", 0},
	{"Вектор", "vektor", 0},
	{"Гранит", "granit", 0},
	{"Меридиан", "meridian", 0},
	{"Спектр", "spektr", 0},
	{"Орион", "orion", 0},
	{"Атлант", "atlant", 0},
	{"Сибирь", "sibir", 0},
	{"Урал", "ural", 0},
	{"Волга", "volga", 0},
	{"Балтика", "baltika", 0},
	{"Нева", "neva", 0},
	{"Енисей", "enisey", 0},
	{"Алтай", "altay", 0},
	{"Байкал", "baykal", 0},
	{"Кристалл", "kristall", 0},
	{"Импульс", "impuls", 0},
	{"Прогресс", "progress", 0},
	{"Горизонт", "gorizont", 0},
	{"Эталон", "etalon", 0},
	{"Северсталь", "severstal", 0},
	{"Технолайн", "tekhnolayn", 0},
	{"Промресурс", "promresurs", 0},
	{"Стройинвест", "stroyinvest", 0},
	{"Магистраль", "magistral", 0},
	{"Феникс", "feniks", 0},
	{"Восток", "vostok", 0},
	{"Пульсар", "pulsar", 0},
	{"Интеграл", "integral", 0},
	{"Арсенал", "arsenal", 0},
};
static const struct ind ru_inds[] = {
	{"-Трейд", "-treyd", "Оптовая торговля"},
	{"-Логистик", "-logistik", "Логистика"},
	{"-Сервис", "-servis", "Услуги"},
	{"-Строй", "-stroy", "Строительство"},
	{"-Энерго", "-energo", "Энергетика"},
	{"-Снаб", "-snab", "Оптовая торговля"},
	{"-Инжиниринг", "-inzhiniring", "Машиностроение"},
	{"-Софт", "-soft", "Информационные технологии"},
	{"-Телеком", "-telekom", "Телекоммуникации"},
	{"-Агро", "-agro", "Сельское хозяйство"},
	{"-Мед", "-med", "Здравоохранение"},
	{"", "", "Производство"},
	{"", "", "Розничная торговля"},
	{"", "", "Финансы"},
};
static const struct word en_brands[] = {
	{"Acme", "acme", 0},
	{"Apex", "apex", 0},
	{"Summit", "summit", 0},
	{"Pinnacle", "pinnacle", 0},
	{"Bluewater", "bluewater", 0},
	{"Redwood", "redwood", 0},
	{"Silverline", "silverline", 0},
	{"Ironbridge", "ironbridge", 0},
	{"Brightpath", "brightpath", 0},
	{"Clearview", "clearview", 0},
	{"Evergreen", "evergreen", 0},
	{"Harbor", "harbor", 0},
	{"Keystone", "keystone", 0},
	{"Lakeside", "lakeside", 0},
	{"Maple", "maple", 0},
	{"Northstar", "northstar", 0},
	{"Oakridge", "oakridge", 0},
	{"Pioneer", "pioneer", 0},
	{"Riverside", "riverside", 0},
	{"Sterling", "sterling", 0},
	{"Westfield", "westfield", 0},
	{"Crestview", "crestview", 0},
	{"Horizon", "horizon", 0},
	{"Beacon", "beacon", 0},
	{"Atlas", "atlas", 0},
	{"Vertex", "vertex", 0},
	{"Granite", "granite", 0},
	{"Falcon", "falcon", 0},
	{"Cobalt", "cobalt", 0},
	{"Quantum", "quantum", 0},
	{"Nimbus", "nimbus", 0},
	{"Cascade", "cascade", 0},
	{"Highland", "highland", 0},
	{"Frontier", "frontier", 0},
	{"Ashford", "ashford", 0},
	{"Whitmore", "whitmore", 0},
	{"Hawthorne", "hawthorne", 0},
	{"Thornton", "thornton", 0},
	{"Nordlicht", "nordlicht", 0},
	{"Bergmann", "bergmann", 0},
};
static const struct ind en_inds[] = {
	{"Logistics", "logistics", "Logistics"},
	{"Systems", "systems", "Information Technology"},
	{"Software", "software", "Software"},
	{"Manufacturing", "mfg", "Manufacturing"},
	{"Foods", "foods", "Food & Beverage"},
	{"Health", "health", "Healthcare"},
	{"Energy", "energy", "Energy"},
	{"Capital", "capital", "Financial Services"},
	{"Consulting", "consulting", "Professional Services"},
	{"Retail", "retail", "Retail"},
	{"Labs", "labs", "Biotechnology"},
	{"Networks", "networks", "Telecommunications"},
	{"Construction", "construction", "Construction"},
	{"Media", "media", "Media"},
	{"Robotics", "robotics", "Industrial Automation"},
	{"Supply", "supply", "Wholesale"},
};

void demo_company_pick(struct rng *r, int city, struct demo_company *c)
{
	const struct demo_city *ci = &demo_cities[city];
	int nforms = 0;
	while (ci->forms[nforms])
		nforms++;
	c->city = (uint8_t)city;
	if (ci->lang == DL_ZH) {
		c->brand = (uint16_t)rng_below(r, COUNT(zh_brands));
		c->ind = (uint8_t)rng_below(r, COUNT(zh_inds));
	} else if (ci->lang == DL_RU) {
		c->brand = (uint16_t)rng_below(r, COUNT(ru_brands));
		c->ind = (uint8_t)rng_below(r, COUNT(ru_inds));
	} else {
		c->brand = (uint16_t)rng_below(r, COUNT(en_brands));
		c->ind = (uint8_t)rng_below(r, COUNT(en_inds));
	}
	/* the first legal form is by far the commonest */
	double u = rng_unit(r);
	c->form = (uint8_t)(u < 0.7 ? 0 : 1 + (int)((u - 0.7) / 0.3 * (nforms - 1)));
}

void demo_company_short(const struct demo_company *c, char *out, size_t n)
{
	const struct demo_city *ci = &demo_cities[c->city];
	if (ci->lang == DL_ZH)
		snprintf(out, n, "%s%s", zh_brands[c->brand].s, zh_inds[c->ind].s);
	else if (ci->lang == DL_RU)
		snprintf(out, n, "%s%s", ru_brands[c->brand].s, ru_inds[c->ind].s);
	else
		snprintf(out, n, "%s %s", en_brands[c->brand].s, en_inds[c->ind].s);
}

void demo_company_name(const struct demo_company *c, char *out, size_t n)
{
	const struct demo_city *ci = &demo_cities[c->city];
	char s[128];
	demo_company_short(c, s, sizeof s);
	if (ci->lang == DL_ZH)
		snprintf(out, n, "%s%s%s", ci->name, s, ci->forms[c->form]);
	else if (ci->lang == DL_RU)
		snprintf(out, n, "%s «%s»", ci->forms[c->form], s);
	else
		snprintf(out, n, "%s %s", s, ci->forms[c->form]);
}

void demo_company_host(const struct demo_company *c, char *out, size_t n)
{
	const struct demo_city *ci = &demo_cities[c->city];
	if (ci->lang == DL_ZH)
		snprintf(out, n, "%s%s.%s", zh_brands[c->brand].latin, zh_inds[c->ind].latin,
			 ci->tld);
	else if (ci->lang == DL_RU)
		snprintf(out, n, "%s%s.%s", ru_brands[c->brand].latin, ru_inds[c->ind].latin,
			 ci->tld);
	else
		snprintf(out, n, "%s%s.%s", en_brands[c->brand].latin, en_inds[c->ind].latin,
			 ci->tld);
}

const char *demo_company_industry(const struct demo_company *c)
{
	int lang = demo_cities[c->city].lang;
	return lang == DL_ZH   ? zh_inds[c->ind].industry
	       : lang == DL_RU ? ru_inds[c->ind].industry
			       : en_inds[c->ind].industry;
}

/* --- activities and deals --------------------------------------------------- */

const char *const demo_act_names[DA_COUNT] = {
	"call", "email", "meeting", "note", "task", "sms", "chat", "visit",
};

#define LIST(...) ((const char *const[]){__VA_ARGS__, NULL})

static const char
	*const
		*const subjects[DL_COUNT][DA_COUNT] =
			{
				[DL_EN] =
					{
						[DA_CALL] = LIST(
							"Intro call", "Follow-up call",
							"Discovery call", "Pricing discussion",
							"Check-in call", "Call about renewal",
							"Left voicemail", "Call to schedule demo"),
						[DA_EMAIL] = LIST(
							"Sent proposal", "Re: pricing question",
							"Follow-up on demo",
							"Sent contract for review", "Welcome email",
							"Re: invoice", "Sent product brochure",
							"Meeting recap"),
						[DA_MEETING] = LIST(
							"Product demo", "Quarterly business review",
							"Kick-off meeting", "Contract negotiation",
							"Technical workshop", "Executive briefing"),
						[DA_NOTE] = LIST("Budget approved for next quarter",
								 "Decision maker is the CFO",
								 "Prefers email over calls",
								 "Competitor is also bidding",
								 "Needs SSO and an audit log",
								 "Renewal risk: low usage"),
						[DA_TASK] = LIST("Send quote", "Prepare proposal",
								 "Follow up on contract",
								 "Schedule demo", "Update forecast",
								 "Send case study",
								 "Call back about pricing",
								 "Renewal reminder"),
						[DA_SMS] =
							LIST("Meeting reminder",
							     "Running 10 minutes late",
							     "Thanks for your time today"),
						[DA_CHAT] =
							LIST("Question about API limits", "Chat: onboarding help",
							     "Chat: pricing inquiry"),
						[DA_VISIT] = LIST("Onsite visit", "Site survey",
								  "Visit to headquarters"),
					},
				[DL_ZH] =
					{
						[DA_CALL] =
							LIST("电话跟进", "首次电话沟通",
							     "需求调研电话", "报价电话沟通",
							     "续约电话", "回访客户",
							     "电话未接通，稍后再拨",
							     "电话预约演示"),
						[DA_EMAIL] =
							LIST("发送报价单", "回复：价格咨询",
							     "演示后跟进邮件", "发送合同草稿",
							     "欢迎邮件", "回复：发票问题",
							     "发送产品资料", "会议纪要"),
						[DA_MEETING] =
							LIST("产品演示", "季度业务回顾",
							     "项目启动会", "合同谈判", "技术交流会",
							     "高层拜访会议"),
						[DA_NOTE] =
							LIST("客户预算已批准", "决策人是财务总监",
							     "客户更倾向微信沟通",
							     "竞争对手也在投标",
							     "需要单点登录和审计日志",
							     "续约风险：使用率低"),
						[DA_TASK] = LIST("发送报价", "准备方案书",
								 "跟进合同签署", "安排产品演示",
								 "更新销售预测", "发送成功案例",
								 "回电确认价格", "续约提醒"),
						[DA_SMS] = LIST("会议提醒", "感谢今天的交流"),
						[DA_CHAT] =
							LIST("微信沟通：接口问题", "微信咨询价格",
							     "在线咨询：上线培训"),
						[DA_VISIT] = LIST("上门拜访", "现场调研",
								  "拜访客户总部"),
					},
				[DL_RU] =
					{
						[DA_CALL] =
							LIST("Первичный звонок", "Повторный звонок",
							     "Звонок: выявление потребностей",
							     "Обсуждение цены",
							     "Звонок по продлению",
							     "Не дозвонились, перезвонить",
							     "Контрольный звонок"),
						[DA_EMAIL] =
							LIST("Отправлено коммерческое предложение",
							     "Re: вопрос по цене",
							     "Письмо после демонстрации",
							     "Отправлен договор на согласование",
							     "Приветственное письмо",
							     "Re: счёт на оплату",
							     "Презентация продукта",
							     "Протокол встречи"),
						[DA_MEETING] = LIST("Демонстрация продукта",
								    "Квартальная встреча",
								    "Стартовая встреча проекта",
								    "Переговоры по договору",
								    "Технический семинар",
								    "Встреча с руководством"),
						[DA_NOTE] =
							LIST("Бюджет согласован",
							     "ЛПР — финансовый директор",
							     "Предпочитает общаться по почте",
							     "Конкурент тоже участвует в тендере",
							     "Нужны SSO и журнал аудита",
							     "Риск непродления: мало "
							     "пользователей"),
						[DA_TASK] =
							LIST("Отправить КП",
							     "Подготовить предложение",
							     "Проконтролировать подписание "
							     "договора",
							     "Назначить демонстрацию",
							     "Обновить прогноз", "Отправить кейс",
							     "Перезвонить по цене",
							     "Напомнить о продлении"),
						[DA_SMS] = LIST("Напоминание о встрече",
								"Спасибо за встречу"),
						[DA_CHAT] = LIST("Telegram: вопрос по API",
								 "Чат: помощь с внедрением",
								 "Чат: вопрос о цене"),
						[DA_VISIT] = LIST("Выезд к клиенту",
								  "Обследование площадки",
								  "Визит в головной офис"),
					},
};

static const char *pick_list(struct rng *r, const char *const *list)
{
	int n = 0;
	while (list[n])
		n++;
	return list[rng_below(r, (uint64_t)n)];
}

const char *demo_subject(struct rng *r, int lang, int act)
{
	return pick_list(r, subjects[lang][act]);
}

static const char *const *const bodies[DL_COUNT] = {
	[DL_EN] =
		LIST("Discussed next steps. They will review internally and come back by Friday.",
		     "Walked through the reporting module; questions about data import from Excel.",
		     "Procurement needs a formal quote with volume discount.",
		     "Good call. Champion is keen, budget holder not yet involved."),
	[DL_ZH] = LIST("讨论了下一步计划，客户内部评审后周五前回复。",
		       "演示了报表模块，客户关心从Excel导入数据的问题。",
		       "采购部门需要正式报价单，并希望有批量折扣。",
		       "沟通顺利，对接人很积极，但预算负责人尚未参与。"),
	[DL_RU] = LIST("Обсудили следующие шаги. Клиент согласует внутри и ответит до пятницы.",
		       "Показали модуль отчётов; вопросы по импорту данных из Excel.",
		       "Отделу закупок нужно официальное КП со скидкой за объём.",
		       "Хороший разговор. Инициатор заинтересован, ЛПР пока не подключён."),
};

const char *demo_body(struct rng *r, int lang)
{
	return pick_list(r, bodies[lang]);
}

static const char *const *const offers[DL_COUNT] = {
	[DL_EN] =
		LIST("CRM Enterprise, 50 seats", "Annual support renewal", "Implementation project",
		     "Hardware refresh", "Data migration", "Training package", "Pilot",
		     "Expansion: 20 more seats", "Marketing automation add-on"),
	[DL_ZH] = LIST("CRM 企业版 50 用户", "年度维保续约", "实施项目", "硬件升级", "数据迁移",
		       "培训服务", "试点项目", "扩容 20 用户", "营销自动化模块"),
	[DL_RU] =
		LIST("CRM Корпоративная, 50 лицензий", "Продление техподдержки", "Проект внедрения",
		     "Обновление оборудования", "Миграция данных", "Обучение персонала",
		     "Пилотный проект", "Расширение на 20 пользователей", "Модуль маркетинга"),
};

const char *demo_offer(struct rng *r, int lang)
{
	return pick_list(r, offers[lang]);
}

static const char *const *const lost_reasons[DL_COUNT] = {
	[DL_EN] = LIST("Price too high", "Chose a competitor", "No budget", "No decision",
		       "Timing: revisit next year", "Went silent", "Missing features"),
	[DL_ZH] = LIST("价格过高", "选择了竞争对手", "没有预算", "客户无决策", "时机不对，明年再议",
		       "失去联系", "功能不满足"),
	[DL_RU] =
		LIST("Слишком дорого", "Выбрали конкурента", "Нет бюджета", "Решение не принято",
		     "Не время, вернуться в следующем году", "Клиент пропал", "Не хватает функций"),
};

const char *demo_lost_reason(struct rng *r, int lang)
{
	return pick_list(r, lost_reasons[lang]);
}

static const char *const *const disq_reasons[DL_COUNT] = {
	[DL_EN] = LIST("Not a fit", "Personal use", "Duplicate", "No budget", "Spam", "Competitor"),
	[DL_ZH] = LIST("需求不匹配", "个人用途", "重复线索", "无预算", "垃圾信息", "竞争对手"),
	[DL_RU] =
		LIST("Не целевой", "Частное лицо", "Дубликат", "Нет бюджета", "Спам", "Конкурент"),
};

const char *demo_disqualify_reason(struct rng *r, int lang)
{
	return pick_list(r, disq_reasons[lang]);
}
