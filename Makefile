# Rapport — build, run and test. `make run` and `make test` are the two
# commands a new machine needs; both install missing Debian packages first.
PREFIX ?= /usr/local
CC ?= cc
PKGS := libmicrohttpd jansson sqlite3 libpq libsodium libutf8proc icu-uc icu-i18n uchardet xlsxwriter \
	libzip libxml-2.0 liboath
CFLAGS_BASE := -std=c17 -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter \
	-D_GNU_SOURCE -Isrc -Ibuild/gen -include src/core/banned.h
OPT ?= -O2 -g
# libcsv ships no pkg-config file
LDLIBS = $(shell pkg-config --libs $(PKGS)) -lcsv -lpthread -lm

SRC := $(sort $(wildcard src/*/*.c))
MAIN := src/cli/main.c
LIBSRC := $(filter-out $(MAIN),$(SRC))
MIGRATIONS := $(sort $(wildcard src/store/migrations/*.sql))
MIGRATIONS_PG := $(sort $(wildcard src/store/migrations/pg/*.sql))
GEN := build/gen/migrations.c
GEN_PG := build/gen/migrations_pg.c
WEBSRC := $(shell find web -type f -not -path 'web/node_modules/*' -not -path 'web/test/*' 2>/dev/null)
HDRS := $(wildcard src/*/*.h)

LOCALES := $(sort $(wildcard web/app/locales/*.js))
# generated sources, each build/gen/NAME.c (rules below)
GEN_NAMES := migrations migrations_pg webassets messages
GEN_SRC := $(patsubst %,build/gen/%.c,$(GEN_NAMES))
gen_objs = $(patsubst %,$(1)/gen/%.o,$(GEN_NAMES))

OBJ := $(patsubst src/%.c,build/obj/%.o,$(LIBSRC)) $(call gen_objs,build/obj)
AOBJ := $(patsubst src/%.c,build/asan/%.o,$(LIBSRC)) $(call gen_objs,build/asan)
ASAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(patsubst tests/unit/%.c,build/tests/%,$(UNIT_SRC))
UNIT_ABIN := $(patsubst tests/unit/%.c,build/tests-asan/%,$(UNIT_SRC))

.PHONY: all deps test-deps fuzz-deps run test test-build unit api api-pg e2e e2e-pg asan tsan soak \
	valgrind valgrind-deps \
	check-style install clean bench bench-quick fuzz fuzz-build fuzz-smoke
all: deps build/rapport

deps:
	@scripts/deps.sh build

test-deps:
	@scripts/deps.sh test

fuzz-deps:
	@scripts/deps.sh fuzz

CFLAGS_ALL = $(CFLAGS_BASE) $(shell pkg-config --cflags $(PKGS)) $(CFLAGS)

$(GEN): $(MIGRATIONS) scripts/embed.sh
	@mkdir -p $(dir $@)
	scripts/embed.sh store_migrations $@ $(MIGRATIONS)

# PostgreSQL's twin of each numbered migration (same numbers, same tables).
$(GEN_PG): $(MIGRATIONS_PG) scripts/embed.sh
	@mkdir -p $(dir $@)
	scripts/embed.sh store_migrations_pg $@ $(MIGRATIONS_PG)

# The UI: web/ plus pinned npm modules, assembled and embedded.
build/web/.stamp: $(WEBSRC) scripts/build-web.sh
	@mkdir -p build
	scripts/build-web.sh build/web
	@touch $@

# The UI's words the server writes itself (core/i18n.h).
build/gen/messages.c: $(LOCALES) scripts/embed-messages.sh
	@mkdir -p $(dir $@)
	scripts/embed-messages.sh $@ $(LOCALES)

build/gen/webassets.c: build/web/.stamp scripts/embed-web.sh
	@mkdir -p $(dir $@)
	scripts/embed-web.sh $@ build/web

build/obj/gen/%.o: build/gen/%.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(OPT) -Isrc -c $< -o $@

build/asan/gen/%.o: build/gen/%.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) -O1 -g -Isrc -c $< -o $@

build/obj/%.o: src/%.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(OPT) -c $< -o $@

build/asan/%.o: src/%.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -O1 -g $(ASAN) -c $< -o $@

build/librapport.a: $(OBJ)
	rm -f $@ && ar rcs $@ $^

build/librapport-asan.a: $(AOBJ)
	rm -f $@ && ar rcs $@ $^

build/rapport: $(MAIN) build/librapport.a
	$(CC) $(CFLAGS_ALL) $(OPT) $< build/librapport.a $(LDLIBS) -o $@

build/rapport-asan: $(MAIN) build/librapport-asan.a
	$(CC) $(CFLAGS_ALL) -O1 -g $(ASAN) $< build/librapport-asan.a $(LDLIBS) -o $@

build/tests/%: tests/unit/%.c tests/unit/unit.h build/librapport.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -Itests/unit -O1 -g $< build/librapport.a $(LDLIBS) $(shell pkg-config --libs cmocka) -o $@

build/tests-asan/%: tests/unit/%.c tests/unit/unit.h build/librapport-asan.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -Itests/unit -O1 -g $(ASAN) $< build/librapport-asan.a $(LDLIBS) $(shell pkg-config --libs cmocka) -o $@

# The shims of the durability and storage-fault tests (tests/shim/).
SHIMS := build/tests/syncwatch.so build/tests/faultfs.so
build/tests/%.so: tests/shim/%.c
	@mkdir -p $(dir $@)
	$(CC) -std=c17 -Wall -Wextra -Werror -O2 -shared -fPIC $< -ldl -o $@

asan: deps build/rapport-asan $(UNIT_ABIN)

# ThreadSanitizer: the server built whole with -fsanitize=thread, and the
# API tests run against it (part of `make test`: under two minutes).
build/rapport-tsan: $(SRC) $(HDRS) $(GEN_SRC)
	$(CC) $(CFLAGS_ALL) -O1 -g -fsanitize=thread -fno-omit-frame-pointer $(SRC) $(GEN_SRC) \
		$(LDLIBS) -o $@

tsan: deps build/rapport-tsan $(SHIMS)
	@scripts/test.sh tsan

# Valgrind memcheck: the server built -O1 -g without sanitizers (valgrind
# cannot run those), and the API tests run with every `rapport serve` and
# CLI command under memcheck (not part of `make test`: ~20-50x slower). An
# invalid access, a use of an uninitialised value or a definite leak fails
# the test file (tests/api/lib/server.mjs); third-party noise is suppressed,
# each entry with its reason, in tests/valgrind.supp.
VOBJ := $(patsubst src/%.c,build/vg/%.o,$(LIBSRC)) $(call gen_objs,build/vg)
VALGRIND ?= valgrind --tool=memcheck --error-exitcode=99 --leak-check=full \
	--errors-for-leak-kinds=definite --track-origins=yes --num-callers=30 \
	--suppressions=$(CURDIR)/tests/valgrind.supp

build/vg/gen/%.o: build/gen/%.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) -O1 -g -Isrc -c $< -o $@

build/vg/%.o: src/%.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -O1 -g -c $< -o $@

build/librapport-vg.a: $(VOBJ)
	rm -f $@ && ar rcs $@ $^

build/rapport-vg: $(MAIN) build/librapport-vg.a
	$(CC) $(CFLAGS_ALL) -O1 -g $< build/librapport-vg.a $(LDLIBS) -o $@

valgrind: valgrind-deps build/rapport-vg $(SHIMS)
	@RAPPORT_WRAP="$(VALGRIND)" scripts/test.sh valgrind

valgrind-deps:
	@scripts/deps.sh valgrind

# --- fuzzing: libFuzzer targets in tests/fuzz/ (docs/security.md) ---------
# The library is built once more with clang, ASan+UBSan and the fuzzer's
# coverage hooks; each tests/fuzz/NAME.c (but the shared harness.c) is one
# target with its seed corpus in tests/fuzz/corpus/NAME/ and its
# dictionary, if any, in tests/fuzz/NAME.dict.
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
# clang 14 flags {.scope = {SCOPE_ALL}} (a nested partial initializer), which gcc does not
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer \
	-Wno-missing-field-initializers
FUZZ_SRC := $(filter-out tests/fuzz/harness.c,$(sort $(wildcard tests/fuzz/*.c)))
FUZZ_BIN := $(patsubst tests/fuzz/%.c,build/fuzz/%,$(FUZZ_SRC))
FOBJ := $(patsubst src/%.c,build/fuzz/obj/%.o,$(LIBSRC)) $(call gen_objs,build/fuzz/obj)

build/fuzz/obj/gen/%.o: build/gen/%.c $(HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -O1 -g -Isrc -c $< -o $@

build/fuzz/obj/%.o: src/%.c $(HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CFLAGS_ALL) -O1 -g $(FUZZ_SAN) -fsanitize=fuzzer-no-link -c $< -o $@

build/librapport-fuzz.a: $(FOBJ)
	rm -f $@ && ar rcs $@ $^

build/fuzz/%: tests/fuzz/%.c tests/fuzz/harness.c tests/fuzz/harness.h build/librapport-fuzz.a
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CFLAGS_ALL) -Itests/fuzz -O1 -g $(FUZZ_SAN) -fsanitize=fuzzer $< \
		tests/fuzz/harness.c build/librapport-fuzz.a $(LDLIBS) -o $@

fuzz-build: fuzz-deps $(FUZZ_BIN)

# Each target for FUZZ_SECONDS (default 60) from its corpus; new inputs
# go to build/fuzz/corpus/, crashes to build/fuzz/crashes/.
fuzz: fuzz-build
	@FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz.sh run $(FUZZ_TARGETS)

# Each target over its seed corpus only (-runs=0): they build, and no
# seed crashes.
fuzz-smoke: fuzz-build
	@scripts/fuzz.sh smoke $(FUZZ_TARGETS)

# Starts the server on SQLite with demo data; a second run reuses the data.
run: all
	@mkdir -p data
	@if [ ! -f data/rapport.db ]; then ./build/rapport init && ./build/rapport demo --scale 2000; fi
	./build/rapport serve

# What the tests run, built on every core (the build was half of a clean
# `make test`); the dependencies come first, on their own.
TEST_BUILD := build/rapport build/rapport-asan build/rapport-tsan $(UNIT_BIN) $(UNIT_ABIN) $(SHIMS) $(FUZZ_BIN)
test-build: $(TEST_BUILD)

test: test-deps
	@$(MAKE) --no-print-directory -j$$(nproc) --output-sync=target test-build
	@scripts/test.sh

unit: deps $(UNIT_BIN)
	@scripts/test.sh unit

api: deps build/rapport $(SHIMS)
	@scripts/test.sh api

# The API tests with every database on a throwaway PostgreSQL.
api-pg: test-deps build/rapport $(SHIMS)
	@scripts/test.sh api-pg

e2e: test-deps build/rapport
	@scripts/test.sh e2e

e2e-pg: test-deps build/rapport
	@scripts/test.sh e2e-pg

# The 10-minute reliability soak (bench/soak.sh; not part of `make test`).
soak: deps build/rapport
	@bench/deps.sh
	@bench/soak.sh

# Speed and memory are measured here, never in tests (bench/README.md).
bench: deps
	@bench/deps.sh
	bench/run.sh full

bench-quick: deps
	@bench/deps.sh
	bench/run.sh quick

check-style:
	@scripts/check-style.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 build/rapport $(DESTDIR)$(PREFIX)/bin/rapport

clean:
	rm -rf build
