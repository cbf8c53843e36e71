# driver/driver.mk - make fragment for the kernel half of SUSHI: the sushi.ko
# module (built against the cached Debian 6.12 headers), the in-guest
# kselftests, the QEMU guest harness and the style checks.  Included by the
# top-level Makefile, which provides BUILD, SUSHI_CACHE, CC and WARN.
#
#   make module       build $(BUILD)/kmod/driver/sushi.ko (no warnings allowed)
#   make guest-test   module + kselftests -> initramfs -> boot QEMU, run them
#   make guest-info   boot QEMU, load the driver, print what the device reports
#   make guest-serve  boot QEMU, load the driver, serve a query trace on the
#                     device with `sushictl serve` (GUEST_SERVE_ARGS)
#   make guest-sushid sushid's in-guest test on 2 and 4 devices
#   make guest-loadgen sushid on 2 devices, `sushictl loadgen` against it
#   make driver-lint  checkpatch.pl --strict and sparse on every driver file
#
# QEMU: $(SUSHI_QEMU) (default $(SUSHI_CACHE)/qemu-build/qemu-system-x86_64).

GUEST_DIR	:= tools/guest
KSELFTEST_DIR	:= tests/kselftest
GUEST_BUILD	:= $(BUILD)/guest
SUSHI_KENV	:= $(SUSHI_CACHE)/kernel/current.env
SUSHI_KO	:= $(BUILD)/kmod/driver/sushi.ko

# In the order the guest runs them.
GUEST_TESTS	:= sushi_core_test sushi_query_test sushi_bo_test \
		   sushi_program_test sushi_launch_test sushi_pb_test \
		   sushi_fence_test sushi_growth_test sushi_sram_test \
		   sushi_reset_test sushi_unbind_test \
		   libsushi_device_test sushictl_info_test libsushi_netdev_test \
		   sushictl_serve_test libsushi_runtime_test
# Tests linked with the model library (reference compute, cost model).
GUEST_MODEL_TESTS := sushi_core_test sushi_bo_test sushi_program_test sushi_launch_test \
		   sushi_pb_test sushi_fence_test sushi_growth_test \
		   sushi_sram_test sushi_reset_test sushi_unbind_test \
		   sushi_hotplug_test
# Serving on several devices (the runtime, sushictl serve against eval):
# a run with 2 devices and one with 4 (run-guest.sh's SUSHI_GUEST_NDEV).
GUEST_FLEET_TESTS := libsushi_runtime_test sushictl_serve_test
GUEST_FLEET_SIZES := 2 4
# Tests that need a job visibly in flight run again on a device with a slow
# clock (the device model computes a job before the guest runs on; see
# tests/kselftest/sushi_net.h).
GUEST_SLOW_TESTS := sushi_launch_test sushi_fence_test sushi_reset_test \
		   sushi_unbind_test libsushi_device_test
GUEST_SLOW_DEVICE := sushi-accel,clock-hz=1000000
# The ablation without an activation SRAM (every tensor through DRAM): the
# tests whose device = model equalities depend on the dataflow.
GUEST_SRAM0_TESTS := sushi_sram_test sushi_launch_test libsushi_netdev_test \
		   sushictl_serve_test
GUEST_SRAM0_DEVICE := sushi-accel,act-sram-bytes=0
# PCIe hot-unplug and re-plug by the host (run-guest.sh's hotplug mode: the
# device behind a hotplug root port, a host agent at QEMU's monitor), with
# queued work on the slow clock.
GUEST_HOTPLUG_TESTS := sushi_hotplug_test
GUEST_TEST_BINS	:= $(addprefix $(GUEST_BUILD)/bin/,$(GUEST_TESTS) \
		   $(GUEST_HOTPLUG_TESTS))
SUSHI_INFO_BIN	:= $(GUEST_BUILD)/bin/sushi-info

# kselftest_harness.h comes from the cached linux-source (fetch-kernel.sh);
# it is a system header here so that -Wextra applies to our code only.  Its
# FIXTURE_SETUP/TEARDOWN macros define global functions without prototypes.
GUEST_CFLAGS	:= -std=c11 -D_GNU_SOURCE -O2 -g \
		   $(filter-out -Wmissing-prototypes,$(WARN)) \
		   -I$(KSELFTEST_DIR) -Iuapi/drm -Ihw -Iqemu-device/model \
		   -I/usr/include/libdrm
GUEST_HDRS	:= $(KSELFTEST_DIR)/sushi_test.h $(KSELFTEST_DIR)/sushi_util.h \
		   uapi/drm/sushi_accel.h hw/sushi_accel_hw.h

# Files checkpatch.pl --strict must pass.
DRIVER_STYLE_FILES := $(wildcard driver/*.[ch]) uapi/drm/sushi_accel.h \
		   qemu-device/model/layer_check.c \
		   qemu-device/model/sushi_layer_check.h \
		   qemu-device/model/host_cost.c \
		   qemu-device/model/sushi_host_cost.h \
		   qemu-device/model/sushi_sat.h \
		   $(wildcard $(KSELFTEST_DIR)/*.[ch]) $(GUEST_DIR)/sushi-info.c

# The guest runs the QEMU that qemu-device/qemu.mk builds (target `qemu`)
# unless SUSHI_QEMU names another binary.
ifeq ($(SUSHI_QEMU),)
GUEST_QEMU_DEP	:= qemu
endif

.PHONY: kernel-fetch guest-deps module guest-bins guest-test guest-info guest-serve \
	driver-lint checkpatch module-sparse

kernel-fetch:
	@$(GUEST_DIR)/fetch-kernel.sh >/dev/null

guest-deps:
	@tools/setup/apt-deps.sh gcc make libc6-dev libdrm-dev

module: kernel-fetch
	@$(GUEST_DIR)/build-module.sh

$(GUEST_BUILD)/bin/sushi_query_test: $(KSELFTEST_DIR)/sushi_query_test.c \
		qemu-device/model/config.c $(GUEST_HDRS) | kernel-fetch guest-deps
	@mkdir -p $(@D)
	. $(SUSHI_KENV) && $(CC) $(GUEST_CFLAGS) \
		-isystem "$$SUSHI_KSRC/tools/testing/selftests" \
		-o $@ $< qemu-device/model/config.c

$(addprefix $(GUEST_BUILD)/bin/,$(GUEST_MODEL_TESTS)): $(GUEST_BUILD)/bin/%: \
		$(KSELFTEST_DIR)/%.c $(MODEL_LIB) $(GUEST_HDRS) | kernel-fetch guest-deps
	@mkdir -p $(@D)
	. $(SUSHI_KENV) && $(CC) $(GUEST_CFLAGS) \
		-isystem "$$SUSHI_KSRC/tools/testing/selftests" \
		-o $@ $< $(MODEL_LIB) -lpthread

# helpers the in-guest libsushi/sushictl tests share
GUEST_LS_HDRS	:= tests/guest-libsushi/guest_tap.h tests/guest-libsushi/guest_util.h

# libsushi's device layer through its public API (TAP, links libdrm and the
# model library for the reference outputs and costs)
$(GUEST_BUILD)/bin/libsushi_device_test: \
		tests/guest-libsushi/libsushi_device_test.c $(GUEST_LS_HDRS) $(LS_DEV) \
		$(MODEL_LIB) libsushi/include/sushi/device.h | guest-deps
	@mkdir -p $(@D)
	$(CC) $(CSTD) -D_GNU_SOURCE -O2 -g $(WARN) -Ilibsushi/include \
		$(MODEL_INC) -o $@ $< $(LS_DEV) $(MODEL_LIB) -ldrm -lpthread

# a SuperNet on the device through libsushi's netdev (TAP; the SuperNet and
# the image sample are initramfs data files, /bin/sushictl runs as a child)
$(GUEST_BUILD)/bin/libsushi_netdev_test: \
		tests/guest-libsushi/libsushi_netdev_test.c $(GUEST_LS_HDRS) \
		$(LS_DEV) $(LS_CORE) \
		$(MODEL_LIB) $(LS_HDRS) | guest-deps
	@mkdir -p $(@D)
	$(CC) $(CSTD) -D_GNU_SOURCE -O2 -g $(WARN) -Ilibsushi/include \
		$(MODEL_INC) -o $@ $< $(LS_DEV) $(LS_CORE) $(MODEL_LIB) -lcjson \
		-ldrm -lm -lpthread

# runs /bin/sushictl (an extra initramfs binary) and checks it against
# libsushi's view of the device
$(GUEST_BUILD)/bin/sushictl_info_test: \
		tests/guest-libsushi/sushictl_info_test.c $(GUEST_LS_HDRS) $(LS_DEV) \
		libsushi/include/sushi/device.h | guest-deps
	@mkdir -p $(@D)
	$(CC) $(CSTD) -O2 -g $(WARN) -Ilibsushi/include $(MODEL_INC) -o $@ $< \
		$(LS_DEV) -lcjson -ldrm

# runs /bin/sushictl serve and eval on the same traces and compares them,
# counting the right predictions itself with the model library's compute
$(GUEST_BUILD)/bin/sushictl_serve_test: \
		tests/guest-libsushi/sushictl_serve_test.c $(GUEST_LS_HDRS) \
		$(LS_DEV) $(LS_CORE) $(MODEL_LIB) $(LS_HDRS) | guest-deps
	@mkdir -p $(@D)
	$(CC) $(CSTD) -D_GNU_SOURCE -O2 -g $(WARN) -Ilibsushi/include \
		$(MODEL_INC) -o $@ $< $(LS_DEV) $(LS_CORE) $(MODEL_LIB) -lcjson \
		-ldrm -lm -lpthread

$(GUEST_BUILD)/bin/%: $(KSELFTEST_DIR)/%.c $(GUEST_HDRS) | kernel-fetch guest-deps
	@mkdir -p $(@D)
	. $(SUSHI_KENV) && $(CC) $(GUEST_CFLAGS) \
		-isystem "$$SUSHI_KSRC/tools/testing/selftests" -o $@ $<

$(SUSHI_INFO_BIN): $(GUEST_DIR)/sushi-info.c $(GUEST_HDRS) | guest-deps
	@mkdir -p $(@D)
	$(CC) $(GUEST_CFLAGS) -o $@ $<

# the serving runtime through its public API, and the example program it
# runs (Documentation/examples/serve_images.c, built as a user would: the
# public headers and the static libsushi.a)
$(GUEST_BUILD)/bin/libsushi_runtime_test: \
		tests/guest-libsushi/libsushi_runtime_test.c $(GUEST_LS_HDRS) \
		$(LS_DEV) $(LS_CORE) $(MODEL_LIB) $(LS_HDRS) | guest-deps
	@mkdir -p $(@D)
	$(CC) $(CSTD) -D_GNU_SOURCE -O2 -g $(WARN) -Ilibsushi/include \
		$(MODEL_INC) -o $@ $< $(LS_DEV) $(LS_CORE) $(MODEL_LIB) -lcjson \
		-ldrm -lm -lpthread

EXAMPLE_BIN	:= $(GUEST_BUILD)/bin/serve_images
$(EXAMPLE_BIN): Documentation/examples/serve_images.c $(LS_A) $(LS_HDRS) | guest-deps
	@mkdir -p $(@D)
	$(CC) $(CSTD) -O2 $(WARN) -Ilibsushi/include $(MODEL_INC) -o $@ $< \
		$(LS_A) -ldrm -lcjson -lm -lpthread

guest-bins: $(GUEST_TEST_BINS) $(SUSHI_INFO_BIN) $(CTL_OUT)/sushictl $(EXAMPLE_BIN)

# The INTx fallback (pci=nomsi) with the query and launch tests (job
# completions through the shared line), every kselftest with MSI-X, the
# in-flight tests on a slow device clock, the dataflow tests without an
# activation SRAM, and hot-unplug by the host; the probe's NOP self-test
# needs a working interrupt either way.
guest-test: module guest-bins $(GUEST_QEMU_DEP) guest-fleet guest-sushid
	@$(GUEST_DIR)/mkinitramfs.sh -o $(GUEST_BUILD)/test.cpio -m test \
		-k $(SUSHI_KO) \
		$(addprefix -t $(GUEST_BUILD)/bin/,$(GUEST_TESTS)) \
		-b $(SUSHI_INFO_BIN) -b $(CTL_OUT)/sushictl -b $(EXAMPLE_BIN) \
		$(addprefix -d ,$(GUEST_DATA))
	@$(GUEST_DIR)/mkinitramfs.sh -o $(GUEST_BUILD)/test-intx.cpio -m test \
		-k $(SUSHI_KO) -t $(GUEST_BUILD)/bin/sushi_query_test \
		-t $(GUEST_BUILD)/bin/sushi_launch_test
	@echo "guest-test: INTx fallback (pci=nomsi)"
	@SUSHI_GUEST_APPEND="pci=nomsi $(SUSHI_GUEST_APPEND)" \
		SUSHI_GUEST_EXPECT='\[drm\] SushiAccel .* INTx x1' \
		SUSHI_GUEST_LOG=$(GUEST_BUILD)/console-intx.log SUSHI_GUEST_QUIET=1 \
		$(GUEST_DIR)/run-guest.sh $(GUEST_BUILD)/test-intx.cpio
	@echo "guest-test: all kselftests (MSI-X)"
	@SUSHI_GUEST_EXPECT='\[drm\] SushiAccel .* MSI-X x2' \
		$(GUEST_DIR)/run-guest.sh $(GUEST_BUILD)/test.cpio
	@$(GUEST_DIR)/mkinitramfs.sh -o $(GUEST_BUILD)/test-slow.cpio -m test \
		-k $(SUSHI_KO) \
		$(addprefix -t $(GUEST_BUILD)/bin/,$(GUEST_SLOW_TESTS))
	@echo "guest-test: jobs in flight ($(GUEST_SLOW_DEVICE))"
	@SUSHI_QEMU_DEVICE=$(GUEST_SLOW_DEVICE) \
		SUSHI_GUEST_LOG=$(GUEST_BUILD)/console-slow.log \
		$(GUEST_DIR)/run-guest.sh $(GUEST_BUILD)/test-slow.cpio
	@$(GUEST_DIR)/mkinitramfs.sh -o $(GUEST_BUILD)/test-sram0.cpio -m test \
		-k $(SUSHI_KO) \
		$(addprefix -t $(GUEST_BUILD)/bin/,$(GUEST_SRAM0_TESTS)) \
		-b $(CTL_OUT)/sushictl $(addprefix -d ,$(GUEST_DATA))
	@echo "guest-test: no activation SRAM ($(GUEST_SRAM0_DEVICE))"
	@SUSHI_QEMU_DEVICE=$(GUEST_SRAM0_DEVICE) \
		SUSHI_GUEST_LOG=$(GUEST_BUILD)/console-sram0.log \
		$(GUEST_DIR)/run-guest.sh $(GUEST_BUILD)/test-sram0.cpio
	@$(GUEST_DIR)/mkinitramfs.sh -o $(GUEST_BUILD)/test-hotplug.cpio -m test \
		-k $(SUSHI_KO) \
		$(addprefix -t $(GUEST_BUILD)/bin/,$(GUEST_HOTPLUG_TESTS))
	@echo "guest-test: PCIe hot-unplug and re-plug ($(GUEST_SLOW_DEVICE))"
	@SUSHI_QEMU_DEVICE=$(GUEST_SLOW_DEVICE) SUSHI_GUEST_HOTPLUG=1 \
		SUSHI_GUEST_LOG=$(GUEST_BUILD)/console-hotplug.log \
		$(GUEST_DIR)/run-guest.sh $(GUEST_BUILD)/test-hotplug.cpio

# serving on 2 and 4 devices
.PHONY: guest-fleet
guest-fleet: module guest-bins $(GUEST_QEMU_DEP)
	@$(GUEST_DIR)/mkinitramfs.sh -o $(GUEST_BUILD)/test-fleet.cpio -m test \
		-k $(SUSHI_KO) \
		$(addprefix -t $(GUEST_BUILD)/bin/,$(GUEST_FLEET_TESTS)) \
		-b $(CTL_OUT)/sushictl -b $(EXAMPLE_BIN) $(addprefix -d ,$(GUEST_DATA))
	@set -e; for n in $(GUEST_FLEET_SIZES); do \
		echo "guest-test: serving on $$n devices"; \
		SUSHI_GUEST_NDEV=$$n SUSHI_GUEST_LOG=$(GUEST_BUILD)/console-fleet$$n.log \
			$(GUEST_DIR)/run-guest.sh $(GUEST_BUILD)/test-fleet.cpio; \
	done

# sushid on 2 and 4 devices: the daemon as a child of the test, client
# processes, malformed frames, a reset under load, overload, memory
# (tests/guest-libsushi/sushid_test.c, Documentation/sushid.rst)
SUSHID_GUEST_SIZES := 2 4
$(GUEST_BUILD)/bin/sushid_test: tests/guest-libsushi/sushid_test.c $(GUEST_LS_HDRS) \
		libsushi/tests/raw_client.h $(LS_DEV) $(LS_CORE) $(MODEL_LIB) $(LS_HDRS) | guest-deps
	@mkdir -p $(@D)
	$(CC) $(CSTD) -D_GNU_SOURCE -O2 -g $(WARN) -Ilibsushi/include -Ilibsushi/src \
		-Ilibsushi/tests $(MODEL_INC) -o $@ $< $(LS_DEV) $(LS_CORE) $(MODEL_LIB) \
		-lcjson -ldrm -lm -lpthread

.PHONY: guest-sushid
guest-sushid: module $(GUEST_BUILD)/bin/sushid_test $(SUSHID_OUT)/sushid $(CTL_OUT)/sushictl \
		$(GUEST_QEMU_DEP)
	@$(GUEST_DIR)/mkinitramfs.sh -o $(GUEST_BUILD)/test-sushid.cpio -m test \
		-k $(SUSHI_KO) -t $(GUEST_BUILD)/bin/sushid_test \
		-b $(SUSHID_OUT)/sushid -b $(CTL_OUT)/sushictl $(addprefix -d ,$(GUEST_DATA))
	@set -e; for n in $(SUSHID_GUEST_SIZES); do \
		echo "guest-test: sushid on $$n devices"; \
		SUSHI_GUEST_NDEV=$$n SUSHI_GUEST_LOG=$(GUEST_BUILD)/console-sushid$$n.log \
			$(GUEST_DIR)/run-guest.sh $(GUEST_BUILD)/test-sushid.cpio; \
	done

# make run's last part: sushid on two devices and `sushictl loadgen`
# against it (GUEST_LOADGEN_ARGS), its table printed; then SIGTERM
GUEST_LOADGEN_ARGS ?= --rate 40 --duration 5 --ceiling-us 50000
.PHONY: guest-loadgen
guest-loadgen: module $(SUSHID_OUT)/sushid $(CTL_OUT)/sushictl $(GUEST_QEMU_DEP)
	@echo; echo "== sushid on two devices in the guest, sushictl loadgen $(GUEST_LOADGEN_ARGS)"
	@$(GUEST_DIR)/mkinitramfs.sh -o $(GUEST_BUILD)/loadgen.cpio -m cmd \
		-k $(SUSHI_KO) -b $(SUSHID_OUT)/sushid -b $(CTL_OUT)/sushictl \
		-b tools/sushid/guest-loadgen.sh $(addprefix -d ,$(GUEST_DATA)) \
		-c "/bin/guest-loadgen.sh $(GUEST_LOADGEN_ARGS)" 2>/dev/null
	@SUSHI_GUEST_NDEV=2 SUSHI_GUEST_LOG=$(GUEST_BUILD)/console-loadgen.log \
		$(GUEST_DIR)/run-guest.sh $(GUEST_BUILD)/loadgen.cpio

guest-info: module $(SUSHI_INFO_BIN) $(GUEST_QEMU_DEP)
	@$(GUEST_DIR)/mkinitramfs.sh -o $(GUEST_BUILD)/info.cpio -m info \
		-k $(SUSHI_KO) -b $(SUSHI_INFO_BIN)
	@$(GUEST_DIR)/run-guest.sh $(GUEST_BUILD)/info.cpio

# The data files a guest SuperNet run reads (as /data/NAME).
GUEST_DATA	:= tools/supernet/data/fmnist-supernet.safetensors \
		   tools/supernet/data/fmnist-test-1000-images.idx \
		   tools/supernet/data/fmnist-test-1000-labels.idx
GUEST_SERVE_ARGS ?= --trace phased -n 10000 --policy sushi,no-pb
guest-serve: module $(CTL_OUT)/sushictl $(GUEST_QEMU_DEP)
	@echo; echo "== sushictl serve on the device in the guest ($(GUEST_SERVE_ARGS))"
	@$(GUEST_DIR)/mkinitramfs.sh -o $(GUEST_BUILD)/serve.cpio -m cmd \
		-k $(SUSHI_KO) -b $(CTL_OUT)/sushictl $(addprefix -d ,$(GUEST_DATA)) \
		-c "/bin/sushictl serve --supernet /data/fmnist-supernet.safetensors \
		--images /data/fmnist-test-1000-images.idx \
		--labels /data/fmnist-test-1000-labels.idx $(GUEST_SERVE_ARGS)"
	@SUSHI_GUEST_LOG=$(GUEST_BUILD)/console-serve.log \
		$(GUEST_DIR)/run-guest.sh $(GUEST_BUILD)/serve.cpio

checkpatch: kernel-fetch
	@$(GUEST_DIR)/checkpatch.sh $(DRIVER_STYLE_FILES)

module-sparse: kernel-fetch
	@SPARSE=1 $(GUEST_DIR)/build-module.sh

driver-lint: checkpatch module-sparse
