# qemu-device/qemu.mk - make fragment for QEMU with the sushi-accel device.
# Included by the top-level Makefile.  `make qemu` builds (incrementally)
# $(SUSHI_CACHE)/qemu-build/qemu-system-x86_64 and the qtests from Debian's
# QEMU source package; `make qemu-test` runs the qtests; `make
# qemu-fuzz-san` builds the same QEMU with ASan and UBSan in its own
# directory and runs the fuzz qtest under it for QEMU_FUZZ_SECONDS.

QEMU_FUZZ_SECONDS ?= 60

.PHONY: qemu qemu-test qemu-san qemu-fuzz-san

qemu:
	@qemu-device/build-qemu.sh

qemu-test: qemu
	@qemu-device/run-qtest.sh

qemu-san:
	@SUSHI_QEMU_SAN=1 qemu-device/build-qemu.sh

qemu-fuzz-san: qemu-san
	@SUSHI_FUZZ_SECONDS=$(QEMU_FUZZ_SECONDS) qemu-device/run-fuzz-san.sh
