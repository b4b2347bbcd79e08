/* tokens.c — secrets handed to clients (API tokens, session ids, CSRF
 * tokens): random, shown once, stored only as SHA-256 hashes. */
#include "domain/domain.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/codec.h"

void domain_random_hex(char *out, size_t bytes)
{
	unsigned char raw[64];
	if (bytes > sizeof raw)
		bytes = sizeof raw;
	randombytes_buf(raw, bytes);
	struct buf b;
	buf_init(&b, 0);
	hex_encode(&b, raw, bytes);
	memcpy(out, buf_str(&b), bytes * 2 + 1);
	buf_release(&b);
}

void domain_secret_hash(const char *secret, char out[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, (const unsigned char *)secret, strlen(secret));
	struct buf b;
	buf_init(&b, 0);
	hex_encode(&b, h, sizeof h);
	memcpy(out, buf_str(&b), 65);
	buf_release(&b);
}

enum rp_err domain_token_create(struct store_conn *c, int64_t user_id, const char *name,
				char ret_token[80], int64_t *ret_id, struct rp_error *err)
{
	if (!name || !*name || strlen(name) > 100) {
		rp_field_fail(err, "name", "required", "a name of 1 to 100 characters");
		return err->err;
	}
	char secret[65], hash[65], prefix[12];
	domain_random_hex(secret, 24);
	snprintf(ret_token, 80, "rp_%s", secret);
	domain_secret_hash(ret_token, hash);
	snprintf(prefix, sizeof prefix, "%.10s", ret_token);
	return store_token_put(c, user_id, name, hash, prefix, ret_id, err);
}
