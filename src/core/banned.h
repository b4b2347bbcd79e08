/* banned.h — libc calls that invite overflows; using one is a compile error.
 * Included last by every source file (through the build's -include flag). */
#pragma once
/* The system headers first, so their own inline definitions (glibc's
 * atoi at -O2) are seen before the macros below. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BANNED(fn) sorry_##fn##_is_banned_in_rapport

#undef strcpy
#define strcpy(a, b) BANNED(strcpy)
#undef strcat
#define strcat(a, b) BANNED(strcat)
#undef sprintf
#define sprintf(...) BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) BANNED(vsprintf)
#undef strtok
#define strtok(a, b) BANNED(strtok)
#undef atoi
#define atoi(a) BANNED(atoi)
#undef gets
#define gets(a) BANNED(gets)
