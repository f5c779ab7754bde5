# goflow2plus: PGXS build of the extension, plus the standalone pieces
# (core unit tests, libFuzzer targets) that need no database.

EXTENSION = goflow2plus
MODULE_big = goflow2plus
DATA = $(wildcard sql/goflow2plus--*.sql)

CORE_SRCS = $(sort $(wildcard src/core/*.c))
PGAD_SRCS = $(sort $(wildcard src/pg/*.c))
# Core pieces with no caller in the server yet are built and tested by the
# unit and fuzz rules below and kept out of the extension until a stage
# uses them (none now).
EXT_CORE_UNUSED =
# The context file parser (load_context(), context_config) needs libyaml;
# the JetStream sink needs nats.c (src/pg/nats_pub.c) and its threads, and
# format = bin the protobuf encoder (src/core/flow_pb.c with the code
# protoc-c generates from proto/flow.proto).
SHLIB_LINK += -lyaml -lnats -lpthread -lprotobuf-c
# The Prometheus endpoint (src/pg/metrics_http.c), driven from its
# worker's own loop: libmicrohttpd starts no thread there.
SHLIB_LINK += -lmicrohttpd
EXT_CORE_SRCS = $(filter-out $(EXT_CORE_UNUSED),$(CORE_SRCS))
OBJS = $(EXT_CORE_SRCS:.c=.o) $(PGAD_SRCS:.c=.o) src/gen/flow.pb-c.o

# Warnings are errors unless a build on a newer server asks otherwise
# (make WERROR=).
WERROR ?= -Werror
# The adapter sees only the core's public headers (src/core/include); the
# core's own objects also see its internal ones.
PG_CPPFLAGS = -Isrc/core/include -Isrc/gen
PG_CFLAGS = $(WERROR)
SHLIB_LINK += -lmaxminddb

REGRESS = $(patsubst test/regress/sql/%.sql,%,$(sort $(wildcard test/regress/sql/*.sql)))
REGRESS_OPTS = --inputdir=test/regress --temp-instance=./tmp_check \
	--temp-config=test/regress/regress.conf --port=$(REGRESS_PORT)
REGRESS_PORT ?= 58432

EXTRA_CLEAN = src/gen tmp_check results regression.diffs regression.out \
	build $(EXT_CORE_UNUSED:.c=.o)

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

src/gen/flow.pb-c.c src/gen/flow.pb-c.h: proto/flow.proto
	@mkdir -p src/gen
	protoc-c --proto_path=proto --c_out=src/gen proto/flow.proto

# Generated code follows protoc-c's style, not ours.
src/gen/flow.pb-c.o: CFLAGS += -Wno-declaration-after-statement -Wno-missing-prototypes
# PGXS tracks no header dependencies unless the server was configured with
# --enable-depend; a stale object built against an older struct layout
# (a counter list, a slot) corrupts shared memory, so every object is
# rebuilt when any header changes.  The LLVM bitcode PGXS makes beside
# each object (with_llvm) needs the generated header as much.
$(CORE_SRCS:.c=.o) $(PGAD_SRCS:.c=.o) $(CORE_SRCS:.c=.bc) $(PGAD_SRCS:.c=.bc): src/gen/flow.pb-c.h $(wildcard src/core/*.h src/core/include/*.h src/pg/*.h)
$(CORE_SRCS:.c=.o): override CPPFLAGS += -Isrc/core

# ---- core layer without PostgreSQL: unit tests and fuzzers ----------------

SAN_FLAGS = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
CORE_TEST_CFLAGS = -std=gnu11 -g -O1 -Wall -Wextra -Wno-unused-parameter \
	-Wdeclaration-after-statement $(WERROR) -Isrc/core/include -Isrc/core -Isrc/gen $(SAN_FLAGS)
UNIT_SRCS = $(sort $(wildcard test/unit/test_*.c))
UNIT_BINS = $(patsubst test/unit/%.c,build/unit/%,$(UNIT_SRCS))
FUZZ_SRCS = $(sort $(wildcard test/fuzz/fuzz_*.c))
FUZZ_BINS = $(patsubst test/fuzz/%.c,build/fuzz/%,$(FUZZ_SRCS))
CORE_HDRS = $(wildcard src/core/*.h src/core/include/*.h)
# Unit tests and fuzzers link every core file, the context file parser
# (libyaml) included.
CORE_LIBS = -lprotobuf-c -lyaml -lmaxminddb

# The core is compiled once per flavour (ASan/UBSan for the unit tests,
# plus libFuzzer's coverage for the fuzzers) and linked into every binary
# of that flavour: compiling every core file again for each test made the
# build most of the unit suite's time.
CORE_SAN_OBJS = $(patsubst src/core/%.c,build/san/%.o,$(CORE_SRCS)) build/san/flow.pb-c.o
CORE_FUZZ_OBJS = $(patsubst src/core/%.c,build/fuzzobj/%.o,$(CORE_SRCS)) build/fuzzobj/flow.pb-c.o
FUZZ_CFLAGS = -std=gnu11 -g -O1 -Isrc/core/include -Isrc/core -Isrc/gen \
	-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all

build/san/%.o: src/core/%.c $(CORE_HDRS) src/gen/flow.pb-c.h
	@mkdir -p build/san
	$(CC) $(CORE_TEST_CFLAGS) -c -o $@ $<
build/san/flow.pb-c.o: src/gen/flow.pb-c.c src/gen/flow.pb-c.h
	@mkdir -p build/san
	$(CC) $(CORE_TEST_CFLAGS) -c -o $@ $<
build/fuzzobj/%.o: src/core/%.c $(CORE_HDRS) src/gen/flow.pb-c.h
	@mkdir -p build/fuzzobj
	clang $(FUZZ_CFLAGS) -c -o $@ $<
build/fuzzobj/flow.pb-c.o: src/gen/flow.pb-c.c src/gen/flow.pb-c.h
	@mkdir -p build/fuzzobj
	clang $(FUZZ_CFLAGS) -c -o $@ $<

build/unit/%: test/unit/%.c test/unit/unit.h $(CORE_SAN_OBJS) $(CORE_HDRS)
	@mkdir -p build/unit
	$(CC) $(CORE_TEST_CFLAGS) -Itest/unit -o $@ $< $(CORE_SAN_OBJS) $(CORE_LIBS)

# Every core object, also those kept out of the extension, for the call
# graph check (test/tools/include_graph.py --calls).
.PHONY: core-objs
core-objs: $(CORE_SRCS:.c=.o)

.PHONY: unit fuzz
unit: $(UNIT_BINS)
	@p=0; f=0; for t in $(UNIT_BINS); do echo "== $$t"; ./$$t > build/unit/last.out 2>&1; rc=$$?; cat build/unit/last.out; \
		line=$$(grep -E '[0-9]+ passed, [0-9]+ failed' build/unit/last.out | tail -1); \
		p=$$((p + $$(echo "$$line" | sed -E 's/.* ([0-9]+) passed.*/\1/;t;s/.*/0/'))); \
		f=$$((f + $$(echo "$$line" | sed -E 's/.* ([0-9]+) failed.*/\1/;t;s/.*/0/'))); \
		if [ $$rc -ne 0 ] && [ -z "$$line" ]; then f=$$((f + 1)); fi; done; \
		echo "unit: $$p passed, $$f failed"; [ $$f -eq 0 ]

build/fuzz/%: test/fuzz/%.c $(CORE_FUZZ_OBJS) $(CORE_HDRS)
	@mkdir -p build/fuzz
	clang -std=gnu11 -g -O1 -Isrc/core/include -Isrc/core -Isrc/gen -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all -o $@ $< $(CORE_FUZZ_OBJS) $(CORE_LIBS)

fuzz: $(FUZZ_BINS)
