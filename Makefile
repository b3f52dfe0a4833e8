# ocsp-presign: plain Makefile.  make | make check | make demo | make bench
# make bench-big   -- the scale figures (10M responses: BENCH_BIG=5000000 serials)
# make install [PREFIX=/usr/local] [DESTDIR=] | make clean
# make SANITIZE=1 check   -- the same suite under ASan + UBSan (own build dir)

# The release, defined here and nowhere else: it is compiled into
# common/util/op_version.c (every program's --version) and names the Debian
# package directory; `make deb` stops when the top entry of
# packaging/debian/changelog carries another upstream version, so a release
# bumps VERSION here and adds a changelog entry (dch -v VERSION-1) together.
VERSION := 0.1.0

PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
SBINDIR ?= $(PREFIX)/sbin
MANDIR  ?= $(PREFIX)/share/man
CC      ?= cc

PKGS    := openssl libevent libevent_pthreads libp11
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# PKCS#11's own header (p11-kit's), for the signing sessions: no library.
PKG_CFLAGS += $(shell pkg-config --cflags p11-kit-1 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
# Debian's liblmdb-dev ships a .pc; other systems may not.
LMDB_LIBS  := $(shell pkg-config --libs lmdb 2>/dev/null || echo -llmdb)
CHECK_LIBS := $(shell pkg-config --libs check 2>/dev/null)
# ocsp-db is a pure reader: common/ and libcrypto, no PKCS#11, no libevent.
DB_LIBS    := $(shell pkg-config --libs libcrypto 2>/dev/null || echo -lcrypto)

WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
CFLAGS  ?= -O2 -g
# Include paths per directory, so that a wrong-way include does not
# compile (docs/design.txt, "Layout"): common/util/ sees itself only;
# common/format/ (the file format) sees util/; ocsp-db (common/ocsp-db/)
# and each program see both and their own directory; the tests see
# everything.
COMMON_INC := -Icommon/format -Icommon/util
INC     = $(COMMON_INC) -Icommon/ocsp-db -Igenerator -Iserver -Itests/unit
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) $(PKG_CFLAGS) $(INC)

# The test clock (common/util/op_time.h): programs built with TEST_CLOCK=1
# honour OCSP_PRESIGN_NOW; a production build refuses to start when it is
# set.  Every target that runs tests builds the test clock, and so does
# a sanitizer build (never a production one).
RUN_GOALS := check check-% integration bench bench-big bench-hsm demo stress
ifneq ($(filter $(RUN_GOALS),$(MAKECMDGOALS)),)
override TEST_CLOCK := 1
endif
ifeq ($(SANITIZE),1)
override TEST_CLOCK := 1
endif
CLOCK   := $(if $(filter 1,$(TEST_CLOCK)),test,production)
SUBMAKE := $(MAKE) --no-print-directory TEST_CLOCK=1

ifeq ($(SANITIZE),1)
BUILD   := build-san
ALL_CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=address,undefined
else
BUILD   := build
endif
BIN     := $(if $(filter 1,$(SANITIZE)),$(BUILD)/bin,bin)

COMMON_SRC := $(wildcard common/format/*.c common/util/*.c)
DB_SRC     := $(filter-out common/ocsp-db/ocsp_db.c,$(wildcard common/ocsp-db/*.c))
GEN_SRC    := $(filter-out generator/ocsp_gen.c,$(wildcard generator/*.c))
SRV_SRC    := $(filter-out server/ocsp_serve.c,$(wildcard server/*.c))
UNIT_SRC   := $(wildcard tests/unit/check_*.c)

obj = $(patsubst %.c,$(BUILD)/%.o,$(1))
COMMON_LIB := $(BUILD)/libcommon.a
GEN_LIB    := $(BUILD)/libgen.a
SRV_LIB    := $(BUILD)/libsrv.a
DB_LIB     := $(BUILD)/libdb.a
UNIT_BIN   := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))

PROGS := $(BIN)/ocsp-gen $(BIN)/ocsp-db $(BIN)/ocsp-serve

.PHONY: FORCE all check check-unit check-scenario check-fuzz fuzz demo bench bench-big bench-hsm deps install clean deb integration stress
all: $(PROGS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/common/util/%.o: INC = -Icommon/util
$(BUILD)/common/format/%.o: INC = $(COMMON_INC)
$(BUILD)/common/ocsp-db/%.o: INC = $(COMMON_INC) -Icommon/ocsp-db
$(BUILD)/generator/%.o: INC = $(COMMON_INC) -Igenerator
$(BUILD)/server/%.o: INC = $(COMMON_INC) -Iserver

# Only this object carries the version, so only it rebuilds when it changes.
$(BUILD)/common/util/op_version.o: ALL_CFLAGS += -DOP_VERSION='"$(VERSION)"'
$(BUILD)/common/util/op_version.o: Makefile

# Only op_time.o differs between the clocks.  The stamp holds the clock
# last built here: switching rewrites it, which recompiles that object and
# so relinks every program and test (bin/ ends up with the clock asked for).
$(BUILD)/common/util/op_time.o: ALL_CFLAGS += $(if $(filter test,$(CLOCK)),-DOP_TEST_CLOCK)
$(BUILD)/common/util/op_time.o: $(BUILD)/.clock
$(BUILD)/.clock: FORCE
	@mkdir -p $(dir $@)
	@[ "$$(cat $@ 2>/dev/null)" = "$(CLOCK)" ] || echo "$(CLOCK)" > $@

$(COMMON_LIB): $(call obj,$(COMMON_SRC))
	$(AR) rcs $@ $^
$(GEN_LIB): $(call obj,$(GEN_SRC))
	$(AR) rcs $@ $^
$(SRV_LIB): $(call obj,$(SRV_SRC))
	$(AR) rcs $@ $^
$(DB_LIB): $(call obj,$(DB_SRC))
	$(AR) rcs $@ $^

$(BIN)/ocsp-gen: $(call obj,generator/ocsp_gen.c) $(GEN_LIB) $(COMMON_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(LMDB_LIBS) -lpthread
$(BIN)/ocsp-db: $(call obj,common/ocsp-db/ocsp_db.c) $(DB_LIB) $(COMMON_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(DB_LIBS) $(LMDB_LIBS)
$(BIN)/ocsp-serve: $(call obj,server/ocsp_serve.c) $(SRV_LIB) $(COMMON_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(LMDB_LIBS) -lpthread

$(BUILD)/tests/check_%: $(call obj,tests/unit/check_%.c) $(GEN_LIB) $(SRV_LIB) $(DB_LIB) $(COMMON_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(CHECK_LIBS) $(PKG_LIBS) $(LMDB_LIBS) -lpthread

# The bench's signing-rate probe (tests/bench/sign_speed.c).
$(BUILD)/bench/sign_speed: $(call obj,tests/bench/sign_speed.c) $(GEN_LIB) $(COMMON_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(LMDB_LIBS) -lpthread

# The request parser alone, before and after a change (tests/bench/req_parse.c).
$(BUILD)/bench/req_parse: $(call obj,tests/bench/req_parse.c) $(SRV_LIB) $(COMMON_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(LMDB_LIBS) -lpthread

# The PKCS#11 fault injector for the scenarios (tests/pkcs11/fault.c):
# built without sanitizers, so any process can load it.
P11FAULT := $(BUILD)/tests/libp11fault.so
$(P11FAULT): tests/pkcs11/fault.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -D_GNU_SOURCE $(WARN) -O2 -g -fPIC -shared \
		$(PKG_CFLAGS) $< -o $@ -ldl -lpthread

# Latency hiding through the injector and publication by clone
# (tests/bench/hsm.sh; figures only).
bench-hsm: deps
	@$(SUBMAKE) all $(BUILD)/bench/sign_speed $(P11FAULT)
	@BIN=$(abspath $(BIN)) SIGN_SPEED=$(abspath $(BUILD)/bench/sign_speed) \
		P11FAULT_LIB=$(abspath $(P11FAULT)) sh tests/bench/hsm.sh

deps:
	@sh packaging/install-deps.sh

# The README's test command: installs what is missing, then every suite.
check: deps
	@$(SUBMAKE) all
	@$(SUBMAKE) check-unit check-scenario check-fuzz

check-unit: $(UNIT_BIN)
	@sh tests/run-unit.sh $(UNIT_BIN)

check-scenario: $(PROGS) $(P11FAULT)
	@BIN=$(abspath $(BIN)) sh tests/run-scenarios.sh

# The README's demo command: throwaway PKI + SoftHSM token, generate, serve, query.
demo: deps
	@$(SUBMAKE) all
	@BIN=$(abspath $(BIN)) sh tests/demo.sh

bench: deps
	@$(SUBMAKE) all $(BUILD)/bench/sign_speed
	@BIN=$(abspath $(BIN)) SIGN_SPEED=$(abspath $(BUILD)/bench/sign_speed) sh tests/bench/bench.sh

# The scale figures, BENCH_BIG serials x both hashes.  BENCH_BIG_MODE=scale
# (default; docs/performance.txt "Ten million responses"): first, no-change,
# 0.1%-revoked and steady runs, publication by clone (loop XFS) and by copy,
# rsync per edge.  BENCH_BIG_MODE=schedule (docs/guide.txt "At scale"): a
# simulated schedule through SoftHSM, rsync through a daemon, open and hot swap.
bench-big: deps
	@$(SUBMAKE) all
	@BIN=$(abspath $(BIN)) sh tests/bench/big.sh

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8
	install -m 755 $(BIN)/ocsp-gen $(BIN)/ocsp-serve $(DESTDIR)$(SBINDIR)/
	install -m 755 $(BIN)/ocsp-db $(DESTDIR)$(BINDIR)/
	for m in docs/*.[158]; do [ -f "$$m" ] || continue; \
		s=$${m##*.}; install -m 644 $$m $(DESTDIR)$(MANDIR)/man$$s/; done

clean:
	rm -rf build build-san build-fuzz build-deb bin

-include $(shell find build build-san -name '*.d' 2>/dev/null)

# libFuzzer (clang): `make fuzz` fuzzes each target for FUZZ_SECONDS;
# `make check-fuzz` (part of check) replays each corpus as a regression test.
FUZZ_SECONDS ?= 60
FUZZ_CC := clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-D_GNU_SOURCE $(COMMON_INC) -Igenerator -Iserver
FUZZ_COMMON := common/format/op_key.c common/format/op_hash.c common/format/op_serial.c common/util/op_err.c common/format/op_rec.c common/util/op_time.c \
	common/util/op_file.c common/util/op_log.c common/util/op_der.c common/util/op_hex.c
FUZZ_TARGETS := req issued local crl rec http delta der
fuzz_input_id = $(if $(filter issued,$(1)),1,$(if $(filter local,$(1)),2,$(if $(filter crl,$(1)),3,$(if $(filter delta,$(1)),5,4))))
build-fuzz/fuzz_req: tests/fuzz/fuzz_req.c server/srv_req.c $(FUZZ_COMMON) $(wildcard */*.h common/*/*.h)
	@mkdir -p build-fuzz
	$(FUZZ_CC) tests/fuzz/fuzz_req.c server/srv_req.c $(FUZZ_COMMON) -o $@ -lcrypto -llmdb
# The one DER reader and writer (common/util/op_der), on its own.
build-fuzz/fuzz_der: tests/fuzz/fuzz_der.c common/util/op_der.c $(FUZZ_COMMON) $(wildcard common/util/*.h)
	@mkdir -p build-fuzz
	$(FUZZ_CC) tests/fuzz/fuzz_der.c $(FUZZ_COMMON) -o $@ -lcrypto -llmdb
# The HTTP layer: head parser and connection state machine, with the
# answer policy, a real LMDB file and the access log behind them.
FUZZ_SRV := $(filter-out server/ocsp_serve.c,$(wildcard server/*.c))
FUZZ_ALLCOMMON := $(filter-out common/util/op_version.c,$(COMMON_SRC))
build-fuzz/fuzz_http: tests/fuzz/fuzz_http.c tests/unit/test_db.h $(FUZZ_SRV) $(FUZZ_ALLCOMMON) $(wildcard */*.h common/*/*.h)
	@mkdir -p build-fuzz
	$(FUZZ_CC) tests/fuzz/fuzz_http.c $(FUZZ_SRV) $(FUZZ_ALLCOMMON) -o $@ \
		$(PKG_CFLAGS) -lcrypto -llmdb -levent -lpthread
build-fuzz/fuzz_%: tests/fuzz/fuzz_input.c generator/gen_input.c generator/gen_crl.c $(FUZZ_COMMON) $(wildcard */*.h common/*/*.h)
	@mkdir -p build-fuzz
	$(FUZZ_CC) -DFUZZ_TARGET=$(call fuzz_input_id,$*) tests/fuzz/fuzz_input.c \
		generator/gen_input.c generator/gen_crl.c $(FUZZ_COMMON) -o $@ -lcrypto -llmdb
check-fuzz: $(addprefix build-fuzz/fuzz_,$(FUZZ_TARGETS))
	@p=0; f=0; for t in $(FUZZ_TARGETS); do \
		if build-fuzz/fuzz_$$t -runs=0 tests/fuzz/corpus/$$t > build-fuzz/replay-$$t.log 2>&1; \
		then p=$$((p + 1)); else f=$$((f + 1)); echo "FAIL fuzz corpus $$t"; tail -20 build-fuzz/replay-$$t.log; fi; \
	done; echo "fuzz: $$p passed, $$f failed"; [ $$f -eq 0 ]
fuzz: deps $(addprefix build-fuzz/fuzz_,$(FUZZ_TARGETS))
	@for t in $(FUZZ_TARGETS); do mkdir -p build-fuzz/corpus-$$t; \
		build-fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -max_len=8192 \
			build-fuzz/corpus-$$t tests/fuzz/corpus/$$t 2>&1 | tail -1 | sed "s/^/$$t: /"; \
	done

# The long end-to-end parts: packaging, the edge fleet, the HTTP cache.
integration: deps all
	@BIN=$(abspath $(BIN)) SCENARIO_JOBS=1 sh tests/run-scenarios.sh tests/integration

# Long fault runs: 50 SIGKILLs, a 60 s soak (STRESS_KILLS, STRESS_SOAK).
stress: deps all
	@BIN=$(abspath $(BIN)) sh tests/stress/stress.sh

# Debian package: a copy of the tree with packaging/debian as debian/.
DEB_DIR := build-deb/ocsp-presign-$(VERSION)
deb:
	@v=$$(dpkg-parsechangelog -l packaging/debian/changelog -S Version); \
	if [ "$${v%-*}" != "$(VERSION)" ]; then \
		echo "deb: packaging/debian/changelog is at $$v, the Makefile's VERSION is $(VERSION): add a changelog entry (dch -v $(VERSION)-1)" >&2; \
		exit 1; fi
	rm -rf build-deb && mkdir -p $(DEB_DIR)
	git ls-files -z | xargs -0 cp --parents -t $(DEB_DIR)
	cp -r packaging/debian $(DEB_DIR)/debian
	cd $(DEB_DIR) && dpkg-buildpackage -b -us -uc
	@ls build-deb/*.deb

# ---- make static: the edge as one file (bin/ocsp-serve, bin/ocsp-db) ----
# Linked against Debian's own archives (libcrypto.a from libssl-dev,
# libevent.a from libevent-dev, liblmdb.a from liblmdb-dev, glibc's libc.a)
# as a static PIE, so the binary keeps the address randomisation of the
# dynamic build.  The objects are plain make's; only op_version.o is
# compiled again with OP_STATIC (--version then names the libraries built
# in), and it comes before the archives, so libcommon.a's copy is never
# pulled.  The binaries are linked under build/static/ (with symbols) and
# copied stripped to bin/ with an old time stamp, so that the next plain
# `make` links the dynamic ones again.
# Static glibc loads no NSS modules (its own "files" source still reads
# /etc/passwd): ocsp-serve needs none as long as listen addresses are
# numeric and --user is a local name or UID:GID (a scratch image has no
# /etc/passwd, so UID:GID there).
# The linker's warnings about getaddrinfo, getpwnam and dlopen (OpenSSL's
# DSO code, which the server never uses) say exactly that.
# STATIC_EXTRA_LIBS: archives the static link needs beyond these.  When the
# server links libseccomp, put -lseccomp here (libseccomp-dev ships
# libseccomp.a); any other new -l of ocsp-serve belongs here too.
STATIC_EXTRA_LIBS ?=
STATIC_LDFLAGS ?= -static-pie
STATIC_DIR  := $(BUILD)/static
STATIC_SRV_LIBS := $(shell pkg-config --static --libs libcrypto libevent libevent_pthreads lmdb 2>/dev/null || \
	echo -lcrypto -levent -levent_pthreads -llmdb -pthread)
STATIC_DB_LIBS := $(shell pkg-config --static --libs libcrypto lmdb 2>/dev/null || echo -lcrypto -llmdb -pthread)
.PHONY: static
static: $(STATIC_DIR)/ocsp-serve $(STATIC_DIR)/ocsp-db $(STATIC_DIR)/ocsp-healthz
	@mkdir -p bin
	@for p in ocsp-serve ocsp-db; do \
		strip -o bin/$$p.tmp $(STATIC_DIR)/$$p && touch -d @86400 bin/$$p.tmp && \
		mv bin/$$p.tmp bin/$$p || exit 1; done
	@ls -l bin/ocsp-serve bin/ocsp-db | awk '{ print "static: " $$NF ", " $$5 " octets" }'
$(STATIC_DIR)/op_version.o: common/util/op_version.c common/util/op_version.h Makefile
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -DOP_VERSION='"$(VERSION)"' -DOP_STATIC -c $< -o $@
$(STATIC_DIR)/ocsp-serve: $(STATIC_DIR)/op_version.o $(call obj,server/ocsp_serve.c) $(SRV_LIB) $(COMMON_LIB)
	$(CC) $(LDFLAGS) $(STATIC_LDFLAGS) -o $@ $^ $(STATIC_SRV_LIBS) $(STATIC_EXTRA_LIBS)
$(STATIC_DIR)/ocsp-db: $(STATIC_DIR)/op_version.o $(call obj,common/ocsp-db/ocsp_db.c) $(DB_LIB) $(COMMON_LIB)
	$(CC) $(LDFLAGS) $(STATIC_LDFLAGS) -o $@ $^ $(STATIC_DB_LIBS) $(STATIC_EXTRA_LIBS)
# The image's health check (a scratch image has no curl): not installed.
$(STATIC_DIR)/ocsp-healthz: packaging/container/ocsp-healthz.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) $(LDFLAGS) $(STATIC_LDFLAGS) -s -o $@ $<
