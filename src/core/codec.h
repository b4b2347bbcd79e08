/* codec.h — base64url (no padding) and hex, for cursors and tokens. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"

void base64url_encode(struct buf *out, const void *data, size_t n);
/* Appends the decoded bytes; false on any character outside the alphabet
 * or an impossible length. */
bool base64url_decode(struct buf *out, const char *s, size_t n);
void hex_encode(struct buf *out, const void *data, size_t n);
