/* unit.h — the includes every unit test needs: cmocka (which wants
 * stdarg, stddef, stdint and setjmp before it, in that order) and the
 * string and memory functions the tests use. */
#pragma once
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>
#include <stdlib.h>
