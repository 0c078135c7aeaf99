# orca - a plain Makefile.
#
#   make              build/orca and build/toml-decode
#   make check        unit tests (one binary per module under build/tests/)
#   make SAN=1 check  the same under ASan+UBSan, in build/san/
#   make fuzz         libFuzzer targets with clang, in build/fuzz/
#
# wasmtime's C API is built by scripts/setup (cargo) into WASMTIME_DIR and
# linked statically; every other library comes from Debian's -dev packages.

SAN ?= 0
ifeq ($(SAN),1)
BUILD ?= build/san
else
BUILD ?= build
endif

CC ?= cc
ORCA_CACHE ?= $(HOME)/.cache/orca
WASMTIME_DIR ?= $(ORCA_CACHE)/wasmtime
WASMTIME_LIB := $(WASMTIME_DIR)/lib/libwasmtime_capi.a
PKGS := libcurl jansson sqlite3 libsodium libh2o-evloop openssl
VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
GIT_REV := $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)

WARN := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-missing-field-initializers
CFLAGS ?= -O2 -g
CPPFLAGS += -std=c11 -D_GNU_SOURCE -DH2O_USE_EPOLL=1 -Isrc \
	-I$(WASMTIME_DIR)/include $(shell pkg-config --cflags $(PKGS)) \
	-DORCA_VERSION='"$(VERSION)"' -DORCA_GIT_REV='"$(GIT_REV)"'
LDLIBS += $(WASMTIME_LIB) $(shell pkg-config --libs $(PKGS)) -lpthread -ldl -lm

ifeq ($(SAN),1)
CFLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
endif

LIB_SRCS := $(shell find src -name '*.c' ! -path src/main.c | sort)
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
TEST_SRCS := $(wildcard tests/unit/test_*.c)
TEST_BINS := $(TEST_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
TOOL_SRCS := $(wildcard tools/*.c)
TOOL_BINS := $(TOOL_SRCS:tools/%.c=$(BUILD)/%)

.PHONY: all check tests fuzz clean wasmtime-check install uninstall
.SECONDARY:
all: $(BUILD)/orca $(TOOL_BINS)

wasmtime-check:
	@test -f $(WASMTIME_LIB) || { echo "missing $(WASMTIME_LIB): run scripts/setup first" >&2; exit 1; }

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -MMD -MP -c $< -o $@

$(BUILD)/liborca.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/orca: $(BUILD)/obj/src/main.o $(BUILD)/liborca.a | wasmtime-check
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/%: $(BUILD)/obj/tools/%.o $(BUILD)/liborca.a | wasmtime-check
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(BUILD)/obj/tests/unit/unit.o $(BUILD)/liborca.a | wasmtime-check
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

tests: $(TEST_BINS)

check: all tests
	tests/run-unit $(BUILD)/tests

# libFuzzer: every fuzz/fuzz_*.c links against the library built by clang
# with coverage instrumentation and ASan+UBSan.
FUZZ_SRCS := $(wildcard fuzz/fuzz_*.c)
fuzz:
	$(MAKE) BUILD=build/fuzz CC=clang \
		CFLAGS="-O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined" \
		LDFLAGS="-fsanitize=fuzzer,address,undefined" \
		$(FUZZ_SRCS:fuzz/%.c=build/fuzz/%)

build/fuzz/fuzz_%: build/fuzz/obj/fuzz/fuzz_%.o build/fuzz/liborca.a | wasmtime-check
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# make install [PREFIX=/usr/local] [DESTDIR=]: the binary, the systemd unit
# (its ExecStart pointed at the installed binary) and the README.
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
UNITDIR ?= $(PREFIX)/lib/systemd/system
DOCDIR ?= $(PREFIX)/share/doc/orca

install: $(BUILD)/orca
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(UNITDIR) $(DESTDIR)$(DOCDIR)
	install -m 0755 $(BUILD)/orca $(DESTDIR)$(BINDIR)/orca
	sed 's|/usr/local/bin/orca|$(BINDIR)/orca|g; s|/usr/local/share/doc/orca|$(DOCDIR)|g' \
		contrib/orca.service > $(DESTDIR)$(UNITDIR)/orca.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/orca.service
	install -m 0644 README.md $(DESTDIR)$(DOCDIR)/README.md

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/orca $(DESTDIR)$(UNITDIR)/orca.service \
		$(DESTDIR)$(DOCDIR)/README.md
	-rmdir $(DESTDIR)$(DOCDIR) 2>/dev/null

clean:
	rm -rf build

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
