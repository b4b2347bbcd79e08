/* test_totp.c — unit tests for the pure parts of two-factor sign-in
 * (src/domain/totp.c): codes checked against RFC 6238's SHA-1 test
 * vectors through liboath, the one-step window either way, the step a
 * code belongs to (what replay protection records), code syntax, new
 * secrets and the otpauth:// URI. */
#include "unit.h"

#include <liboath/oath.h>
#include <stdbool.h>
#include <stdio.h>

#include "core/arena.h"
#include "domain/domain.h"

/* RFC 6238 appendix B: the SHA-1 key is the ASCII "12345678901234567890" */
static const char rfc_secret[] = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

static void test_rfc6238_vectors(void **state)
{
	(void)state;
	/* the 8-digit codes of the RFC, of which TOTP-6 keeps the last 6 */
	static const struct {
		int64_t t;
		const char *code;
	} v[] = {
		{59, "287082"},		{1111111109, "081804"}, {1111111111, "050471"},
		{1234567890, "005924"}, {2000000000, "279037"}, {20000000000, "353130"},
	};
	for (size_t i = 0; i < sizeof v / sizeof *v; i++)
		assert_int_equal(domain_totp_match(rfc_secret, v[i].t, v[i].code), v[i].t / 30);
}

static void test_window_one_step_each_way(void **state)
{
	(void)state;
	/* 287082 is the code of step 1 (t = 30..59) */
	assert_int_equal(domain_totp_match(rfc_secret, 30, "287082"), 1);
	assert_int_equal(domain_totp_match(rfc_secret, 0, "287082"), 1);  /* one step early */
	assert_int_equal(domain_totp_match(rfc_secret, 89, "287082"), 1); /* one step late */
	assert_int_equal(domain_totp_match(rfc_secret, 90, "287082"), -1);
	assert_int_equal(domain_totp_match(rfc_secret, 119, "287082"), -1);
	/* the step reported is the code's, not now's: replay protection
	 * records it */
	assert_int_equal(domain_totp_match(rfc_secret, 1111111109 + 30, "081804"), 37037036);
}

static void test_wrong_and_malformed(void **state)
{
	(void)state;
	assert_int_equal(domain_totp_match(rfc_secret, 59, "287083"), -1);
	assert_int_equal(domain_totp_match(rfc_secret, 59, "28708"), -1);
	assert_int_equal(domain_totp_match(rfc_secret, 59, "2870822"), -1);
	assert_int_equal(domain_totp_match(rfc_secret, 59, "94287082"), -1); /* 8 digits */
	assert_int_equal(domain_totp_match(rfc_secret, 59, "28708a"), -1);
	assert_int_equal(domain_totp_match(rfc_secret, 59, ""), -1);
	assert_int_equal(domain_totp_match(rfc_secret, 59, NULL), -1);
	assert_int_equal(domain_totp_match(NULL, 59, "287082"), -1);
	assert_int_equal(domain_totp_match("not base32!", 59, "287082"), -1);
	assert_int_equal(domain_totp_match(rfc_secret, -1, "287082"), -1);
}

static void test_code_syntax(void **state)
{
	(void)state;
	assert_true(domain_totp_code_ok("000000"));
	assert_true(domain_totp_code_ok("123456"));
	assert_false(domain_totp_code_ok("12345"));
	assert_false(domain_totp_code_ok("1234567"));
	assert_false(domain_totp_code_ok("12 456"));
	assert_false(domain_totp_code_ok("١٢٣٤٥٦")); /* other scripts' digits */
	assert_false(domain_totp_code_ok(NULL));
}

static void test_new_secret(void **state)
{
	(void)state;
	char a[TOTP_SECRET_B32], b[TOTP_SECRET_B32];
	domain_totp_new_secret(a);
	domain_totp_new_secret(b);
	assert_int_equal(strlen(a), 32);
	assert_int_equal(strspn(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"), 32);
	assert_string_not_equal(a, b);
	/* it is a secret liboath reads back: its code at t = 1000 (made here
	 * by liboath directly) matches, in step 33 */
	char *raw = NULL, code[7];
	size_t len = 0;
	assert_int_equal(oath_init(), OATH_OK);
	assert_int_equal(oath_base32_decode(a, strlen(a), &raw, &len), OATH_OK);
	assert_int_equal(len, 20);
	assert_int_equal(oath_totp_generate(raw, len, 1000, 30, 0, 6, code), OATH_OK);
	free(raw);
	assert_int_equal(domain_totp_match(a, 1000, code), 33);
}

static void test_uri(void **state)
{
	(void)state;
	struct arena *ar = arena_new();
	assert_string_equal(domain_totp_uri(ar, "Rapport", "alice@example.com", rfc_secret),
			    "otpauth://totp/Rapport:alice%40example.com"
			    "?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Rapport"
			    "&algorithm=SHA1&digits=6&period=30");
	/* everything but unreserved characters is escaped: no way to add a
	 * parameter or a path from an e-mail address */
	assert_string_equal(domain_totp_uri(ar, "A B", "x+y&secret=Z?@例.cn", "S"),
			    "otpauth://totp/A%20B:x%2By%26secret%3DZ%3F%40%E4%BE%8B.cn"
			    "?secret=S&issuer=A%20B&algorithm=SHA1&digits=6&period=30");
	arena_free(ar);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc6238_vectors),
		cmocka_unit_test(test_window_one_step_each_way),
		cmocka_unit_test(test_wrong_and_malformed),
		cmocka_unit_test(test_code_syntax),
		cmocka_unit_test(test_new_secret),
		cmocka_unit_test(test_uri),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
