# SUSHI top-level Makefile: the two commands (make run, make test) and the
# component targets.  Builds of our own code go to build/; downloads and
# large third-party builds (QEMU, kernel packages) go to $(SUSHI_CACHE).

SHELL := /bin/bash
SUSHI_CACHE ?= $(HOME)/.cache/sushi
BUILD       ?= $(CURDIR)/build
export SUSHI_CACHE BUILD

CC      ?= cc
CSTD    := -std=c11 -D_DEFAULT_SOURCE
WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
OPT     ?= -O2 -g
SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

HOST_DEPS := gcc make libc6-dev python3 python3-numpy valgrind libcjson-dev clang libclang-rt-14-dev \
             libdrm-dev pkg-config binutils python3-docutils python3-torch

.PHONY: all deps test run bench clean host-test install
all: model

deps:
	@tools/setup/apt-deps.sh $(HOST_DEPS)

include qemu-device/model/model.mk
include libsushi/libsushi.mk
include tools/supernet/supernet.mk
include tools/sushictl/sushictl.mk
include tools/sushid/sushid.mk
include qemu-device/qemu.mk
include driver/driver.mk
include tests/fuzz-driver/fuzz.mk
include tools/guest/debug-kernel.mk

test: deps host-test qemu-test qemu-fuzz-san guest-test guest-fuzz driver-lint guest-test-debug \
      guest-robust-debug
	@echo "make test: all suites passed"

host-test: model-test libsushi-test mutation-test supernet-files-test sushictl-test sushid-test fuzz-supernet supernet-py-test supernet-catalog-test supernet-net-test \
           supernet-import-test libsushi-install-test docs-test

# every reStructuredText document renders without a warning
.PHONY: docs-test
docs-test:
	@tests/docs/check-rst.py Documentation

# The main job: boot the guest with the driver and show the device; serve a
# query stream on the device through the driver with SushiSched deciding per
# query (guest-serve: `sushictl serve`, sushi and no-pb, GUEST_SERVE_ARGS);
# the model library's demo; then the same kind of stream through SushiSched
# and every baseline on the modelled SushiAccel (`sushictl eval`); then
# sushid on two devices in the guest under `sushictl loadgen`
# (guest-loadgen).  Any failure (including a device cost the model did not
# predict) fails the run.
RUN_SUPERNET = $(or $(wildcard tools/supernet/data/fmnist-supernet.safetensors),$(OFA50))
run: deps guest-info guest-serve model-demo sushictl $(RUN_SUPERNET)
	@echo; echo "== the model library on a built-in ResNet-style block"
	@$(BUILD)/model/sushi-model-demo
	@echo; echo "== SushiSched serving 10000 queries (phased demand) from $(notdir $(RUN_SUPERNET))"
	@$(BUILD)/sushictl/sushictl eval --supernet $(RUN_SUPERNET) --trace phased -n 10000
	@$(MAKE) --no-print-directory guest-loadgen

# libsushi (shared + static, headers, pkg-config), sushictl and its man
# page, sushid with its systemd unit, under $(DESTDIR)$(PREFIX) (default
# /usr/local)
install: libsushi-install sushictl sushid-install
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 0755 $(BUILD)/sushictl/sushictl $(DESTDIR)$(PREFIX)/bin/
	install -m 0644 Documentation/man/sushictl.1 $(DESTDIR)$(PREFIX)/share/man/man1/

bench: deps model-bench-qemu

clean:
	rm -rf $(BUILD)
