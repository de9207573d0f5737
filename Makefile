# ngx_meet: build, run and test.  See README.md.
#
#   make           dynamic modules for Debian's nginx -> build/modules/*.so
#   make run       start nginx in the foreground on conf-examples/dev.conf
#   make test      install what is missing, build, run the whole suite
#   make asan      modules built with AddressSanitizer + UBSan -> build/asan/modules
#   make test-asan the suite against the asan modules (runtime LD_PRELOADed)
#   make test-valgrind  the suite under valgrind memcheck with leak checks
#   make static    a complete nginx binary with the modules compiled in
#   make install   copy the .so files to /usr/lib/nginx/modules

SHELL        := /bin/bash
REPO         := $(CURDIR)
BUILD        := $(REPO)/build
NGX_SRC      ?= /usr/share/nginx/src
PROVE        ?= prove
PROVE_FLAGS  ?= -r
TESTS        ?= t
MODULES      := ngx_meet_routing_module ngx_meet_signal_module \
                ngx_meet_rtp_stream_module
SOURCES      := config $(shell find ngx_meet_core ngx_meet_routing_module \
                  ngx_meet_signal_module ngx_meet_rtp_stream_module \
                  -name '*.[ch]' -o -name '*.proto' 2>/dev/null)

# sanitizer runtime preloaded into the stock nginx for the asan suite
ASAN_CFLAGS  := -fsanitize=address,undefined -fno-omit-frame-pointer \
                -fno-sanitize-recover=undefined -O1 -g
ASAN_PRELOAD  = $(shell gcc -print-file-name=libasan.so) \
                $(shell gcc -print-file-name=libubsan.so)

.PHONY: all modules deps run test asan test-asan test-valgrind static \
        test-static install clean unit fuzz node-deps browser-bundle

all: modules

deps:
	@bash scripts/install-deps.sh build

modules: $(BUILD)/modules/.built

$(BUILD)/modules/.built: $(SOURCES) scripts/build-modules.sh \
                         scripts/build-libsrtp.sh
	@bash scripts/install-deps.sh build
	bash scripts/build-modules.sh "$(BUILD)/nginx" "$(BUILD)/modules" ""
	@touch $@

asan: $(BUILD)/asan/modules/.built

$(BUILD)/asan/modules/.built: $(SOURCES) scripts/build-modules.sh \
                              scripts/build-libsrtp.sh
	@bash scripts/install-deps.sh build
	bash scripts/build-modules.sh "$(BUILD)/asan/nginx" \
	    "$(BUILD)/asan/modules" "$(ASAN_CFLAGS)"
	@touch $@

run: modules
	bash scripts/run-dev.sh

test: node-deps
	@bash scripts/install-deps.sh test
	$(MAKE) modules
	$(PROVE) $(PROVE_FLAGS) $(TESTS)

test-asan: node-deps
	@bash scripts/install-deps.sh test
	$(MAKE) asan
	TEST_NGINX_MODULES=$(BUILD)/asan/modules \
	TEST_NGINX_PRELOAD="$(ASAN_PRELOAD)" \
	    $(PROVE) $(PROVE_FLAGS) $(TESTS)

test-valgrind: node-deps
	@bash scripts/install-deps.sh test
	$(MAKE) modules
	TEST_NGINX_VALGRIND=leak $(PROVE) $(PROVE_FLAGS) $(TESTS)

static: $(BUILD)/static/nginx

$(BUILD)/static/nginx: $(SOURCES) scripts/build-static.sh \
                       scripts/build-libsrtp.sh
	@bash scripts/install-deps.sh build
	bash scripts/build-static.sh "$(BUILD)/static"

test-static: static node-deps
	TEST_NGINX_BINARY=$(BUILD)/static/nginx TEST_NGINX_MODULES=static \
	    $(PROVE) $(PROVE_FLAGS) $(TESTS)

install: modules
	install -m 0644 $(addprefix $(BUILD)/modules/,$(addsuffix .so,$(MODULES))) \
	    /usr/lib/nginx/modules/

clean:
	rm -rf $(BUILD)


# C unit tests and libFuzzer targets (scripts/build-unit.sh): every
# t/unit/test_*.c -> build/unit/ (gcc, ASan + UBSan), every t/fuzz/fuzz_*.c
# -> build/fuzz/ (clang, libFuzzer + ASan + UBSan).  A test lists the
# sources it links in a "/* sources: dir/file.c ... */" line at its top.
# t/unit.t and t/fuzz.t build and run them under prove.

unit:
	@bash scripts/build-unit.sh unit "$(BUILD)/unit"

fuzz:
	@bash scripts/build-unit.sh fuzz "$(BUILD)/fuzz"


# Node.js test packages (t/node: livekit-client, @livekit/protocol,
# livekit-server-sdk, ws, playwright-core, esbuild; exact versions in
# t/node/package-lock.json) -> t/node/node_modules, installed again when the
# lock file is newer.  Node itself comes from scripts/install-deps.sh
# (Debian's nodejs/npm only when no node is on PATH).
# browser-bundle: livekit-client bundled with esbuild for the browser tests
# -> t/node/build/livekit-client.js (t/browser/*.t also build it on demand).

NODE_DIR := $(REPO)/t/node

node-deps: $(NODE_DIR)/node_modules/.installed

$(NODE_DIR)/node_modules/.installed: $(NODE_DIR)/package-lock.json \
                                     $(NODE_DIR)/package.json
	@command -v node >/dev/null 2>&1 || bash scripts/install-deps.sh test
	@command -v npm >/dev/null 2>&1 || { echo "node-deps: npm is missing" >&2; exit 1; }
	cd $(NODE_DIR) && npm ci --no-audit --no-fund
	@touch $@

browser-bundle: node-deps
	cd $(NODE_DIR) && node build-bundle.mjs
