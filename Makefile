# remotegen build.
#   make              build ./remotegen (optimised, -Werror)
#   make SAN=1        build build/san/remotegen with ASan + UBSan
#   make unit         build and run the unit tests
#   make check        everything: style, unit tests and integration/e2e tests
#                     against real services, all under ASan + UBSan
#   make check-style  banned functions, floors, file headers, clang-format
#   make plugins      protoc-gen-js and protoc-gen-grpc-web from third_party/ (build/plugins/)
#   make tsan         the worker pool's stress test under ThreadSanitizer
#   make fuzz         libFuzzer targets (tests/fuzz/) built with clang, each run
#                     FUZZ_RUNS times (default 100000) from its seed corpus
#   (make check also builds with clang into build/clang: both compilers, -Werror)
#   make clean

CC      ?= cc
PKGS    := libpq libprotobuf-c libzip libcurl ck libcrypto icu-uc jansson libarchive
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   := $(shell pkg-config --libs $(PKGS))

ifeq ($(SAN),1)
VARIANT  := san
OPTFLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
else ifeq ($(FUZZ),1)
VARIANT  := fuzz
OPTFLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
else
VARIANT  := rel
OPTFLAGS := -O2 -g
endif

B       ?= build/$(VARIANT)
GEN     := build/gen
WARN    := -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wno-unused-parameter
DEFS    := -D_GNU_SOURCE
# Floors: each folder sees itself and the floors below it, nothing above, so an
# include that points up (or across, between workers/ and publisher/) does not
# compile. lib/ is the ground floor.
PUB_DIRS   := publisher/store publisher/go publisher/npm publisher/python
INC_lib       := -Ilib
INC_workers   := -Iworkers -Ilib -I$(GEN)
INC_publisher := $(addprefix -I,$(PUB_DIRS)) -Ilib
INC_pipeline  := -Ipipeline -Iworkers $(addprefix -I,$(PUB_DIRS)) -Ilib -I$(GEN)
INC_tests     := -Itests/unit $(INC_pipeline)
INCS       := $(INC_pipeline)
BASE_CFLAGS := $(WARN) $(DEFS) $(OPTFLAGS) $(PKG_CFLAGS) $(CFLAGS)
ALL_CFLAGS := $(BASE_CFLAGS) $(INCS)
# The include path of the floor a source file lives on (its first folder).
floor_incs = $(INC_$(firstword $(subst /, ,$(1))))
LDLIBS  := $(PKG_LIBS) -lpthread

PROTOS  := proto/google/protobuf/descriptor.proto proto/google/protobuf/compiler/plugin.proto
PROTO_C := $(GEN)/google/protobuf/descriptor.pb-c.c $(GEN)/google/protobuf/compiler/plugin.pb-c.c
PROTO_H := $(PROTO_C:.c=.h)

LIB_SRC := $(filter-out pipeline/main.c,$(wildcard lib/*.c pipeline/*.c workers/*.c $(addsuffix /*.c,$(PUB_DIRS))))
LIB_OBJ := $(patsubst %.c,$(B)/%.o,$(LIB_SRC)) $(patsubst $(GEN)/%.c,$(B)/gen/%.o,$(PROTO_C)) $(B)/gen/sql_migrations.o
MAIN_OBJ := $(B)/pipeline/main.o
# The version `remotegen --version` prints: git describe of the checkout, or "unknown".
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo unknown)

UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(patsubst tests/unit/%.c,$(B)/tests/%,$(UNIT_SRC))
HELPER_SRC := $(wildcard tests/tools/*.c)
# Test tools (test plugins, modtool) are always built without sanitizers: they
# run as plugins under memory limits that ASan's shadow memory cannot live with.
HELPER_BIN := $(patsubst tests/tools/%.c,build/rel/tests/tools/%,$(HELPER_SRC)) build/rel/tests/tools/testplugin-static

ifeq ($(SAN),1)
all: $(B)/remotegen $(UNIT_BIN)
else
all: remotegen
remotegen: $(B)/remotegen
	cp $< $@
tools: $(HELPER_BIN)
endif

# main.o carries the version: rebuilt when it changes (the recorded one is in $(B)/version).
$(B)/version: FORCE
	@mkdir -p $(B)
	@echo '$(VERSION)' | cmp -s - $@ || echo '$(VERSION)' > $@
$(MAIN_OBJ): $(B)/version
FORCE:

$(B)/remotegen: $(MAIN_OBJ) $(B)/libremotegen.a
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

$(B)/libremotegen.a: $(LIB_OBJ)
	rm -f $@ && ar rcs $@ $^

# -MMD -MP: each object depends on the headers it includes (build/*/.../*.d).
$(B)/%.o: %.c $(PROTO_H)
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(call floor_incs,$<) $(if $(filter %/main.o,$@),-DREMOTEGEN_VERSION='"$(VERSION)"') \
		-MMD -MP -c -o $@ $<

# Generated protobuf-c code: compiled with relaxed warnings (not our code).
$(B)/gen/%.o: $(GEN)/%.c $(PROTO_H)
	@mkdir -p $(dir $@)
	$(CC) -std=c11 $(DEFS) $(OPTFLAGS) $(INCS) $(PKG_CFLAGS) -c -o $@ $<

$(PROTO_C) $(PROTO_H) &: $(PROTOS)
	@mkdir -p $(GEN)
	cd proto && protoc-c --c_out=../$(GEN) $(PROTOS:proto/%=%)

# sql/*.sql embedded in the binary, in file-name order.
$(GEN)/sql_migrations.c: $(sort $(wildcard sql/*.sql)) ops/embed-sql.sh
	@mkdir -p $(GEN)
	sh ops/embed-sql.sh $(sort $(wildcard sql/*.sql)) > $@.tmp && mv $@.tmp $@

$(B)/gen/sql_migrations.o: $(GEN)/sql_migrations.c pipeline/migrate.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(B)/tests/%: tests/unit/%.c tests/unit/unit.h $(B)/libremotegen.a
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(INC_tests) -MMD -MP -MF $(dir $@).$(notdir $@).d -o $@ $< $(B)/libremotegen.a $(LDLIBS)

build/rel/tests/tools/%: tests/tools/%.c build/rel/libremotegen.a
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(INC_tests) -MMD -MP -MF $(dir $@).$(notdir $@).d -o $@ $< build/rel/libremotegen.a $(LDLIBS)

# A static build of the test plugin, to be packed into a container image (oci runtime tests).
build/rel/tests/tools/testplugin-static: tests/tools/testplugin.c $(PROTO_H)
	@mkdir -p $(dir $@)
	$(CC) -std=c11 $(DEFS) -O2 $(INCS) -static -o $@ $< $(PROTO_C) -lprotobuf-c

unit: $(UNIT_BIN) $(HELPER_BIN)
	@sh tests/unit/run.sh $(UNIT_BIN)

check-style:
	@sh ops/check-style.sh

# The pool under ThreadSanitizer: tests/unit/test_pool.c with the real pool
# code (workers/pool.c) built with -fsanitize=thread; any data race fails it.
TSAN_CC ?= gcc
build/tsan/test_pool: tests/unit/test_pool.c workers/pool.c workers/pool.h lib/util.c lib/util.h tests/unit/unit.h
	@mkdir -p $(dir $@)
	$(TSAN_CC) -fsanitize=thread -O1 -g $(WARN) $(DEFS) $(PKG_CFLAGS) -Itests/unit -Iworkers -Ilib \
		-o $@ tests/unit/test_pool.c workers/pool.c lib/util.c $(PKG_LIBS) -lpthread
tsan: build/tsan/test_pool
	TSAN_OPTIONS=halt_on_error=1:exitcode=66 build/tsan/test_pool

# make fuzz: what comes from outside (plugin answers, images, S3 XML, names)
# under libFuzzer + ASan + UBSan. New inputs go to build/fuzz/corpus, the
# committed seeds (tests/fuzz/corpus) are only read.
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN := $(patsubst tests/fuzz/%.c,build/fuzz/%,$(FUZZ_SRC))
FUZZ_RUNS ?= 100000
FUZZ_CC ?= clang
build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c build/fuzz/libremotegen.a
	$(FUZZ_CC) $(WARN) $(DEFS) -O1 -g -fsanitize=fuzzer,address,undefined $(PKG_CFLAGS) $(INC_tests) \
		-o $@ $< build/fuzz/libremotegen.a $(LDLIBS)
ifneq ($(FUZZ),1)
build/fuzz/libremotegen.a: FORCE
	$(MAKE) FUZZ=1 CC=$(FUZZ_CC) B=build/fuzz build/fuzz/libremotegen.a
endif
fuzz: $(FUZZ_BIN)
	@for f in $(FUZZ_BIN); do \
		n=$$(basename $$f | sed 's/^fuzz_//'); mkdir -p build/fuzz/corpus/$$n; \
		echo "fuzz $$n: $(FUZZ_RUNS) runs"; \
		$$f -runs=$(FUZZ_RUNS) -max_len=65536 build/fuzz/corpus/$$n tests/fuzz/corpus/$$n 2>build/fuzz/$$n.log \
			|| { tail -n 40 build/fuzz/$$n.log; exit 1; }; \
		tail -n 1 build/fuzz/$$n.log; \
	done

# make check: style, a clean gcc and clang build, then every test under ASan+UBSan.
check: check-style
	$(MAKE) remotegen tools plugins
	$(MAKE) CC=clang B=build/clang build/clang/remotegen
	$(MAKE) SAN=1 all
	$(MAKE) tsan
	$(MAKE) fuzz
	REMOTEGEN_BUILD=build/san bash tests/run-all.sh

-include $(shell find $(B) -name '*.d' 2>/dev/null)

# protoc-gen-js and protoc-gen-grpc-web from third_party/, into build/plugins/
plugins:
	bash ops/build-plugins.sh

.PHONY: all tools plugins unit tsan fuzz check check-style clean FORCE
clean:
	rm -rf build remotegen
