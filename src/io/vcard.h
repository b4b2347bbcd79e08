/* vcard.h — vCard 4.0 (RFC 6350) text: value escaping, line folding at 75
 * octets (never inside a UTF-8 sequence) and CRLF line ends. Small enough
 * to write here; Debian has no C vCard library worth the dependency. The
 * exporter decides which properties a record becomes (io/export_vcf.c). */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"

#define VCARD_LINE_MAX 75 /* octets per physical line, CRLF excluded */

/* Appends s escaped as a vCard text value: backslash, comma and semicolon
 * get a backslash, and each line break (CRLF, CR or LF) becomes \n. */
void vcard_escape(struct buf *out, const char *s, size_t n);

/* Appends one content line (without its line break) folded into physical
 * lines of at most VCARD_LINE_MAX octets, each ended by CRLF; a
 * continuation starts with one space. A fold never splits a UTF-8
 * sequence. */
void vcard_fold(struct buf *out, const char *line, size_t n);

/* A card being built: content lines collect in `line` and are folded
 * into `out` by vcard_end_prop. */
struct vcard {
	struct buf *out;
	struct buf line;
};

void vcard_begin(struct vcard *v, struct buf *out); /* BEGIN and VERSION */
void vcard_end(struct vcard *v);		    /* END; releases line */

/* Starts a property: "NAME" or "NAME;PARAM=x" as given (trusted text). */
void vcard_prop(struct vcard *v, const char *name_and_params);
/* Appends an escaped text value (or one component of a structured one). */
void vcard_text(struct vcard *v, const char *s);
/* Appends text as is (separators ';' or ',' of structured values). */
void vcard_raw(struct vcard *v, const char *s);
/* Ends the property: folds the line into the card. */
void vcard_end_prop(struct vcard *v);

/* A whole text property NAME:value, skipped when value is NULL or "". */
void vcard_text_prop(struct vcard *v, const char *name_and_params, const char *value);
