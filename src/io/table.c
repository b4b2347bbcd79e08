/* table.c — the front of the spreadsheet reader: opens the file, picks the
 * back end (CSV or XLSX) by the file's first bytes, and turns the back
 * end's raw rows into what table.h promises: one row per call, cell
 * pointers ready, limits enforced, trailing empty rows dropped. */
#include "io/table.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/table_internal.h"

static const char *const empty_cells[TABLE_MAX_CELLS] = {[0 ... TABLE_MAX_CELLS - 1] = ""};

static const char *unit_word(const struct table_reader *t)
{
	return t->format == TABLE_XLSX ? "row" : "line";
}

void table_row_over(struct table_reader *t, const char *code, size_t limit)
{
	struct table_row *r = &t->row;
	if (r->over)
		return;
	r->over = true;
	snprintf(r->why_code, sizeof r->why_code, "%s", code);
	snprintf(r->why, sizeof r->why, "%s %lld: longer than %zu bytes", unit_word(t),
		 (long long)t->building, limit);
}

enum rp_err table_row_add(struct table_reader *t, const char *p, size_t n, struct rp_error *err)
{
	struct table_row *r = &t->row;
	(void)err;
	if (r->over)
		return RP_OK;
	if (r->n >= TABLE_MAX_CELLS) {
		r->over = true;
		snprintf(r->why_code, sizeof r->why_code, "too_many_cells");
		snprintf(r->why, sizeof r->why, "%s %lld: more than %d cells", unit_word(t),
			 (long long)t->building, TABLE_MAX_CELLS);
		return RP_OK;
	}
	if (n > TABLE_MAX_ROW - r->bytes) {
		table_row_over(t, "row_too_large", TABLE_MAX_ROW);
		return RP_OK;
	}
	r->off[r->n++] = r->text.len;
	buf_add(&r->text, p, n);
	buf_addc(&r->text, '\0');
	r->bytes += n;
	return RP_OK;
}

enum rp_err table_row_pad(struct table_reader *t, int n, struct rp_error *err)
{
	while (t->row.n < n) {
		enum rp_err rc = table_row_add(t, "", 0, err);
		if (rc)
			return rc;
	}
	return RP_OK;
}

static void row_reset(struct table_row *r)
{
	buf_reset(&r->text);
	r->n = 0;
	r->bytes = 0;
	r->over = false;
}

/* --- opening ----------------------------------------------------------------- */

static bool is_zip(const unsigned char *p, size_t n)
{
	return n >= 4 && p[0] == 'P' && p[1] == 'K' && (p[2] == 3 || p[2] == 5) &&
	       (p[3] == 4 || p[3] == 6);
}

/* The OLE2 container: Excel 97-2003 .xls, and also every password-protected
 * .xlsx. Neither can be read here, but a person can re-save the file. */
static bool is_ole2(const unsigned char *p, size_t n)
{
	static const unsigned char sig[8] = {0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1};
	return n >= 8 && memcmp(p, sig, 8) == 0;
}

static enum rp_err pick_format(int fd, const struct table_options *opt,
			       enum table_format *ret_format, struct rp_error *err)
{
	unsigned char head[64];
	ssize_t n = pread(fd, head, sizeof head, 0);
	if (n < 0)
		return rp_fail(err, RP_EIO, "io_error", "cannot read the file: %s",
			       strerror(errno));
	if (is_ole2(head, (size_t)n))
		return rp_fail(err, RP_EINVAL, "not_a_table",
			       "an Excel 97-2003 (.xls) or password-protected workbook: "
			       "save it as .xlsx or CSV");
	if (opt->format != TABLE_AUTO)
		*ret_format = opt->format;
	else
		*ret_format = is_zip(head, (size_t)n)		? TABLE_XLSX
			      : table_is_vcard(head, (size_t)n) ? TABLE_VCARD
								: TABLE_CSV;
	return RP_OK;
}

static enum rp_err check_delimiter(char d, struct rp_error *err)
{
	if (d == 0 || d == ',' || d == ';' || d == '\t')
		return RP_OK;
	return rp_fail(err, RP_EINVAL, "bad_delimiter", "the delimiter must be ',', ';' or tab");
}

enum rp_err table_open(const char *path, const struct table_options *opt, struct table_reader **ret,
		       struct rp_error *err)
{
	static const struct table_options defaults = {0};
	if (!opt)
		opt = &defaults;
	enum rp_err rc = check_delimiter(opt->delimiter, err);
	if (rc)
		return rc;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return rp_fail(err, RP_EIO, "io_error", "cannot open the file: %s",
			       strerror(errno));
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return rp_fail(err, RP_EINVAL, "not_a_table", "not a regular file");
	}
	enum table_format format = TABLE_CSV;
	rc = pick_format(fd, opt, &format, err);
	if (rc) {
		close(fd);
		return rc;
	}
	struct table_reader *t = calloc(1, sizeof *t);
	if (!t)
		abort();
	t->format = format;
	/* cell texts plus their NULs */
	buf_init(&t->row.text, TABLE_MAX_ROW + TABLE_MAX_CELLS + 1);
	if (format == TABLE_XLSX)
		rc = table_xlsx_open(t, fd, opt, err); /* owns fd from here */
	else if (format == TABLE_VCARD)
		rc = table_vcf_open(t, fd, opt, err); /* so does this */
	else
		rc = table_csv_open(t, fd, opt, err);
	if (rc) {
		table_close(t);
		return rc;
	}
	*ret = t;
	return RP_OK;
}

/* --- rows ------------------------------------------------------------------ */

static int raw_next(struct table_reader *t, int64_t *ret_line, struct rp_error *err)
{
	row_reset(&t->row);
	if (t->format == TABLE_XLSX)
		return table_xlsx_next(t, ret_line, err);
	if (t->format == TABLE_VCARD)
		return table_vcf_next(t, ret_line, err);
	return table_csv_next(t, ret_line, err);
}

/* Holds an empty row back; false when there is no room left for it. */
static bool push_empty(struct table_reader *t, int64_t line, int ncells)
{
	if (t->npending > 0) {
		int last = (t->pending_head + t->npending - 1) % TABLE_PENDING;
		struct table_empty_run *e = &t->pending[last];
		if (e->ncells == ncells && e->line + e->count == line) {
			e->count++;
			return true;
		}
	}
	if (t->npending == TABLE_PENDING)
		return false;
	int slot = (t->pending_head + t->npending) % TABLE_PENDING;
	t->pending[slot] = (struct table_empty_run){line, 1, ncells};
	t->npending++;
	return true;
}

/* Hands out the oldest held-back empty row. */
static void pop_empty(struct table_reader *t, const char *const **ret_cells, int *ret_ncells)
{
	struct table_empty_run *e = &t->pending[t->pending_head];
	t->row_number = e->line;
	*ret_cells = empty_cells;
	*ret_ncells = e->ncells;
	e->line++;
	if (--e->count == 0) {
		t->pending_head = (t->pending_head + 1) % TABLE_PENDING;
		t->npending--;
	}
}

static void hand_out_row(struct table_reader *t, int64_t line, const char *const **ret_cells,
			 int *ret_ncells)
{
	for (int i = 0; i < t->row.n; i++)
		t->cells[i] = t->row.text.p + t->row.off[i];
	t->row_number = line;
	*ret_cells = t->cells;
	*ret_ncells = t->row.n;
}

static int fail(struct table_reader *t, struct rp_error *err)
{
	t->failed = true;
	if (err) {
		t->fail_err = err->err;
		snprintf(t->fail_code, sizeof t->fail_code, "%s", err->code);
		snprintf(t->fail_detail, sizeof t->fail_detail, "%s", err->detail);
	} else {
		t->fail_err = RP_EINVAL;
	}
	return -1;
}

int table_next(struct table_reader *t, const char *const **ret_cells, int *ret_ncells,
	       struct rp_error *err)
{
	if (t->failed) {
		rp_fail(err, t->fail_err, t->fail_code, "%s", t->fail_detail);
		return -1;
	}
	if (t->held) {
		if (t->npending > 0) {
			pop_empty(t, ret_cells, ret_ncells);
			return 1;
		}
		t->held = false;
		if (t->held_over) {
			t->held_over = false;
			t->row_number = t->held_line;
			rp_fail(err, RP_EINVAL, t->row.why_code, "%s", t->held_why);
			return -2;
		}
		hand_out_row(t, t->held_line, ret_cells, ret_ncells);
		return 1;
	}
	if (t->ended)
		return 0;
	for (;;) {
		int64_t line = 0;
		int rc = raw_next(t, &line, err);
		if (rc < 0)
			return fail(t, err);
		if (rc == 0) {
			t->ended = true;
			t->npending = 0; /* they were trailing */
			return 0;
		}
		if (t->row.over) { /* goes out in its place, empty rows before it first */
			if (t->npending > 0) {
				t->held = true;
				t->held_line = line;
				t->held_over = true;
				snprintf(t->held_why, sizeof t->held_why, "%s", t->row.why);
				pop_empty(t, ret_cells, ret_ncells);
				return 1;
			}
			t->row_number = line;
			rp_fail(err, RP_EINVAL, t->row.why_code, "%s", t->row.why);
			return -2;
		}
		if (t->row.bytes == 0 && push_empty(t, line, t->row.n))
			continue;
		/* A non-empty row goes out after the empty ones held back; so
		 * does an empty one past TABLE_PENDING runs, trailing or not,
		 * since holding more would not stay bounded. */
		if (t->npending > 0) {
			t->held = true;
			t->held_line = line;
			pop_empty(t, ret_cells, ret_ncells);
			return 1;
		}
		hand_out_row(t, line, ret_cells, ret_ncells);
		return 1;
	}
}

int64_t table_row_number(const struct table_reader *t)
{
	return t->row_number;
}

double table_progress(const struct table_reader *t)
{
	if (t->ended)
		return 1.0;
	if (t->format == TABLE_XLSX)
		return table_xlsx_progress(t->xlsx);
	if (t->format == TABLE_VCARD)
		return table_vcf_progress(t->vcf);
	return table_csv_progress(t->csv);
}

int table_other_sheets(const struct table_reader *t, struct buf *names)
{
	return t->format == TABLE_XLSX ? table_xlsx_other_sheets(t->xlsx, names) : 0;
}

const char *table_encoding(const struct table_reader *t)
{
	return t->encoding;
}

char table_delimiter(const struct table_reader *t)
{
	return t->delimiter;
}

enum table_format table_format_of(const struct table_reader *t)
{
	return t->format;
}

void table_close(struct table_reader *t)
{
	if (!t)
		return;
	table_csv_free(t->csv);
	table_xlsx_free(t->xlsx);
	table_vcf_free(t->vcf);
	buf_release(&t->row.text);
	free(t);
}
