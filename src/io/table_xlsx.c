/* table_xlsx.c — the XLSX back end: finds the sheet (xl/workbook.xml names
 * the sheets, xl/_rels/workbook.xml.rels says which zip entry holds each),
 * loads the shared strings and the cell styles, then streams the sheet one
 * <row> at a time, placing each cell by its reference ("C7") so that
 * skipped cells come out as "". */
#include <math.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <zip.h>

#include "io/table_internal.h"

#define XLSX_MAX_SHEETS 1024
#define XLSX_NAME_LEN	256
#define XLSX_PATH_LEN	512

struct xlsx_sheet {
	char name[XLSX_NAME_LEN];
	char rid[64];
	char path[XLSX_PATH_LEN]; /* the zip entry, from the relationships */
	bool worksheet, hidden;
};

struct table_xlsx {
	struct zip *z;
	struct xlsx_sheet *sheets;
	int nsheets;
	char strings_path[XLSX_PATH_LEN], styles_path[XLSX_PATH_LEN];
	bool date1904;
	struct xlsx_strings ss;
	struct xlsx_styles st;
	struct xlsx_part sheet;
	bool sheet_open, done;
	int chosen; /* the sheet read, an index of sheets */
	int64_t last_row;
	struct buf val; /* the cell being read */
};

/* --- the workbook and its relationships ---------------------------------------- */

static enum rp_err add_sheet(struct xlsx_part *p, struct table_xlsx *x, struct rp_error *err)
{
	if (x->nsheets == XLSX_MAX_SHEETS)
		return rp_fail(err, RP_EINVAL, "bad_xlsx", "more than %d sheets", XLSX_MAX_SHEETS);
	if ((x->nsheets & (x->nsheets - 1)) == 0) { /* at 0 and each power of two */
		x->sheets = realloc(x->sheets,
				    (size_t)(x->nsheets ? x->nsheets * 2 : 8) * sizeof *x->sheets);
		if (!x->sheets)
			abort();
	}
	struct xlsx_sheet *s = &x->sheets[x->nsheets++];
	memset(s, 0, sizeof *s);
	xlsx_attr(p, "name", s->name, sizeof s->name);
	xlsx_attr(p, "id", s->rid, sizeof s->rid); /* r:id */
	char state[16] = "";
	xlsx_attr(p, "state", state, sizeof state);
	s->hidden = strcmp(state, "hidden") == 0 || strcmp(state, "veryHidden") == 0;
	return RP_OK;
}

static enum rp_err read_workbook(struct table_xlsx *x, struct rp_error *err)
{
	struct xlsx_part p;
	enum rp_err rc = xlsx_part_open(x->z, "xl/workbook.xml", XLSX_MAX_SMALL, &p, err);
	if (rc == RP_ENOTFOUND)
		return rp_fail(err, RP_EINVAL, "not_a_table",
			       "a zip file but not an Excel workbook (no xl/workbook.xml)");
	if (rc)
		return rc;
	int r = 0;
	while (rc == RP_OK && (r = xlsx_part_read(&p, err)) == 1) {
		if (xlsx_start(&p, "sheet")) {
			rc = add_sheet(&p, x, err);
		} else if (xlsx_start(&p, "workbookPr")) {
			char v[8] = "";
			xlsx_attr(&p, "date1904", v, sizeof v);
			x->date1904 = strcmp(v, "1") == 0 || strcasecmp(v, "true") == 0;
		}
	}
	xlsx_part_close(&p);
	if (rc)
		return rc;
	return r < 0 ? RP_EINVAL : RP_OK;
}

/* Targets are relative to xl/ unless they start at the root. */
static void resolve_target(const char *target, char *out)
{
	if (target[0] == '/')
		snprintf(out, XLSX_PATH_LEN, "%s", target + 1);
	else
		snprintf(out, XLSX_PATH_LEN, "xl/%.*s", XLSX_PATH_LEN - 4, target);
}

static void add_relationship(struct xlsx_part *p, struct table_xlsx *x)
{
	char id[64], type[256], target[XLSX_PATH_LEN - 4], mode[16] = "";
	if (!xlsx_attr(p, "Id", id, sizeof id) || !xlsx_attr(p, "Type", type, sizeof type) ||
	    !xlsx_attr(p, "Target", target, sizeof target))
		return;
	if (xlsx_attr(p, "TargetMode", mode, sizeof mode) && strcmp(mode, "External") == 0)
		return;
	const char *kind = strrchr(type, '/');
	kind = kind ? kind + 1 : type;
	if (strcmp(kind, "sharedStrings") == 0) {
		resolve_target(target, x->strings_path);
	} else if (strcmp(kind, "styles") == 0) {
		resolve_target(target, x->styles_path);
	} else {
		for (int i = 0; i < x->nsheets; i++) {
			if (strcmp(x->sheets[i].rid, id) != 0)
				continue;
			resolve_target(target, x->sheets[i].path);
			x->sheets[i].worksheet = strcmp(kind, "worksheet") == 0;
		}
	}
}

static enum rp_err read_relationships(struct table_xlsx *x, struct rp_error *err)
{
	struct xlsx_part p;
	enum rp_err rc =
		xlsx_part_open(x->z, "xl/_rels/workbook.xml.rels", XLSX_MAX_SMALL, &p, err);
	if (rc == RP_ENOTFOUND)
		return rp_fail(err, RP_EINVAL, "bad_xlsx", "xl/_rels/workbook.xml.rels is missing");
	if (rc)
		return rc;
	int r;
	while ((r = xlsx_part_read(&p, err)) == 1)
		if (xlsx_start(&p, "Relationship"))
			add_relationship(&p, x);
	xlsx_part_close(&p);
	return r < 0 ? RP_EINVAL : RP_OK;
}

/* The names of the worksheets but skip (-1: none skipped), comma
 * separated, into names; returns how many. */
static int sheet_names(const struct table_xlsx *x, int skip, struct buf *names)
{
	int n = 0;
	for (int i = 0; i < x->nsheets; i++) {
		if (!x->sheets[i].worksheet || i == skip)
			continue;
		buf_adds(names, n++ ? ", " : "");
		buf_adds(names, x->sheets[i].name);
	}
	return n;
}

int table_xlsx_other_sheets(const struct table_xlsx *x, struct buf *names)
{
	return sheet_names(x, x->chosen, names);
}

static enum rp_err no_such_sheet(const struct table_xlsx *x, const char *want, struct rp_error *err)
{
	struct buf names;
	buf_init(&names, 200);
	sheet_names(x, -1, &names);
	rp_fail(err, RP_EINVAL, "no_such_sheet", "no sheet named \"%s\"; the sheets are: %s%s",
		want, buf_str(&names), names.overflow ? "..." : "");
	buf_release(&names);
	return RP_EINVAL;
}

/* The named sheet (exactly, else ignoring ASCII case as Excel does), or
 * the first visible worksheet. */
static enum rp_err choose_sheet(const struct table_xlsx *x, const char *want,
				const struct xlsx_sheet **ret, struct rp_error *err)
{
	const struct xlsx_sheet *found = NULL;
	for (int i = 0; i < x->nsheets && !found; i++) {
		const struct xlsx_sheet *s = &x->sheets[i];
		if (s->worksheet && s->path[0] && (want ? strcmp(s->name, want) == 0 : !s->hidden))
			found = s;
	}
	for (int i = 0; i < x->nsheets && !found && want; i++) {
		const struct xlsx_sheet *s = &x->sheets[i];
		if (s->worksheet && s->path[0] && strcasecmp(s->name, want) == 0)
			found = s;
	}
	if (!found && want)
		return no_such_sheet(x, want, err);
	if (!found)
		return rp_fail(err, RP_EINVAL, "no_such_sheet", "the workbook has no worksheet");
	*ret = found;
	return RP_OK;
}

/* --- opening ------------------------------------------------------------------- */

static enum rp_err open_zip(struct table_xlsx *x, int fd, struct rp_error *err)
{
	int code = 0;
	x->z = zip_fdopen(fd, 0, &code);
	if (x->z)
		return RP_OK;
	close(fd);
	zip_error_t ze;
	zip_error_init_with_code(&ze, code);
	rp_fail(err, RP_EINVAL, "not_a_table", "not a readable .xlsx (zip) file: %s",
		zip_error_strerror(&ze));
	zip_error_fini(&ze);
	return RP_EINVAL;
}

static enum rp_err open_sheet(struct table_xlsx *x, const struct xlsx_sheet *s,
			      struct rp_error *err)
{
	enum rp_err rc = xlsx_part_open(x->z, s->path, XLSX_MAX_SHEET, &x->sheet, err);
	if (rc == RP_ENOTFOUND)
		return rp_fail(err, RP_EINVAL, "bad_xlsx", "sheet \"%s\": %s is missing", s->name,
			       s->path);
	x->sheet_open = rc == RP_OK;
	return rc;
}

enum rp_err table_xlsx_open(struct table_reader *t, int fd, const struct table_options *opt,
			    struct rp_error *err)
{
	struct table_xlsx *x = calloc(1, sizeof *x);
	if (!x)
		abort();
	t->xlsx = x;
	buf_init(&x->val, TABLE_MAX_ROW + 1);
	snprintf(t->encoding, sizeof t->encoding, "UTF-8"); /* what XML gives */
	t->delimiter = 0;
	enum rp_err rc = open_zip(x, fd, err);
	if (!rc)
		rc = read_workbook(x, err);
	if (!rc)
		rc = read_relationships(x, err);
	const struct xlsx_sheet *s = NULL;
	if (!rc)
		rc = choose_sheet(x, opt->sheet, &s, err);
	if (!rc)
		x->chosen = (int)(s - x->sheets);
	if (!rc)
		rc = xlsx_load_strings(
			x->z, x->strings_path[0] ? x->strings_path : "xl/sharedStrings.xml", &x->ss,
			err);
	if (!rc)
		rc = xlsx_load_styles(x->z, x->styles_path[0] ? x->styles_path : "xl/styles.xml",
				      &x->st, err);
	if (!rc)
		rc = open_sheet(x, s, err);
	return rc;
}

/* --- cells and rows ------------------------------------------------------------- */

/* "C7" → 2; -1 unless 1-3 letters followed by digits. */
static int parse_column(const char *ref)
{
	int col = 0, letters = 0;
	for (; *ref >= 'A' && *ref <= 'Z'; ref++) /* past 3 letters it is refused: */
		if (++letters <= 3)		  /* no int overflow on the way */
			col = col * 26 + (*ref - 'A' + 1);
	if (letters == 0 || letters > 3 || !(*ref >= '1' && *ref <= '9'))
		return -1;
	return col - 1;
}

/* The text inside a <c>: its <v>, or an inline string's <t>s (not its
 * phonetic guide); a formula (<f>) is not text, its cached <v> is. */
static int read_value(struct table_xlsx *x, struct rp_error *err)
{
	struct xlsx_part *p = &x->sheet;
	bool in_v = false, in_t = false, in_rph = false;
	int rc;
	while ((rc = xlsx_part_read(p, err)) == 1) {
		if (xlsx_end(p, "c"))
			return 1;
		if (xlsx_start(p, "v"))
			in_v = !xlsx_empty(p);
		else if (xlsx_end(p, "v"))
			in_v = false;
		else if (xlsx_start(p, "rPh"))
			in_rph = !xlsx_empty(p);
		else if (xlsx_end(p, "rPh"))
			in_rph = false;
		else if (xlsx_start(p, "t"))
			in_t = !in_rph && !xlsx_empty(p);
		else if (xlsx_end(p, "t"))
			in_t = false;
		else if ((in_v || in_t) && xlsx_is_text(p))
			xlsx_add_text(&x->val, xlsx_text(p));
	}
	if (rc == 0)
		rp_fail(err, RP_EINVAL, "bad_xlsx", "%s ends inside a cell", p->name);
	return -1;
}

/* strtod and printf read and write "." because nothing in Rapport calls
 * setlocale: the process stays in the C locale. */
static const char *number_text(const struct table_xlsx *x, const char *v, size_t style, char *tmp,
			       size_t cap)
{
	char *end;
	double d = strtod(v, &end);
	if (!*v || end == v || *end || !isfinite(d))
		return v;
	if (xlsx_style_is_date(&x->st, style) && xlsx_format_date(d, x->date1904, tmp, cap))
		return tmp;
	xlsx_format_number(d, tmp, cap);
	return tmp;
}

/* The cell's text by its type: s shared string, b boolean, e error, n (or
 * none) number, str / inlineStr / d text as stored. */
static enum rp_err cell_text(const struct table_xlsx *x, const char *type, size_t style,
			     int64_t row, const char **ret, char *tmp, size_t cap,
			     struct rp_error *err)
{
	const char *v = buf_str(&x->val);
	if (strcmp(type, "s") == 0) {
		char *end;
		unsigned long long i = strtoull(v, &end, 10);
		const char *s = end != v && !*end ? xlsx_string(&x->ss, (size_t)i) : NULL;
		if (!s)
			return rp_fail(err, RP_EINVAL, "bad_xlsx",
				       "row %lld: shared string \"%.20s\" does not exist",
				       (long long)row, v);
		*ret = s;
	} else if (strcmp(type, "b") == 0) {
		*ret = strcmp(v, "1") == 0 ? "TRUE" : strcmp(v, "0") == 0 ? "FALSE" : v;
	} else if (strcmp(type, "e") == 0) {
		*ret = ""; /* #N/A, #DIV/0!: no value to import */
	} else if (strcmp(type, "n") == 0) {
		*ret = number_text(x, v, style, tmp, cap);
	} else {
		*ret = v;
	}
	return RP_OK;
}

static enum rp_err place_cell(struct table_reader *t, int col, const char *text,
			      struct rp_error *err)
{
	if (!*text)
		return RP_OK; /* a later cell fills the gap with "" if there is one */
	enum rp_err rc = table_row_pad(t, col, err);
	return rc ? rc : table_row_add(t, text, strlen(text), err);
}

static enum rp_err read_cell(struct table_xlsx *x, struct table_reader *t, int *next_col,
			     struct rp_error *err)
{
	struct xlsx_part *p = &x->sheet;
	char ref[16] = "", type[16] = "n", style[16] = "";
	int col = *next_col;
	if (xlsx_attr(p, "r", ref, sizeof ref) && (col = parse_column(ref)) < 0)
		return rp_fail(err, RP_EINVAL, "bad_xlsx", "row %lld: bad cell reference \"%s\"",
			       (long long)t->building, ref);
	if (col < *next_col)
		return rp_fail(err, RP_EINVAL, "bad_xlsx", "row %lld: cell %s is out of order",
			       (long long)t->building, ref);
	if (col >= TABLE_MAX_CELLS)
		return rp_fail(err, RP_EINVAL, "too_many_cells",
			       "row %lld: cell %s is past the %d-column limit",
			       (long long)t->building, ref, TABLE_MAX_CELLS);
	*next_col = col + 1;
	xlsx_attr(p, "t", type, sizeof type);
	size_t s = xlsx_attr(p, "s", style, sizeof style) ? strtoul(style, NULL, 10) : 0;
	buf_reset(&x->val);
	if (!xlsx_empty(p) && read_value(x, err) < 0)
		return RP_EINVAL;
	if (x->val.overflow)
		return rp_fail(err, RP_EINVAL, "row_too_large", "row %lld: longer than %zu bytes",
			       (long long)t->building, TABLE_MAX_ROW);
	const char *text = "";
	char tmp[48];
	enum rp_err rc = cell_text(x, type, s, t->building, &text, tmp, sizeof tmp, err);
	return rc ? rc : place_cell(t, col, text, err);
}

static int read_row(struct table_xlsx *x, struct table_reader *t, int64_t *ret_row,
		    struct rp_error *err)
{
	struct xlsx_part *p = &x->sheet;
	int64_t r = x->last_row + 1; /* rows without r="" follow each other */
	char v[24];
	if (xlsx_attr(p, "r", v, sizeof v)) {
		char *end;
		r = strtoll(v, &end, 10);
		if (end == v || *end || r <= 0) {
			rp_fail(err, RP_EINVAL, "bad_xlsx", "after row %lld: bad row number \"%s\"",
				(long long)x->last_row, v);
			return -1;
		}
		/* as with cells: rows come in order (Excel's own files do, and
		 * it refuses others), so a row number names one row */
		if (r <= x->last_row) {
			rp_fail(err, RP_EINVAL, "bad_xlsx", "row %lld comes after row %lld",
				(long long)r, (long long)x->last_row);
			return -1;
		}
	}
	x->last_row = t->building = r;
	*ret_row = r;
	if (xlsx_empty(p))
		return 1;
	int next_col = 0, rc;
	while ((rc = xlsx_part_read(p, err)) == 1) {
		if (xlsx_start(p, "c") && read_cell(x, t, &next_col, err))
			return -1;
		if (xlsx_end(p, "row"))
			return 1;
	}
	if (rc == 0)
		rp_fail(err, RP_EINVAL, "bad_xlsx", "%s ends inside row %lld", p->name,
			(long long)r);
	return -1;
}

int table_xlsx_next(struct table_reader *t, int64_t *ret_row, struct rp_error *err)
{
	struct table_xlsx *x = t->xlsx;
	if (x->done)
		return 0;
	int rc;
	while ((rc = xlsx_part_read(&x->sheet, err)) == 1) {
		if (xlsx_start(&x->sheet, "row"))
			return read_row(x, t, ret_row, err);
		if (xlsx_end(&x->sheet, "sheetData"))
			break; /* what follows (merges, filters) holds no cells */
	}
	if (rc < 0)
		return -1;
	x->done = true;
	return 0;
}

double table_xlsx_progress(const struct table_xlsx *x)
{
	if (!x || x->done || x->sheet.declared == 0)
		return 1.0;
	double f = (double)x->sheet.inflated / (double)x->sheet.declared;
	return f > 1.0 ? 1.0 : f;
}

void table_xlsx_free(struct table_xlsx *x)
{
	if (!x)
		return;
	if (x->sheet_open)
		xlsx_part_close(&x->sheet);
	xlsx_strings_release(&x->ss);
	xlsx_styles_release(&x->st);
	buf_release(&x->val);
	free(x->sheets);
	if (x->z)
		zip_discard(x->z);
	free(x);
}
