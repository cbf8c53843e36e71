# tests/fuzz-driver/fuzz.mk - make fragment for the driver's robustness
# tests: the fault-injection walk (tests/kselftest/sushi_failnth_test.c) and
# sushi-fuzz, the structure-aware ioctl fuzzer (tests/fuzz-driver/).
# Included by the top-level Makefile after driver/driver.mk (GUEST_CFLAGS,
# GUEST_DIR, GUEST_BUILD, SUSHI_KO, MODEL_LIB).
#
#   make guest-failnth    boot the guest and walk every ioctl with fail-nth
#                         (SKIPs, with the reason, on a kernel without
#                         CONFIG_FAULT_INJECTION such as Debian's)
#   make guest-fuzz       boot the guest and fuzz for FUZZ_SECONDS (90):
#                         2 processes x 2 threads, every core ioctl number
#                         (part of make test)
#   make guest-fuzz-long  FUZZ_LONG_SECONDS (1800), 4 processes x 3
#                         threads, also sysfs unbind/rebind every 30 s and
#                         jobs that run into the driver's timeout
#   make guest-repro      the reproducers of what the fuzzer found
#   make guest-failnth-debug, guest-fuzz-debug (guest-robust-debug: both)
#                         the walk and the 90 s run on the debug kernel
#                         lane (part of make test)
#
# FUZZ_SEED (default: new each run, printed; the run prints the command
# that replays it), FUZZ_ARGS (more sushi-fuzz options, e.g. --known-bugs;
# sushi-fuzz --help).  tests/fuzz-driver/kenv-run.sh runs the walk or the
# fuzzer on any kernel env file.  Documentation:
# Documentation/driver/fuzzing.rst.

FUZZ_DIR	:= tests/fuzz-driver
FUZZ_BIN	:= $(GUEST_BUILD)/bin/sushi-fuzz
FAILNTH_BIN	:= $(GUEST_BUILD)/bin/sushi_failnth_test
DFUZZ_SRCS	:= $(wildcard $(FUZZ_DIR)/*.c)
DFUZZ_HDRS	:= $(wildcard $(FUZZ_DIR)/*.h) $(GUEST_HDRS) \
		   $(KSELFTEST_DIR)/sushi_net.h
FUZZ_SECONDS	?= 90
FUZZ_LONG_SECONDS ?= 1800
FUZZ_SEED	?=
FUZZ_ARGS	?=
FUZZ_SHORT_OPTS	:= -p 2 -T 2 --core-all
FUZZ_LONG_OPTS	:= -p 4 -T 3 --core-all --unbind=30 --timeouts

.PHONY: guest-failnth guest-fuzz guest-fuzz-long

$(FAILNTH_BIN): $(KSELFTEST_DIR)/sushi_failnth_test.c \
		$(KSELFTEST_DIR)/sushi_net.h $(MODEL_LIB) $(GUEST_HDRS) | \
		kernel-fetch guest-deps
	@mkdir -p $(@D)
	. $(SUSHI_KENV) && $(CC) $(GUEST_CFLAGS) \
		-isystem "$$SUSHI_KSRC/tools/testing/selftests" \
		-o $@ $< $(MODEL_LIB) -lpthread

$(FUZZ_BIN): $(DFUZZ_SRCS) $(DFUZZ_HDRS) $(MODEL_LIB) | guest-deps
	@mkdir -p $(@D)
	$(CC) $(CSTD) -D_GNU_SOURCE -O2 -g $(WARN) -I$(FUZZ_DIR) \
		-I$(KSELFTEST_DIR) -Iuapi/drm -Ihw -Iqemu-device/model \
		-I/usr/include/libdrm -o $@ $(DFUZZ_SRCS) $(MODEL_LIB) -lpthread

guest-failnth: module $(FAILNTH_BIN) $(GUEST_QEMU_DEP)
	@$(GUEST_DIR)/mkinitramfs.sh -o $(GUEST_BUILD)/failnth.cpio -m test \
		-k $(SUSHI_KO) -t $(FAILNTH_BIN)
	@echo "guest-failnth: fail-nth walk over every ioctl"
	@SUSHI_GUEST_LOG=$(GUEST_BUILD)/console-failnth.log \
		SUSHI_GUEST_TIMEOUT=$${SUSHI_GUEST_TIMEOUT:-3600} \
		$(GUEST_DIR)/run-guest.sh $(GUEST_BUILD)/failnth.cpio

# The short run of make test: 2 processes x 2 threads for FUZZ_SECONDS on
# a device with a slow clock (jobs stay in flight while files close, BOs
# are unmapped, handles are destroyed).  The long run adds processes.
FUZZ_DEVICE	?= sushi-accel,clock-hz=1000000
FUZZ_RUN	= /bin/sushi-fuzz $(if $(FUZZ_SEED),-s $(FUZZ_SEED))

guest-fuzz: module $(FUZZ_BIN) $(GUEST_QEMU_DEP)
	@$(GUEST_DIR)/mkinitramfs.sh -o $(GUEST_BUILD)/fuzz.cpio -m cmd \
		-k $(SUSHI_KO) -b $(FUZZ_BIN) \
		-c "$(FUZZ_RUN) -t $(FUZZ_SECONDS) $(FUZZ_SHORT_OPTS) $(FUZZ_ARGS)"
	@echo "guest-fuzz: sushi-fuzz for $(FUZZ_SECONDS) s ($(FUZZ_DEVICE))"
	@SUSHI_QEMU_DEVICE=$(FUZZ_DEVICE) \
		SUSHI_GUEST_LOG=$(GUEST_BUILD)/console-fuzz.log \
		SUSHI_GUEST_TIMEOUT=$$(( $(FUZZ_SECONDS) + 600 )) \
		$(GUEST_DIR)/run-guest.sh $(GUEST_BUILD)/fuzz.cpio

guest-fuzz-long: module $(FUZZ_BIN) $(GUEST_QEMU_DEP)
	@$(GUEST_DIR)/mkinitramfs.sh -o $(GUEST_BUILD)/fuzz-long.cpio -m cmd \
		-k $(SUSHI_KO) -b $(FUZZ_BIN) \
		-c "$(FUZZ_RUN) -t $(FUZZ_LONG_SECONDS) $(FUZZ_LONG_OPTS) $(FUZZ_ARGS)"
	@echo "guest-fuzz-long: sushi-fuzz for $(FUZZ_LONG_SECONDS) s ($(FUZZ_DEVICE))"
	@SUSHI_QEMU_DEVICE=$(FUZZ_DEVICE) \
		SUSHI_GUEST_LOG=$(GUEST_BUILD)/console-fuzz-long.log \
		SUSHI_GUEST_TIMEOUT=$$(( $(FUZZ_LONG_SECONDS) + 900 )) \
		$(GUEST_DIR)/run-guest.sh $(GUEST_BUILD)/fuzz-long.cpio

# Minimal reproducers of what sushi-fuzz found (tests/fuzz-driver/repro/):
# each prints what it sees and exits 1 while its bug is present.  Not part
# of make test; make guest-repro runs them all in one boot.
REPRO_SRCS	:= $(wildcard $(FUZZ_DIR)/repro/repro_*.c)
REPRO_BINS	:= $(patsubst $(FUZZ_DIR)/repro/%.c,$(GUEST_BUILD)/bin/%,$(REPRO_SRCS))

$(REPRO_BINS): $(GUEST_BUILD)/bin/%: $(FUZZ_DIR)/repro/%.c \
		$(FUZZ_DIR)/repro/repro.h $(KSELFTEST_DIR)/sushi_net.h \
		$(GUEST_HDRS) $(MODEL_LIB) | guest-deps
	@mkdir -p $(@D)
	$(CC) $(GUEST_CFLAGS) -I$(FUZZ_DIR)/repro -o $@ $< $(MODEL_LIB)

.PHONY: guest-repro
guest-repro: module $(REPRO_BINS) $(GUEST_QEMU_DEP)
	@$(GUEST_DIR)/mkinitramfs.sh -o $(GUEST_BUILD)/repro.cpio -m cmd \
		-k $(SUSHI_KO) $(addprefix -b ,$(REPRO_BINS)) \
		-c 'rc=0; for r in $(notdir $(REPRO_BINS)); do echo "== $$r"; /bin/$$r; s=$$?; echo "== $$r exit $$s"; [ $$s -eq 0 ] || rc=1; done; exit $$rc'
	@SUSHI_QEMU_DEVICE=$(FUZZ_DEVICE) \
		SUSHI_GUEST_LOG=$(GUEST_BUILD)/console-repro.log \
		SUSHI_GUEST_VERBOSE=$(SUSHI_GUEST_VERBOSE) \
		$(GUEST_DIR)/run-guest.sh $(GUEST_BUILD)/repro.cpio

# The walk and the short fuzz run on the debug kernel lane
# (tools/guest/debug-kernel.mk: KASAN, lockdep, kmemleak, DMA-API debugging,
# fault injection): there the walk runs for real and both end with a
# kmemleak scan.  Part of make test.
.PHONY: guest-failnth-debug guest-fuzz-debug guest-robust-debug
guest-failnth-debug: module-debug $(FAILNTH_BIN) $(GUEST_QEMU_DEP)
	@SUSHI_KENV=$(DEBUG_KENV) $(GUEST_DIR)/mkinitramfs.sh \
		-o $(GUEST_BUILD)/failnth-debug.cpio -m test \
		-k $(SUSHI_KO_DEBUG) -t $(FAILNTH_BIN)
	@echo "guest-failnth-debug: fail-nth walk over every ioctl on the debug kernel"
	@SUSHI_KENV=$(DEBUG_KENV) SUSHI_GUEST_FAULT_INJECTION=1 \
		SUSHI_GUEST_LOG=$(GUEST_BUILD)/console-failnth-debug.log \
		SUSHI_GUEST_TIMEOUT=$${SUSHI_GUEST_TIMEOUT:-3600} \
		$(GUEST_DIR)/run-guest.sh $(GUEST_BUILD)/failnth-debug.cpio

guest-fuzz-debug: module-debug $(FUZZ_BIN) $(GUEST_QEMU_DEP)
	@SUSHI_KENV=$(DEBUG_KENV) $(GUEST_DIR)/mkinitramfs.sh \
		-o $(GUEST_BUILD)/fuzz-debug.cpio -m cmd \
		-k $(SUSHI_KO_DEBUG) -b $(FUZZ_BIN) \
		-c "$(FUZZ_RUN) -t $(FUZZ_SECONDS) $(FUZZ_SHORT_OPTS) $(FUZZ_ARGS)"
	@echo "guest-fuzz-debug: sushi-fuzz for $(FUZZ_SECONDS) s on the debug kernel ($(FUZZ_DEVICE))"
	@SUSHI_KENV=$(DEBUG_KENV) SUSHI_QEMU_DEVICE=$(FUZZ_DEVICE) \
		SUSHI_GUEST_LOG=$(GUEST_BUILD)/console-fuzz-debug.log \
		SUSHI_GUEST_TIMEOUT=$$(( $(FUZZ_SECONDS) + 900 )) \
		$(GUEST_DIR)/run-guest.sh $(GUEST_BUILD)/fuzz-debug.cpio

guest-robust-debug: guest-failnth-debug guest-fuzz-debug
