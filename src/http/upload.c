/* upload.c — a request body streamed to a temp file in bounded memory, so
 * a spreadsheet of a million rows never sits in RAM: multipart/form-data
 * is parsed by libmicrohttpd's post processor (the first file part goes
 * to the file, the small fields are kept), any other body is written
 * as it comes. */
#include "http/upload.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FIELD_MAX (64 * 1024) /* a form field's value (a column mapping) */

struct upload {
	struct MHD_PostProcessor *pp;
	struct arena *a;
	char path[4096];
	FILE *f;
	size_t max;
	bool failed, too_big, has_file, file_done;
	const char *file_key;
	struct http_upload out;
	struct buf values[HTTP_MAX_FORM_FIELDS];
};

static bool write_file(struct upload *u, const char *data, size_t n)
{
	if ((size_t)u->out.size + n > u->max) {
		u->too_big = true;
		return false;
	}
	if (n && fwrite(data, 1, n, u->f) != n) {
		u->failed = true;
		return false;
	}
	u->out.size += (int64_t)n;
	return true;
}

static int field_slot(struct upload *u, const char *key)
{
	for (int i = 0; i < u->out.nfields; i++)
		if (!strcmp(u->out.field_names[i], key))
			return i;
	if (u->out.nfields == HTTP_MAX_FORM_FIELDS)
		return -1;
	int i = u->out.nfields++;
	u->out.field_names[i] = arena_strdup(u->a, key);
	buf_init(&u->values[i], FIELD_MAX);
	return i;
}

static enum MHD_Result on_part(void *cls, enum MHD_ValueKind kind, const char *key,
			       const char *filename, const char *content_type,
			       const char *transfer_encoding, const char *data, uint64_t off,
			       size_t size)
{
	(void)kind;
	(void)transfer_encoding;
	(void)off;
	struct upload *u = cls;
	if (!key)
		return MHD_YES;
	if (filename &&
	    (!u->has_file || (u->file_key && !strcmp(u->file_key, key) && !u->file_done))) {
		if (!u->has_file) {
			u->has_file = true;
			u->file_key = arena_strdup(u->a, key);
			u->out.file_name = arena_strdup(u->a, filename);
			u->out.content_type =
				content_type ? arena_strdup(u->a, content_type) : NULL;
		}
		return write_file(u, data, size) ? MHD_YES : MHD_NO;
	}
	if (filename)
		return MHD_YES; /* only the first file is kept */
	if (u->has_file)
		u->file_done = true;
	int i = field_slot(u, key);
	if (i < 0)
		return MHD_YES;
	buf_add(&u->values[i], data, size);
	if (u->values[i].overflow) {
		u->too_big = true;
		return MHD_NO;
	}
	return MHD_YES;
}

struct upload *upload_begin(struct MHD_Connection *conn, const char *dir, size_t max,
			    struct arena *a)
{
	struct upload *u = calloc(1, sizeof *u);
	if (!u)
		abort();
	u->a = a;
	u->max = max;
	snprintf(u->path, sizeof u->path, "%s/.upload-XXXXXX", dir && *dir ? dir : "/tmp");
	int fd = mkstemp(u->path);
	u->f = fd >= 0 ? fdopen(fd, "wb") : NULL;
	if (!u->f) {
		if (fd >= 0)
			close(fd);
		free(u);
		return NULL;
	}
	u->out.path = u->path;
	u->pp = MHD_create_post_processor(conn, 64 * 1024, on_part, u);
	if (!u->pp) {
		const char *ct = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Type");
		u->out.content_type = ct ? arena_strdup(a, ct) : NULL;
	}
	return u;
}

bool upload_feed(struct upload *u, const char *data, size_t n)
{
	if (u->failed || u->too_big)
		return false;
	if (u->pp)
		return MHD_post_process(u->pp, data, n) == MHD_YES && !u->failed && !u->too_big;
	return write_file(u, data, n);
}

struct http_upload *upload_end(struct upload *u, int *ret_status)
{
	if (u->pp) {
		MHD_destroy_post_processor(u->pp);
		u->pp = NULL;
	}
	if (fflush(u->f) != 0)
		u->failed = true;
	for (int i = 0; i < u->out.nfields; i++)
		u->out.field_values[i] = arena_strdup(u->a, buf_str(&u->values[i]));
	*ret_status = u->too_big ? 413 : u->failed ? 400 : 200;
	return *ret_status == 200 ? &u->out : NULL;
}

void upload_free(struct upload *u)
{
	if (!u)
		return;
	if (u->pp)
		MHD_destroy_post_processor(u->pp);
	if (u->f)
		fclose(u->f);
	unlink(u->path); /* gone already when the handler kept the file */
	for (int i = 0; i < u->out.nfields; i++)
		buf_release(&u->values[i]);
	free(u);
}
