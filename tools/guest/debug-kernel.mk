# tools/guest/debug-kernel.mk - the debug-kernel lane: Debian's 6.12 source
# built with KASAN, lockdep, kmemleak, fault injection and friends
# (tools/guest/debug-kernel/), and the guest suite run on it.  Included by
# the top-level Makefile after driver/driver.mk, whose variables it uses.
#
#   make debug-kernel      build (or find in $(SUSHI_CACHE)/kernel-debug/)
#                          the debug kernel; writes its env file
#   make module-debug      $(BUILD)/kmod-debug/driver/sushi.ko for it
#   make guest-test-debug  guest-test's MSI-X boot (every kselftest and
#                          in-guest libsushi/sushictl test) on the debug
#                          kernel; fails on any kernel report or kmemleak leak
#
# Documentation/driver/guest-harness.rst describes the lane.

DEBUG_KERNEL_DIR := $(GUEST_DIR)/debug-kernel
DEBUG_KENV	:= $(SUSHI_CACHE)/kernel-debug/current.env
SUSHI_KO_DEBUG	:= $(BUILD)/kmod-debug/driver/sushi.ko

.PHONY: debug-kernel module-debug guest-test-debug

debug-kernel:
	@$(DEBUG_KERNEL_DIR)/build-debug-kernel.sh >/dev/null

module-debug: debug-kernel
	@SUSHI_KENV=$(DEBUG_KENV) $(GUEST_DIR)/build-module.sh

guest-test-debug: module-debug guest-bins $(GUEST_QEMU_DEP)
	@SUSHI_KENV=$(DEBUG_KENV) $(GUEST_DIR)/mkinitramfs.sh \
		-o $(GUEST_BUILD)/test-debug.cpio -m test \
		-k $(SUSHI_KO_DEBUG) \
		$(addprefix -t $(GUEST_BUILD)/bin/,$(GUEST_TESTS)) \
		-b $(SUSHI_INFO_BIN) -b $(CTL_OUT)/sushictl -b $(EXAMPLE_BIN) \
		$(addprefix -d ,$(GUEST_DATA))
	@echo "guest-test-debug: all kselftests (MSI-X) on the debug kernel"
	@SUSHI_KENV=$(DEBUG_KENV) \
		SUSHI_GUEST_EXPECT='\[drm\] SushiAccel .* MSI-X x2' \
		SUSHI_GUEST_LOG=$(GUEST_BUILD)/console-debug.log \
		$(GUEST_DIR)/run-guest.sh $(GUEST_BUILD)/test-debug.cpio
	@SUSHI_KENV=$(DEBUG_KENV) $(GUEST_DIR)/mkinitramfs.sh \
		-o $(GUEST_BUILD)/test-debug-slow.cpio -m test \
		-k $(SUSHI_KO_DEBUG) \
		$(addprefix -t $(GUEST_BUILD)/bin/,$(GUEST_SLOW_TESTS))
	@echo "guest-test-debug: jobs in flight, resets, unbind, timeouts ($(GUEST_SLOW_DEVICE)) on the debug kernel"
	@SUSHI_KENV=$(DEBUG_KENV) SUSHI_QEMU_DEVICE=$(GUEST_SLOW_DEVICE) \
		SUSHI_GUEST_LOG=$(GUEST_BUILD)/console-debug-slow.log \
		$(GUEST_DIR)/run-guest.sh $(GUEST_BUILD)/test-debug-slow.cpio
	@SUSHI_KENV=$(DEBUG_KENV) $(GUEST_DIR)/mkinitramfs.sh \
		-o $(GUEST_BUILD)/test-debug-hotplug.cpio -m test \
		-k $(SUSHI_KO_DEBUG) \
		$(addprefix -t $(GUEST_BUILD)/bin/,$(GUEST_HOTPLUG_TESTS))
	@echo "guest-test-debug: PCIe hot-unplug and re-plug ($(GUEST_SLOW_DEVICE)) on the debug kernel"
	@SUSHI_KENV=$(DEBUG_KENV) SUSHI_QEMU_DEVICE=$(GUEST_SLOW_DEVICE) \
		SUSHI_GUEST_HOTPLUG=1 \
		SUSHI_GUEST_LOG=$(GUEST_BUILD)/console-debug-hotplug.log \
		$(GUEST_DIR)/run-guest.sh $(GUEST_BUILD)/test-debug-hotplug.cpio
