# qemu-device/qemu.mk - make fragment for QEMU with the sushi-accel device.
# Included by the top-level Makefile.  `make qemu` builds (incrementally)
# $(SUSHI_CACHE)/qemu-build/qemu-system-x86_64 and the qtest from Debian's
# QEMU source package; `make qemu-test` runs the qtests.

.PHONY: qemu qemu-test

qemu:
	@qemu-device/build-qemu.sh

qemu-test: qemu
	@qemu-device/run-qtest.sh
