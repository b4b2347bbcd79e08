/* table_csv.c — the CSV back end. Reads the file in 64 KiB chunks,
 * converts each to UTF-8 with iconv (a character cut by the chunk's end
 * waits for the next chunk), and feeds libcsv in strict mode one physical
 * line at a time: so the line a row starts on is known, and a feed
 * completes at most one row, which is handed out before the next feed.
 * Memory stays at one chunk, its UTF-8 and one row, whatever the file. */
#include <csv.h>
#include <errno.h>
#include <iconv.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/table_internal.h"

/* UTF-8 of one chunk: at most 3 bytes per input byte (a single-byte
 * encoding's €, a GB18030 or UTF-16 pair becoming a 3-byte character). */
#define OUT_CAP (4 * TABLE_CHUNK)

struct table_csv {
	int fd;
	uint64_t size, nread;
	unsigned char in[TABLE_CHUNK]; /* read, not yet converted */
	size_t in_len;
	char *out; /* converted, not yet parsed: out[out_pos..out_len) */
	size_t out_pos, out_len;
	iconv_t cd;
	bool eof;	/* read() returned 0 */
	bool bad_bytes; /* iconv stopped at bytes invalid in the encoding */
	bool cut_short; /* the file ends inside a character */
	bool started;	/* some UTF-8 was produced: a U+FEFF now is text */
	bool finished;	/* csv_fini ran */
	struct csv_parser p;
	char delim;
	int64_t line; /* of the next byte to parse */
	bool prev_cr; /* the last feed ended with CR: a LF now ends no line */
	bool row_open;
	int64_t row_line;
	bool row_done;
	/* for the callbacks, during one csv_parse */
	struct table_reader *t;
	struct rp_error *err;
	enum rp_err cb_rc;
};

/* --- reading and converting -------------------------------------------------- */

static enum rp_err read_more(struct table_csv *c, struct rp_error *err)
{
	while (c->in_len < TABLE_CHUNK && !c->eof) {
		ssize_t n = read(c->fd, c->in + c->in_len, TABLE_CHUNK - c->in_len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return rp_fail(err, RP_EIO, "io_error", "cannot read the file: %s",
				       strerror(errno));
		c->eof = n == 0;
		c->in_len += (size_t)n;
		c->nread += (uint64_t)n;
	}
	return RP_OK;
}

/* Converts what `in` holds into `out` (which must be all parsed). Bytes
 * iconv cannot take stay in `in`: a cut character for the next chunk. */
static void convert(struct table_csv *c)
{
	char *ip = (char *)c->in, *op = c->out;
	size_t il = c->in_len, ol = OUT_CAP;
	if (iconv(c->cd, &ip, &il, &op, &ol) == (size_t)-1) {
		if (errno == EILSEQ)
			c->bad_bytes = true;
		else if (errno == EINVAL && c->eof)
			c->cut_short = true;
	}
	if (c->eof && il == 0)
		iconv(c->cd, NULL, NULL, &op, &ol); /* a stateful encoding's reset */
	c->out_pos = 0;
	c->out_len = OUT_CAP - ol;
	/* iconv's UTF-8 is not always valid: glibc's UCS-4 decoder passes
	 * code points past U+10FFFF on as 5- and 6-byte sequences. What
	 * follows the valid part fails as bytes invalid in the encoding. */
	size_t valid = sniff_utf8_prefix((const unsigned char *)c->out, c->out_len);
	if (valid < c->out_len) {
		c->out_len = valid;
		c->bad_bytes = true;
	}
	memmove(c->in, ip, il);
	c->in_len = il;
	if (!c->started && c->out_len > 0) {
		/* a BOM the chosen encoding decoded rather than we skipped */
		if (c->out_len >= 3 && memcmp(c->out, "\xEF\xBB\xBF", 3) == 0)
			c->out_pos = 3;
		c->started = true;
	}
}

/* 1: more UTF-8 to parse; 0: the input is all parsed; -1: error. */
static int refill(struct table_csv *c, struct table_reader *t, struct rp_error *err)
{
	if (c->bad_bytes) {
		rp_fail(err, RP_EINVAL, "bad_encoding", "line %lld: bytes that are not valid %s",
			(long long)c->line, t->encoding);
		return -1;
	}
	if (c->cut_short) {
		rp_fail(err, RP_EINVAL, "bad_encoding",
			"line %lld: the file ends inside a %s character", (long long)c->line,
			t->encoding);
		return -1;
	}
	if (c->eof && c->in_len == 0)
		return 0;
	if (read_more(c, err))
		return -1;
	convert(c);
	return 1;
}

/* --- parsing ------------------------------------------------------------------- */

static void on_field(void *s, size_t n, void *data)
{
	struct table_csv *c = data;
	if (c->cb_rc == RP_OK)
		c->cb_rc = table_row_add(c->t, n ? s : "", n, c->err);
}

static void on_row(int ch, void *data)
{
	struct table_csv *c = data;
	c->row_done = true;
}

static int parse_error(struct table_csv *c, struct rp_error *err)
{
	if (csv_error(&c->p) == CSV_EPARSE)
		rp_fail(err, RP_EINVAL, "malformed_csv",
			"line %lld: a quote inside an unquoted field, or text after a "
			"closing quote (quote the field and double its quotes)",
			(long long)c->line);
	else
		rp_fail(err, RP_EINTERNAL, NULL, "csv parser: %s", csv_strerror(csv_error(&c->p)));
	return -1;
}

/* Length of the next feed: up to and including the first CR or LF. Sets
 * *ret_starts when it holds a byte that opens a row in libcsv (anything
 * but blanks that are not the delimiter). */
static int line_span(struct table_csv *c, size_t *ret_len, bool *ret_starts, struct rp_error *err)
{
	const char *s = c->out + c->out_pos;
	size_t avail = c->out_len - c->out_pos, len = 0;
	bool starts = false;
	while (len < avail) {
		char ch = s[len++];
		if (ch == '\n' || ch == '\r')
			break;
		if (ch == '\0') {
			rp_fail(err, RP_EINVAL, "bad_encoding",
				"line %lld: a NUL character (a UTF-16 file without a "
				"byte-order mark? choose its encoding)",
				(long long)c->line);
			return -1;
		}
		if (!((ch == ' ' || ch == '\t') && ch != c->delim))
			starts = true;
	}
	*ret_len = len;
	*ret_starts = starts;
	return 0;
}

static void count_lines(struct table_csv *c, const char *s, size_t len)
{
	char last = s[len - 1];
	if (last == '\r')
		c->line++;
	else if (last == '\n' && !(c->prev_cr && len == 1))
		c->line++; /* the LF of a CR LF ended no second line */
	c->prev_cr = last == '\r';
}

/* Feeds one line; 1 when it completed a row, 0 when not, -1 on error. */
static int feed_line(struct table_csv *c, struct table_reader *t, struct rp_error *err)
{
	size_t len;
	bool starts;
	if (line_span(c, &len, &starts, err))
		return -1;
	if (!c->row_open && starts) {
		c->row_open = true;
		c->row_line = t->building = c->line;
	}
	const char *s = c->out + c->out_pos;
	c->cb_rc = RP_OK;
	c->row_done = false;
	size_t done = csv_parse(&c->p, s, len, on_field, on_row, c);
	if (c->cb_rc)
		return -1;
	if (done < len)
		return parse_error(c, err);
	/* the field libcsv is still collecting counts toward the row limit;
	 * past it the row is marked unreadable and what libcsv holds of the
	 * field is dropped (its parsing state stays), so memory stays bounded
	 * and reading goes on at the next row */
	if (c->p.entry_pos > TABLE_MAX_ROW - t->row.bytes) {
		table_row_over(t, "row_too_large", TABLE_MAX_ROW);
		c->p.entry_pos = 0;
	}
	count_lines(c, s, len);
	c->out_pos += len;
	if (!c->row_done)
		return 0;
	c->row_open = false;
	return 1;
}

/* The end of the input: the last row may lack its newline. */
static int finish(struct table_csv *c, int64_t *ret_line, struct rp_error *err)
{
	if (c->finished)
		return 0;
	c->finished = true;
	c->cb_rc = RP_OK;
	c->row_done = false;
	if (csv_fini(&c->p, on_field, on_row, c) != 0) {
		rp_fail(err, RP_EINVAL, "malformed_csv",
			"line %lld: a quoted field is never closed", (long long)c->row_line);
		return -1;
	}
	if (c->cb_rc)
		return -1;
	if (!c->row_done)
		return 0;
	*ret_line = c->row_line;
	return 1;
}

int table_csv_next(struct table_reader *t, int64_t *ret_line, struct rp_error *err)
{
	struct table_csv *c = t->csv;
	c->t = t;
	c->err = err;
	for (;;) {
		if (c->out_pos == c->out_len) {
			int rc = refill(c, t, err);
			if (rc < 0)
				return -1;
			if (rc == 0)
				return finish(c, ret_line, err);
			continue;
		}
		int rc = feed_line(c, t, err);
		if (rc < 0)
			return -1;
		if (rc > 0) {
			*ret_line = c->row_line;
			return 1;
		}
	}
}

/* --- opening ------------------------------------------------------------------- */

/* Reads up to cap bytes at off into buf (fewer only at the end of the
 * file), without moving the file position the chunks are read from. */
static enum rp_err read_at(int fd, unsigned char *buf, size_t cap, uint64_t off, size_t *ret_n,
			   struct rp_error *err)
{
	size_t got = 0;
	while (got < cap) {
		ssize_t n = pread(fd, buf + got, cap - got, (off_t)(off + got));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return rp_fail(err, RP_EIO, "io_error", "cannot read the file: %s",
				       strerror(errno));
		if (n == 0)
			break;
		got += (size_t)n;
	}
	*ret_n = got;
	return RP_OK;
}

/* The first chunk is plain ASCII and the file goes on: it says nothing of
 * the encoding. An export whose first thousands of rows are Latin and
 * whose Chinese or Russian names come later would be read as UTF-8 and
 * fail there, with the rows before it imported. So the file is read on,
 * one chunk at a time, to its first byte past ASCII, and the encoding is
 * sniffed from a chunk starting there (a character's first byte: what
 * precedes it is ASCII). A file all ASCII is UTF-8. */
static enum rp_err sniff_past_ascii(struct table_csv *c, struct table_reader *t,
				    struct rp_error *err)
{
	unsigned char *buf = malloc(TABLE_CHUNK);
	if (!buf)
		abort();
	enum rp_err rc = RP_OK;
	for (uint64_t off = c->nread;;) {
		size_t n;
		if ((rc = read_at(c->fd, buf, TABLE_CHUNK, off, &n, err)) || n == 0)
			break;
		size_t ascii = sniff_ascii_prefix(buf, n);
		if (ascii == n) {
			off += n;
			continue;
		}
		if (!(rc = read_at(c->fd, buf, TABLE_CHUNK, off + ascii, &n, err)))
			rc = sniff_encoding(buf, n, n < TABLE_CHUNK, t->encoding, err);
		break;
	}
	free(buf);
	return rc;
}

static enum rp_err pick_encoding(struct table_csv *c, struct table_reader *t,
				 const struct table_options *opt, struct rp_error *err)
{
	if (opt->encoding && *opt->encoding) {
		sniff_canonical_encoding(opt->encoding, t->encoding);
		return RP_OK;
	}
	const char *bom_enc = NULL;
	size_t bom = sniff_bom(c->in, c->in_len, &bom_enc);
	if (bom) {
		snprintf(t->encoding, sizeof t->encoding, "%s", bom_enc);
		c->in_len -= bom;
		memmove(c->in, c->in + bom, c->in_len);
		return RP_OK;
	}
	enum rp_err rc = sniff_encoding(c->in, c->in_len, c->eof, t->encoding, err);
	if (rc || c->eof || sniff_ascii_prefix(c->in, c->in_len) < c->in_len)
		return rc;
	return sniff_past_ascii(c, t, err);
}

enum rp_err table_csv_open(struct table_reader *t, int fd, const struct table_options *opt,
			   struct rp_error *err)
{
	struct table_csv *c = calloc(1, sizeof *c);
	if (!c)
		abort();
	t->csv = c;
	c->fd = fd;
	c->cd = (iconv_t)-1;
	c->line = 1;
	csv_init(&c->p, CSV_STRICT | CSV_STRICT_FINI);
	/* grow a long field in pages, not libcsv's 128-byte steps */
	csv_set_blk_size(&c->p, 4096);
	c->out = malloc(OUT_CAP);
	if (!c->out)
		abort();
	struct stat st;
	if (fstat(fd, &st) == 0)
		c->size = (uint64_t)st.st_size;
	enum rp_err rc = read_more(c, err);
	if (!rc)
		rc = pick_encoding(c, t, opt, err);
	if (rc)
		return rc;
	c->cd = iconv_open("UTF-8", t->encoding);
	if (c->cd == (iconv_t)-1)
		return rp_fail(err, RP_EINVAL, "bad_encoding", "unknown encoding \"%s\"",
			       t->encoding);
	convert(c);
	c->delim = opt->delimiter ? opt->delimiter
				  : sniff_delimiter(c->out + c->out_pos, c->out_len - c->out_pos,
						    c->eof && c->in_len == 0);
	t->delimiter = c->delim;
	csv_set_delim(&c->p, (unsigned char)c->delim);
	return RP_OK;
}

double table_csv_progress(const struct table_csv *c)
{
	if (!c || c->size == 0)
		return 1.0;
	double f = (double)c->nread / (double)c->size;
	return f > 1.0 ? 1.0 : f;
}

void table_csv_free(struct table_csv *c)
{
	if (!c)
		return;
	if (c->cd != (iconv_t)-1)
		iconv_close(c->cd);
	csv_free(&c->p);
	free(c->out);
	close(c->fd);
	free(c);
}
