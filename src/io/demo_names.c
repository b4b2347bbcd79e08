/* demo_names.c — the word lists of the demo data and the generators that
 * turn them into people, companies, phones, addresses and activity
 * subjects, in English (with some German), Chinese and Russian. Pure
 * functions of the PRNG: no I/O, no allocation. */
#include <stdio.h>
#include <string.h>

#include "io/demo_internal.h"

#define COUNT(a) ((int)(sizeof(a) / sizeof *(a)))

/* --- teams and users ---------------------------------------------------- */

const struct demo_team_def demo_teams[DT_COUNT] = {
	[DT_EAST] = {"Sales East", "North America east coast, UK and Germany", "America/New_York",
		     "en", DL_EN, -5},
	[DT_WEST] = {"Sales West", "North America west coast and Australia", "America/Los_Angeles",
		     "en", DL_EN, -8},
	[DT_ZH] = {"华东销售", "华东及全国大客户销售团队", "Asia/Shanghai", "zh", DL_ZH, 8},
	[DT_RU] = {"Москва", "Продажи в России и СНГ", "Europe/Moscow", "ru", DL_RU, 3},
};

const struct demo_user_def demo_users[] = {
	{"Emily Clark", "Clark", "Emily", "emily.clark", DT_EAST, true},
	{"Michael Brown", "Brown", "Michael", "michael.brown", DT_EAST, false},
	{"Sarah Johnson", "Johnson", "Sarah", "sarah.johnson", DT_EAST, false},
	{"David Miller", "Miller", "David", "david.miller", DT_EAST, false},
	{"James Wilson", "Wilson", "James", "james.wilson", DT_WEST, true},
	{"Jessica Taylor", "Taylor", "Jessica", "jessica.taylor", DT_WEST, false},
	{"Daniel Moore", "Moore", "Daniel", "daniel.moore", DT_WEST, false},
	{"Laura Anderson", "Anderson", "Laura", "laura.anderson", DT_WEST, false},
	{"王芳", "王", "芳", "wang.fang", DT_ZH, true},
	{"李伟", "李", "伟", "li.wei", DT_ZH, false},
	{"张敏", "张", "敏", "zhang.min", DT_ZH, false},
	{"刘洋", "刘", "洋", "liu.yang", DT_ZH, false},
	{"陈静", "陈", "静", "chen.jing", DT_ZH, false},
	{"Иван Смирнов", "Смирнов", "Иван", "ivan.smirnov", DT_RU, true},
	{"Ольга Кузнецова", "Кузнецова", "Ольга", "olga.kuznetsova", DT_RU, false},
	{"Дмитрий Попов", "Попов", "Дмитрий", "dmitry.popov", DT_RU, false},
	{"Анна Соколова", "Соколова", "Анна", "anna.sokolova", DT_RU, false},
};
const int demo_nusers = COUNT(demo_users);

/* --- cities --------------------------------------------------------------- */

static const char *const zh_forms[] = {"有限公司", "股份有限公司", "集团有限公司", NULL};
static const char *const ru_forms[] = {"ООО", "АО", "ГК", "ПАО", "ЗАО", NULL};
static const char *const us_forms[] = {"Inc.", "LLC", "Corp.", "Group", NULL};
static const char *const uk_forms[] = {"Ltd", "Group", "plc", NULL};
static const char *const de_forms[] = {"GmbH", "AG", "GmbH & Co. KG", NULL};
static const char *const ca_forms[] = {"Inc.", "Ltd.", "Corp.", NULL};
static const char *const au_forms[] = {"Pty Ltd", "Group", "Ltd", NULL};

#define ZH(n, reg, area, w)                                                                        \
	{                                                                                          \
		n, reg, "中国", "CNY", "+86", area, "com.cn", zh_forms, DL_ZH, DT_ZH, w, false     \
	}
#define RU(n, reg, area, w)                                                                        \
	{                                                                                          \
		n, reg, "Россия", "RUB", "+7", area, "ru", ru_forms, DL_RU, DT_RU, w, false        \
	}

const struct demo_city demo_cities[] = {
	ZH("北京", "华北", "10", 16),
	ZH("上海", "华东", "21", 18),
	ZH("深圳", "华南", "755", 12),
	ZH("广州", "华南", "20", 10),
	ZH("杭州", "华东", "571", 8),
	ZH("南京", "华东", "25", 6),
	ZH("苏州", "华东", "512", 6),
	ZH("成都", "西南", "28", 6),
	ZH("武汉", "华中", "27", 5),
	ZH("天津", "华北", "22", 4),
	ZH("西安", "西北", "29", 4),
	ZH("重庆", "西南", "23", 4),
	RU("Москва", "Центральный ФО", "495", 40),
	RU("Санкт-Петербург", "Северо-Западный ФО", "812", 18),
	RU("Новосибирск", "Сибирский ФО", "383", 7),
	RU("Екатеринбург", "Уральский ФО", "343", 7),
	RU("Казань", "Приволжский ФО", "843", 6),
	RU("Нижний Новгород", "Приволжский ФО", "831", 5),
	RU("Краснодар", "Южный ФО", "861", 5),
	RU("Самара", "Приволжский ФО", "846", 4),
	{"New York", "New York", "United States", "USD", "+1", "212", "com", us_forms, DL_EN,
	 DT_EAST, 16, false},
	{"Boston", "Massachusetts", "United States", "USD", "+1", "617", "com", us_forms, DL_EN,
	 DT_EAST, 6, false},
	{"Chicago", "Illinois", "United States", "USD", "+1", "312", "com", us_forms, DL_EN,
	 DT_EAST, 8, false},
	{"Toronto", "Ontario", "Canada", "CAD", "+1", "416", "ca", ca_forms, DL_EN, DT_EAST, 6,
	 false},
	{"London", "England", "United Kingdom", "GBP", "+44", "20", "co.uk", uk_forms, DL_EN,
	 DT_EAST, 12, false},
	{"Manchester", "England", "United Kingdom", "GBP", "+44", "161", "co.uk", uk_forms, DL_EN,
	 DT_EAST, 4, false},
	{"Berlin", "Berlin", "Germany", "EUR", "+49", "30", "de", de_forms, DL_EN, DT_EAST, 6,
	 true},
	{"Munich", "Bavaria", "Germany", "EUR", "+49", "89", "de", de_forms, DL_EN, DT_EAST, 4,
	 true},
	{"San Francisco", "California", "United States", "USD", "+1", "415", "com", us_forms, DL_EN,
	 DT_WEST, 10, false},
	{"Los Angeles", "California", "United States", "USD", "+1", "213", "com", us_forms, DL_EN,
	 DT_WEST, 8, false},
	{"Seattle", "Washington", "United States", "USD", "+1", "206", "com", us_forms, DL_EN,
	 DT_WEST, 6, false},
	{"Austin", "Texas", "United States", "USD", "+1", "512", "com", us_forms, DL_EN, DT_WEST, 5,
	 false},
	{"Denver", "Colorado", "United States", "USD", "+1", "303", "com", us_forms, DL_EN, DT_WEST,
	 3, false},
	{"Vancouver", "British Columbia", "Canada", "CAD", "+1", "604", "ca", ca_forms, DL_EN,
	 DT_WEST, 4, false},
	{"Sydney", "New South Wales", "Australia", "AUD", "+61", "2", "com.au", au_forms, DL_EN,
	 DT_WEST, 5, false},
};
const int demo_ncities = COUNT(demo_cities);

int demo_pick_city(struct rng *r, int lang)
{
	int total = 0;
	for (int i = 0; i < demo_ncities; i++)
		if (demo_cities[i].lang == lang)
			total += demo_cities[i].weight;
	int x = (int)rng_below(r, (uint64_t)total);
	for (int i = 0; i < demo_ncities; i++) {
		if (demo_cities[i].lang != lang)
			continue;
		if (x < demo_cities[i].weight)
			return i;
		x -= demo_cities[i].weight;
	}
	return 0;
}

/* --- people --------------------------------------------------------------- */

/* The commonest Chinese surnames with their rough frequency (per mille). */
static const struct word zh_family[] = {
	{"王", "wang", 71}, {"李", "li", 70},	   {"张", "zhang", 67}, {"刘", "liu", 54},
	{"陈", "chen", 45}, {"杨", "yang", 31},	   {"赵", "zhao", 23},	{"黄", "huang", 22},
	{"周", "zhou", 21}, {"吴", "wu", 20},	   {"徐", "xu", 17},	{"孙", "sun", 15},
	{"胡", "hu", 13},   {"朱", "zhu", 13},	   {"高", "gao", 12},	{"林", "lin", 12},
	{"何", "he", 12},   {"郭", "guo", 11},	   {"马", "ma", 11},	{"罗", "luo", 9},
	{"梁", "liang", 8}, {"宋", "song", 8},	   {"郑", "zheng", 8},	{"谢", "xie", 7},
	{"韩", "han", 7},   {"唐", "tang", 6},	   {"冯", "feng", 6},	{"于", "yu", 6},
	{"董", "dong", 6},  {"萧", "xiao", 5},	   {"程", "cheng", 5},	{"曹", "cao", 5},
	{"袁", "yuan", 5},  {"邓", "deng", 5},	   {"许", "xu", 5},	{"傅", "fu", 4},
	{"沈", "shen", 4},  {"曾", "zeng", 4},	   {"彭", "peng", 4},	{"吕", "lv", 4},
	{"苏", "su", 4},    {"卢", "lu", 4},	   {"蒋", "jiang", 4},	{"蔡", "cai", 4},
	{"贾", "jia", 3},   {"丁", "ding", 3},	   {"魏", "wei", 3},	{"薛", "xue", 3},
	{"叶", "ye", 3},    {"阎", "yan", 3},	   {"余", "yu", 3},	{"潘", "pan", 3},
	{"杜", "du", 3},    {"戴", "dai", 3},	   {"夏", "xia", 3},	{"钟", "zhong", 3},
	{"汪", "wang", 3},  {"田", "tian", 3},	   {"任", "ren", 3},	{"姜", "jiang", 3},
	{"范", "fan", 3},   {"方", "fang", 3},	   {"石", "shi", 3},	{"姚", "yao", 3},
	{"谭", "tan", 2},   {"廖", "liao", 2},	   {"邹", "zou", 2},	{"熊", "xiong", 2},
	{"金", "jin", 2},   {"陆", "lu", 2},	   {"郝", "hao", 2},	{"孔", "kong", 2},
	{"白", "bai", 2},   {"崔", "cui", 2},	   {"康", "kang", 2},	{"毛", "mao", 2},
	{"邱", "qiu", 2},   {"秦", "qin", 2},	   {"江", "jiang", 2},	{"史", "shi", 2},
	{"顾", "gu", 2},    {"侯", "hou", 2},	   {"邵", "shao", 2},	{"孟", "meng", 2},
	{"龙", "long", 2},  {"万", "wan", 2},	   {"段", "duan", 2},	{"雷", "lei", 2},
	{"钱", "qian", 2},  {"汤", "tang", 2},	   {"尹", "yin", 2},	{"易", "yi", 2},
	{"常", "chang", 2}, {"武", "wu", 2},	   {"乔", "qiao", 2},	{"贺", "he", 2},
	{"单", "shan", 1},  {"欧阳", "ouyang", 1}, {"司马", "sima", 1}, {"诸葛", "zhuge", 1},
};

static const struct word zh_given_f[] = {
	{"芳", "fang", 0},	 {"娜", "na", 0},	 {"秀英", "xiuying", 0},
	{"敏", "min", 0},	 {"静", "jing", 0},	 {"丽", "li", 0},
	{"艳", "yan", 0},	 {"娟", "juan", 0},	 {"秀兰", "xiulan", 0},
	{"霞", "xia", 0},	 {"玲", "ling", 0},	 {"婷", "ting", 0},
	{"雪", "xue", 0},	 {"慧", "hui", 0},	 {"颖", "ying", 0},
	{"琳", "lin", 0},	 {"倩", "qian", 0},	 {"欣怡", "xinyi", 0},
	{"梓涵", "zihan", 0},	 {"雨萱", "yuxuan", 0},	 {"佳怡", "jiayi", 0},
	{"思雨", "siyu", 0},	 {"晓燕", "xiaoyan", 0}, {"丹", "dan", 0},
	{"萍", "ping", 0},	 {"红", "hong", 0},	 {"桂英", "guiying", 0},
	{"淑珍", "shuzhen", 0},	 {"美玲", "meiling", 0}, {"嘉欣", "jiaxin", 0},
	{"诗涵", "shihan", 0},	 {"子怡", "ziyi", 0},	 {"文静", "wenjing", 0},
	{"海燕", "haiyan", 0},	 {"春梅", "chunmei", 0}, {"晶", "jing", 0},
	{"璐", "lu", 0},	 {"瑶", "yao", 0},	 {"蕾", "lei", 0},
	{"小红", "xiaohong", 0},
};

static const struct word zh_given_m[] = {
	{"伟", "wei", 0},	 {"强", "qiang", 0},	 {"磊", "lei", 0},
	{"军", "jun", 0},	 {"洋", "yang", 0},	 {"勇", "yong", 0},
	{"杰", "jie", 0},	 {"涛", "tao", 0},	 {"明", "ming", 0},
	{"超", "chao", 0},	 {"刚", "gang", 0},	 {"平", "ping", 0},
	{"辉", "hui", 0},	 {"鹏", "peng", 0},	 {"华", "hua", 0},
	{"飞", "fei", 0},	 {"鑫", "xin", 0},	 {"波", "bo", 0},
	{"斌", "bin", 0},	 {"宇", "yu", 0},	 {"浩", "hao", 0},
	{"凯", "kai", 0},	 {"健", "jian", 0},	 {"俊", "jun", 0},
	{"建华", "jianhua", 0},	 {"建国", "jianguo", 0}, {"志强", "zhiqiang", 0},
	{"国强", "guoqiang", 0}, {"建军", "jianjun", 0}, {"晓东", "xiaodong", 0},
	{"海涛", "haitao", 0},	 {"子轩", "zixuan", 0},	 {"浩然", "haoran", 0},
	{"宇航", "yuhang", 0},	 {"志明", "zhiming", 0}, {"文博", "wenbo", 0},
	{"俊杰", "junjie", 0},	 {"天宇", "tianyu", 0},	 {"博文", "bowen", 0},
	{"小明", "xiaoming", 0},
};

static const struct word ru_given_m[] = {
	{"Александр", "aleksandr", 0}, {"Сергей", "sergey", 0},
	{"Дмитрий", "dmitry", 0},      {"Андрей", "andrey", 0},
	{"Алексей", "aleksey", 0},     {"Максим", "maksim", 0},
	{"Евгений", "evgeny", 0},      {"Иван", "ivan", 0},
	{"Михаил", "mikhail", 0},      {"Николай", "nikolay", 0},
	{"Владимир", "vladimir", 0},   {"Павел", "pavel", 0},
	{"Артём", "artem", 0},	       {"Игорь", "igor", 0},
	{"Роман", "roman", 0},	       {"Олег", "oleg", 0},
	{"Денис", "denis", 0},	       {"Виктор", "viktor", 0},
	{"Юрий", "yury", 0},	       {"Константин", "konstantin", 0},
	{"Антон", "anton", 0},	       {"Илья", "ilya", 0},
	{"Кирилл", "kirill", 0},       {"Никита", "nikita", 0},
	{"Егор", "egor", 0},	       {"Вадим", "vadim", 0},
	{"Пётр", "petr", 0},
};

static const struct word ru_given_f[] = {
	{"Елена", "elena", 0},	    {"Ольга", "olga", 0},	   {"Наталья", "natalya", 0},
	{"Татьяна", "tatyana", 0},  {"Анна", "anna", 0},	   {"Мария", "maria", 0},
	{"Ирина", "irina", 0},	    {"Светлана", "svetlana", 0},   {"Екатерина", "ekaterina", 0},
	{"Юлия", "yulia", 0},	    {"Анастасия", "anastasia", 0}, {"Марина", "marina", 0},
	{"Людмила", "lyudmila", 0}, {"Галина", "galina", 0},	   {"Дарья", "darya", 0},
	{"Ксения", "ksenia", 0},    {"Виктория", "viktoria", 0},   {"Алина", "alina", 0},
	{"Полина", "polina", 0},    {"Валентина", "valentina", 0}, {"Надежда", "nadezhda", 0},
	{"Евгения", "evgenia", 0},  {"Софья", "sofya", 0},	   {"Алёна", "alena", 0},
};

/* Masculine forms; the feminine is derived (-ов → -ова, -ий → -ая). */
static const struct word ru_family[] = {
	{"Иванов", "ivanov", 0},	 {"Смирнов", "smirnov", 0},
	{"Кузнецов", "kuznetsov", 0},	 {"Попов", "popov", 0},
	{"Васильев", "vasilyev", 0},	 {"Петров", "petrov", 0},
	{"Соколов", "sokolov", 0},	 {"Михайлов", "mikhaylov", 0},
	{"Новиков", "novikov", 0},	 {"Фёдоров", "fedorov", 0},
	{"Морозов", "morozov", 0},	 {"Волков", "volkov", 0},
	{"Алексеев", "alekseev", 0},	 {"Лебедев", "lebedev", 0},
	{"Семёнов", "semenov", 0},	 {"Егоров", "egorov", 0},
	{"Павлов", "pavlov", 0},	 {"Козлов", "kozlov", 0},
	{"Степанов", "stepanov", 0},	 {"Николаев", "nikolaev", 0},
	{"Орлов", "orlov", 0},		 {"Андреев", "andreev", 0},
	{"Макаров", "makarov", 0},	 {"Никитин", "nikitin", 0},
	{"Захаров", "zakharov", 0},	 {"Зайцев", "zaytsev", 0},
	{"Соловьёв", "solovyev", 0},	 {"Борисов", "borisov", 0},
	{"Яковлев", "yakovlev", 0},	 {"Григорьев", "grigoryev", 0},
	{"Романов", "romanov", 0},	 {"Воробьёв", "vorobyev", 0},
	{"Сергеев", "sergeev", 0},	 {"Кузьмин", "kuzmin", 0},
	{"Фролов", "frolov", 0},	 {"Александров", "aleksandrov", 0},
	{"Дмитриев", "dmitriev", 0},	 {"Королёв", "korolev", 0},
	{"Гусев", "gusev", 0},		 {"Киселёв", "kiselev", 0},
	{"Ильин", "ilyin", 0},		 {"Максимов", "maksimov", 0},
	{"Поляков", "polyakov", 0},	 {"Сорокин", "sorokin", 0},
	{"Виноградов", "vinogradov", 0}, {"Ковалёв", "kovalev", 0},
	{"Белов", "belov", 0},		 {"Медведев", "medvedev", 0},
	{"Антонов", "antonov", 0},	 {"Тарасов", "tarasov", 0},
	{"Жуков", "zhukov", 0},		 {"Баранов", "baranov", 0},
	{"Филиппов", "filippov", 0},	 {"Комаров", "komarov", 0},
	{"Давыдов", "davydov", 0},	 {"Беляев", "belyaev", 0},
	{"Герасимов", "gerasimov", 0},	 {"Богданов", "bogdanov", 0},
	{"Осипов", "osipov", 0},	 {"Сидоров", "sidorov", 0},
	{"Матвеев", "matveev", 0},	 {"Титов", "titov", 0},
	{"Марков", "markov", 0},	 {"Миронов", "mironov", 0},
	{"Крылов", "krylov", 0},	 {"Куликов", "kulikov", 0},
	{"Карпов", "karpov", 0},	 {"Власов", "vlasov", 0},
	{"Мельников", "melnikov", 0},	 {"Денисов", "denisov", 0},
	{"Гаврилов", "gavrilov", 0},	 {"Тихонов", "tikhonov", 0},
	{"Щербаков", "shcherbakov", 0},	 {"Калинин", "kalinin", 0},
	{"Быков", "bykov", 0},		 {"Воронин", "voronin", 0},
	{"Голубев", "golubev", 0},	 {"Кудрявцев", "kudryavtsev", 0},
	{"Журавлёв", "zhuravlev", 0},	 {"Соболев", "sobolev", 0},
	{"Громов", "gromov", 0},	 {"Вишневский", "vishnevsky", 0},
	{"Островский", "ostrovsky", 0},	 {"Троицкий", "troitsky", 0},
	{"Шевченко", "shevchenko", 0},	 {"Коваленко", "kovalenko", 0},
	{"Бондаренко", "bondarenko", 0},
};

static const char *const en_given_m[] = {
	"James",  "John",    "Robert",	    "Michael", "William",  "David",   "Richard", "Joseph",
	"Thomas", "Charles", "Christopher", "Daniel",  "Matthew",  "Anthony", "Mark",	 "Steven",
	"Paul",	  "Andrew",  "Joshua",	    "Kevin",   "Brian",	   "George",  "Timothy", "Ryan",
	"Jason",  "Jacob",   "Nicholas",    "Eric",    "Jonathan", "Samuel",  "Oliver",	 "Harry",
	"Jack",	  "Ethan",   "Benjamin",    "Liam",    "Noah",	   "Adam",    "Peter",	 "Raj",
};
static const char *const en_given_f[] = {
	"Mary",	   "Patricia", "Jennifer", "Linda",	"Elizabeth", "Barbara", "Susan",
	"Jessica", "Sarah",    "Karen",	   "Lisa",	"Nancy",     "Sandra",	"Ashley",
	"Emily",   "Michelle", "Amanda",   "Melissa",	"Stephanie", "Rebecca", "Laura",
	"Emma",	   "Olivia",   "Sophie",   "Charlotte", "Hannah",    "Rachel",	"Megan",
	"Amy",	   "Anna",     "Julia",	   "Claire",	"Lucy",	     "Grace",	"Chloe",
	"Priya",   "Maria",    "Natalie",
};
static const char *const en_family[] = {
	"Smith",  "Johnson",   "Williams", "Brown",    "Jones",	     "Garcia",	 "Miller",
	"Davis",  "Rodriguez", "Martinez", "Wilson",   "Anderson",   "Taylor",	 "Thomas",
	"Moore",  "Jackson",   "Martin",   "Lee",      "Thompson",   "White",	 "Harris",
	"Clark",  "Lewis",     "Robinson", "Walker",   "Young",	     "Allen",	 "King",
	"Wright", "Scott",     "Hill",	   "Green",    "Adams",	     "Baker",	 "Nelson",
	"Carter", "Mitchell",  "Roberts",  "Turner",   "Phillips",   "Campbell", "Parker",
	"Evans",  "Edwards",   "Collins",  "Stewart",  "Morris",     "Murphy",	 "Cook",
	"Rogers", "Morgan",    "Cooper",   "Peterson", "Reed",	     "Bailey",	 "Bell",
	"Kelly",  "Howard",    "Ward",	   "Cox",      "Richardson", "Wood",	 "Watson",
	"Brooks", "Bennett",   "Gray",	   "Hughes",   "Price",	     "Sanders",	 "Patel",
	"Nguyen", "Kim",       "O'Brien",  "Murray",   "Fraser",     "Singh",	 "Khan",
	"Lopez",
};
static const struct word de_given_m[] = {
	{"Lukas", "lukas", 0},	     {"Jonas", "jonas", 0},	{"Felix", "felix", 0},
	{"Stefan", "stefan", 0},     {"Andreas", "andreas", 0}, {"Jürgen", "juergen", 0},
	{"Matthias", "matthias", 0}, {"Tobias", "tobias", 0},	{"Jörg", "joerg", 0},
};
static const struct word de_given_f[] = {
	{"Anna", "anna", 0},	 {"Lena", "lena", 0},	  {"Julia", "julia", 0},
	{"Katrin", "katrin", 0}, {"Sabine", "sabine", 0}, {"Jana", "jana", 0},
	{"Sophie", "sophie", 0}, {"Birgit", "birgit", 0}, {"Käthe", "kaethe", 0},
};
static const struct word de_family[] = {
	{"Müller", "mueller", 0},    {"Schmidt", "schmidt", 0},	 {"Schneider", "schneider", 0},
	{"Fischer", "fischer", 0},   {"Weber", "weber", 0},	 {"Meyer", "meyer", 0},
	{"Wagner", "wagner", 0},     {"Becker", "becker", 0},	 {"Schulz", "schulz", 0},
	{"Hoffmann", "hoffmann", 0}, {"Schäfer", "schaefer", 0}, {"Köhler", "koehler", 0},
	{"Groß", "gross", 0},	     {"Krüger", "krueger", 0},	 {"Weiß", "weiss", 0},
};

/* Lower-case ASCII copy (the English lists are ASCII; apostrophes go). */
static void ascii_lower(char *out, size_t n, const char *s)
{
	size_t k = 0;
	for (; *s && k + 1 < n; s++)
		if ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z'))
			out[k++] = (char)(*s | 0x20);
	out[k] = 0;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && !memcmp(s + a - b, suffix, b);
}

/* Иванов → Иванова, Вишневский → Вишневская, Шевченко stays. */
static void ru_feminine(const struct word *w, struct demo_person *p)
{
	size_t n = strlen(w->s), m = strlen(w->latin);
	if (ends_with(w->s, "ий")) {
		snprintf(p->family, sizeof p->family, "%.*sая", (int)(n - 4), w->s);
		snprintf(p->family_latin, sizeof p->family_latin, "%.*saya", (int)(m - 1),
			 w->latin);
	} else if (ends_with(w->s, "ко")) {
		snprintf(p->family, sizeof p->family, "%s", w->s);
		snprintf(p->family_latin, sizeof p->family_latin, "%s", w->latin);
	} else {
		snprintf(p->family, sizeof p->family, "%sа", w->s);
		snprintf(p->family_latin, sizeof p->family_latin, "%sa", w->latin);
	}
}

static void set_pair(char *dst, size_t dn, char *lat, size_t ln, const struct word *w)
{
	snprintf(dst, dn, "%s", w->s);
	snprintf(lat, ln, "%s", w->latin);
}

void demo_person(struct rng *r, int lang, bool german, struct demo_person *p)
{
	p->female = rng_chance(r, lang == DL_RU ? 0.5 : 0.45);
	if (lang == DL_ZH) {
		const struct word *f = pick_weighted_word(r, zh_family, COUNT(zh_family));
		const struct word *g =
			p->female ? &RNG_PICK(r, zh_given_f) : &RNG_PICK(r, zh_given_m);
		set_pair(p->family, sizeof p->family, p->family_latin, sizeof p->family_latin, f);
		set_pair(p->given, sizeof p->given, p->given_latin, sizeof p->given_latin, g);
		snprintf(p->name, sizeof p->name, "%s%s", p->family, p->given);
		return;
	}
	if (lang == DL_RU) {
		const struct word *f = &RNG_PICK(r, ru_family);
		const struct word *g =
			p->female ? &RNG_PICK(r, ru_given_f) : &RNG_PICK(r, ru_given_m);
		if (p->female)
			ru_feminine(f, p);
		else
			set_pair(p->family, sizeof p->family, p->family_latin,
				 sizeof p->family_latin, f);
		set_pair(p->given, sizeof p->given, p->given_latin, sizeof p->given_latin, g);
		snprintf(p->name, sizeof p->name, "%s %s", p->given, p->family);
		return;
	}
	if (german && rng_chance(r, 0.8)) {
		set_pair(p->family, sizeof p->family, p->family_latin, sizeof p->family_latin,
			 &RNG_PICK(r, de_family));
		set_pair(p->given, sizeof p->given, p->given_latin, sizeof p->given_latin,
			 p->female ? &RNG_PICK(r, de_given_f) : &RNG_PICK(r, de_given_m));
	} else {
		const char *g = p->female ? RNG_PICK(r, en_given_f) : RNG_PICK(r, en_given_m);
		const char *f = RNG_PICK(r, en_family);
		snprintf(p->given, sizeof p->given, "%s", g);
		snprintf(p->family, sizeof p->family, "%s", f);
		ascii_lower(p->given_latin, sizeof p->given_latin, g);
		ascii_lower(p->family_latin, sizeof p->family_latin, f);
	}
	snprintf(p->name, sizeof p->name, "%s %s", p->given, p->family);
}

void demo_email(struct rng *r, const struct demo_person *p, int lang, bool german, char *out,
		size_t n)
{
	/* zh: zhang.wei, zhangwei, wei.zhang, zhangw; ru: ivan.ivanov,
	 * i.ivanov, ivanov, ivanov.ivan; en: john.smith, j.smith, johnsmith,
	 * john */
	static const int w[DL_COUNT][4] = {
		[DL_EN] = {35, 25, 15, 25}, [DL_ZH] = {45, 30, 10, 15}, [DL_RU] = {30, 25, 30, 15}};
	const char *f = p->family_latin, *g = p->given_latin;
	char local[112];
	int style = rng_weighted(r, w[lang], 4);
	if (lang == DL_ZH) {
		if (style == 0)
			snprintf(local, sizeof local, "%s.%s", f, g);
		else if (style == 1)
			snprintf(local, sizeof local, "%s%s", f, g);
		else if (style == 2)
			snprintf(local, sizeof local, "%s.%s", g, f);
		else
			snprintf(local, sizeof local, "%s%c", f, g[0]);
	} else if (style == 0) {
		snprintf(local, sizeof local, "%s.%s", g, f);
	} else if (style == 1) {
		snprintf(local, sizeof local, "%c.%s", g[0], f);
	} else if (style == 2) {
		snprintf(local, sizeof local, "%s", lang == DL_RU ? f : g);
		if (lang == DL_EN)
			snprintf(local + strlen(local), sizeof local - strlen(local), "%s", f);
	} else {
		snprintf(local, sizeof local, "%s", lang == DL_RU ? f : g);
		if (lang == DL_RU)
			snprintf(local + strlen(local), sizeof local - strlen(local), ".%s", g);
	}
	/* bare first names and Chinese mailboxes mostly carry a number */
	double pdig = lang == DL_ZH ? 0.65 : lang == DL_EN && style == 3 ? 0.9 : 0.5;
	/* several mail hosts per country, so namesakes rarely share a mailbox
	 * (the duplicates screen should find real duplicates, not namesakes) */
	static const char *const hosts[][4] = {
		[DL_EN] = {"example.com", "example.org", "example.net", "mail.example.com"},
		[DL_ZH] = {"example.cn", "mail.example.cn", "example.com.cn", "corp.example.cn"},
		[DL_RU] = {"example.ru", "mail.example.ru", "example.su", "corp.example.ru"}};
	const char *dom = german ? "example.de" : hosts[lang][rng_range(r, 0, 3)];
	if (rng_chance(r, pdig))
		snprintf(out, n, "%s%d@%s", local,
			 (int)rng_range(r, 1, rng_chance(r, 0.5) ? 99 : 9999), dom);
	else
		snprintf(out, n, "%s@%s", local, dom);
}

static const char *const en_titles[] = {
	"CEO",
	"CFO",
	"CTO",
	"COO",
	"VP of Sales",
	"Head of Procurement",
	"IT Director",
	"Operations Manager",
	"Office Manager",
	"Sales Manager",
	"Purchasing Manager",
	"Marketing Director",
	"Account Executive",
	"Project Manager",
	"Software Engineer",
	"HR Manager",
	"Finance Manager",
};
static const char *const zh_titles[] = {
	"总经理",   "副总经理", "财务总监", "技术总监",	    "销售经理", "采购经理",
	"采购总监", "IT经理",	"市场总监", "运营经理",	    "项目经理", "人事经理",
	"行政主管", "董事长",	"销售代表", "信息中心主任",
};
static const char *const ru_titles[] = {
	"Генеральный директор",	  "Коммерческий директор",
	"Финансовый директор",	  "ИТ-директор",
	"Менеджер по закупкам",	  "Руководитель отдела продаж",
	"Главный бухгалтер",	  "Начальник отдела снабжения",
	"Менеджер проекта",	  "Офис-менеджер",
	"Директор по маркетингу", "Системный администратор",
	"Специалист по закупкам", "Заместитель директора",
};

const char *demo_title(struct rng *r, int lang)
{
	return lang == DL_ZH   ? RNG_PICK(r, zh_titles)
	       : lang == DL_RU ? RNG_PICK(r, ru_titles)
			       : RNG_PICK(r, en_titles);
}

/* --- phones and addresses ------------------------------------------------- */

static void digits(struct rng *r, char *out, int n)
{
	for (int i = 0; i < n; i++)
		out[i] = (char)('0' + rng_below(r, 10));
	out[n] = 0;
}

void demo_phone(struct rng *r, const struct demo_city *c, bool mobile, char *out, size_t n)
{
	char d[12];
	if (c->lang == DL_ZH) {
		digits(r, d, 8);
		if (mobile)
			snprintf(out, n, "+86 1%c%c %.4s %.4s", "3456789"[rng_below(r, 7)], d[0],
				 d + 1, d + 4);
		else
			snprintf(out, n, "+86 %s %c%.3s %.4s", c->area,
				 (char)('2' + rng_below(r, 7)), d + 1, d + 4);
	} else if (c->lang == DL_RU) {
		digits(r, d, 7);
		if (mobile)
			snprintf(out, n, "+7 9%02d %.3s-%.2s-%.2s", (int)rng_below(r, 100), d,
				 d + 3, d + 5);
		else
			snprintf(out, n, "+7 %s %.3s-%.2s-%.2s", c->area, d, d + 3, d + 5);
	} else if (!strcmp(c->cc, "+44")) {
		/* Ofcom's ranges reserved for drama: never a real line. */
		digits(r, d, 3);
		if (mobile)
			snprintf(out, n, "+44 7700 900%s", d);
		else if (!strcmp(c->area, "20"))
			snprintf(out, n, "+44 20 7946 0%s", d);
		else
			snprintf(out, n, "+44 %s 496 0%s", c->area, d);
	} else if (!strcmp(c->cc, "+61")) {
		digits(r, d, 4);
		if (mobile)
			snprintf(out, n, "+61 491 570 %.3s", d);
		else
			snprintf(out, n, "+61 %s 5550 %s", c->area, d);
	} else if (!strcmp(c->cc, "+49")) {
		digits(r, d, 7);
		if (mobile)
			snprintf(out, n, "+49 15%c %s", (char)('1' + rng_below(r, 9)), d);
		else
			snprintf(out, n, "+49 %s %s", c->area, d);
	} else {
		digits(r, d, 4);
		snprintf(out, n, "+1 %s-555-%s", c->area, d);
	}
}

static const char *const zh_roads[] = {"人民路",   "中山路",   "解放路",   "建设路",
				       "科技园路", "长江路",   "和平路",   "文化路",
				       "延安路",   "滨江大道", "世纪大道", "高新大道"};
static const char *const ru_streets[] = {"Ленина",	 "Мира",	"Советская",  "Садовая",
					 "Пушкина",	 "Гагарина",	"Лесная",     "Заводская",
					 "Промышленная", "Октябрьская", "Московская", "Набережная"};
static const char *const en_streets[] = {"Main Street",	  "Oak Avenue",	   "Market Street",
					 "King Street",	  "Park Avenue",   "Elm Street",
					 "Broadway",	  "High Street",   "Church Road",
					 "Victoria Road", "Harbour Drive", "Commerce Way"};
static const char *const de_streets[] = {"Hauptstraße",	 "Friedrichstraße", "Bahnhofstraße",
					 "Gartenstraße", "Schillerstraße",  "Industriestraße",
					 "Lindenallee"};

void demo_address(struct rng *r, const struct demo_city *c, char *out, size_t n)
{
	int num = (int)rng_range(r, 1, rng_chance(r, 0.8) ? 120 : 999);
	if (c->lang == DL_ZH)
		snprintf(out, n, "%s市%s%d号", c->name, RNG_PICK(r, zh_roads), num);
	else if (c->lang == DL_RU)
		snprintf(out, n, "ул. %s, д. %d", RNG_PICK(r, ru_streets), num);
	else if (c->german)
		snprintf(out, n, "%s %d", RNG_PICK(r, de_streets), num);
	else
		snprintf(out, n, "%d %s", num, RNG_PICK(r, en_streets));
}
