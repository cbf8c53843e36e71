# qemu-device/model/model.mk - builds the SushiAccel model library (host),
# its unit tests (ASan/UBSan and valgrind), golden-vector check, benchmark
# and demo.  Included by the top-level Makefile.

MODEL_DIR  := qemu-device/model
MODEL_OUT  := $(BUILD)/model
MODEL_SRCS := config.c layer_check.c host_cost.c layer_le.c cost.c pb.c isa.c \
              compute.c compute_ref.c compute_avx2.c compute_avx512.c \
              stream.c
MODEL_INC  := -I$(MODEL_DIR) -Ihw
MODEL_CFLAGS = $(CSTD) $(WARN) $(OPT) $(MODEL_INC) -fPIC

MODEL_OBJS     := $(MODEL_SRCS:%.c=$(MODEL_OUT)/obj/%.o)
MODEL_SAN_OBJS := $(MODEL_SRCS:%.c=$(MODEL_OUT)/san/%.o)
MODEL_LIB      := $(MODEL_OUT)/libsushimodel.a
MODEL_SAN_LIB  := $(MODEL_OUT)/libsushimodel-san.a
MODEL_HDRS     := $(wildcard $(MODEL_DIR)/*.h) hw/sushi_accel_hw.h
MODEL_TEST_HDRS := $(wildcard $(MODEL_DIR)/tests/*.h)
MODEL_TESTS    := $(patsubst $(MODEL_DIR)/tests/%.c,%,$(wildcard $(MODEL_DIR)/tests/test_*.c))

.PHONY: model model-test model-bench model-bench-qemu model-demo
model: $(MODEL_LIB)

$(MODEL_OUT)/obj/%.o: $(MODEL_DIR)/%.c $(MODEL_HDRS)
	@mkdir -p $(@D)
	$(CC) $(MODEL_CFLAGS) -c $< -o $@

$(MODEL_OUT)/san/%.o: $(MODEL_DIR)/%.c $(MODEL_HDRS)
	@mkdir -p $(@D)
	$(CC) $(MODEL_CFLAGS) -O1 $(SAN) -c $< -o $@

$(MODEL_LIB): $(MODEL_OBJS)
	rm -f $@ && ar rcs $@ $^

$(MODEL_SAN_LIB): $(MODEL_SAN_OBJS)
	rm -f $@ && ar rcs $@ $^

# unit tests: sanitized build, then the plain build under valgrind
$(MODEL_OUT)/tests/san/%: $(MODEL_DIR)/tests/%.c $(MODEL_TEST_HDRS) $(MODEL_SAN_LIB)
	@mkdir -p $(@D)
	$(CC) $(MODEL_CFLAGS) -O1 $(SAN) -I$(MODEL_DIR)/tests $< $(MODEL_SAN_LIB) -o $@

$(MODEL_OUT)/tests/plain/%: $(MODEL_DIR)/tests/%.c $(MODEL_TEST_HDRS) $(MODEL_LIB)
	@mkdir -p $(@D)
	$(CC) $(MODEL_CFLAGS) -I$(MODEL_DIR)/tests $< $(MODEL_LIB) -o $@

model-test: model-golden-check $(MODEL_TESTS:%=$(MODEL_OUT)/tests/san/%) $(MODEL_TESTS:%=$(MODEL_OUT)/tests/plain/%)
	@set -e; cd $(MODEL_DIR)/tests; for t in $(MODEL_TESTS); do \
		echo "# $$t (ASan/UBSan)"; $(MODEL_OUT)/tests/san/$$t; \
	done; \
	if command -v valgrind >/dev/null; then for t in $(MODEL_TESTS); do \
		echo "# $$t (valgrind)"; \
		valgrind -q --error-exitcode=99 --leak-check=full $(MODEL_OUT)/tests/plain/$$t --quick; \
	done; fi

$(MODEL_OUT)/sushi-model-bench: $(MODEL_DIR)/bench/bench.c $(MODEL_LIB)
	@mkdir -p $(@D)
	$(CC) $(MODEL_CFLAGS) -O3 $< $(MODEL_LIB) -o $@

model-bench: $(MODEL_OUT)/sushi-model-bench
	$(MODEL_OUT)/sushi-model-bench

# The same library and benchmark built exactly as QEMU builds the device's
# model library (compiler and flags from its compile_commands.json, or a
# documented fixed list without a QEMU build: bench/qemu-cflags.py), run
# beside ours in turns (MODEL_BENCH_ROUNDS each, best rate kept) and
# printed side by side (bench/side_by_side.py).  make bench runs this.
MODEL_QDIR   := $(MODEL_OUT)/qemu-flags
MODEL_QFLAGS := $(MODEL_QDIR)/cflags.txt
MODEL_QOBJS  := $(MODEL_SRCS:%.c=$(MODEL_QDIR)/obj/%.o)
MODEL_BENCH_ROUNDS ?= 2
QCC    = $$(sed -n 2p $(MODEL_QFLAGS))
QFLAGS = $$(sed -n 3p $(MODEL_QFLAGS)) $(MODEL_INC)

.PHONY: FORCE
$(MODEL_QFLAGS): FORCE
	@mkdir -p $(@D)
	@/usr/bin/python3 $(MODEL_DIR)/bench/qemu-cflags.py > $@.new
	@if cmp -s $@.new $@; then rm -f $@.new; else mv $@.new $@; fi

$(MODEL_QDIR)/obj/%.o: $(MODEL_DIR)/%.c $(MODEL_HDRS) $(MODEL_QFLAGS)
	@mkdir -p $(@D)
	$(QCC) $(QFLAGS) -c $< -o $@

$(MODEL_QDIR)/libsushimodel.a: $(MODEL_QOBJS)
	rm -f $@ && ar rcs $@ $^

$(MODEL_QDIR)/sushi-model-bench: $(MODEL_DIR)/bench/bench.c $(MODEL_QDIR)/libsushimodel.a
	$(QCC) $(QFLAGS) $< $(MODEL_QDIR)/libsushimodel.a -o $@

model-bench-qemu: $(MODEL_OUT)/sushi-model-bench $(MODEL_QDIR)/sushi-model-bench
	@rm -f $(MODEL_QDIR)/ours.txt $(MODEL_QDIR)/qemu.txt
	@for r in $$(seq $(MODEL_BENCH_ROUNDS)); do \
		echo "== round $$r: our flags"; \
		$(MODEL_OUT)/sushi-model-bench | tee -a $(MODEL_QDIR)/ours.txt | grep -v '^fam \|^peak ' || exit 1; \
		echo "== round $$r: QEMU's flags"; \
		$(MODEL_QDIR)/sushi-model-bench | tee -a $(MODEL_QDIR)/qemu.txt | grep -v '^fam \|^peak ' || exit 1; \
	done
	@echo
	@/usr/bin/python3 $(MODEL_DIR)/bench/side_by_side.py $(MODEL_QDIR)/ours.txt \
		$(MODEL_QDIR)/qemu.txt $(MODEL_QFLAGS)

$(MODEL_OUT)/sushi-model-demo: $(MODEL_DIR)/demo/demo.c $(MODEL_LIB)
	@mkdir -p $(@D)
	$(CC) $(MODEL_CFLAGS) $< $(MODEL_LIB) -o $@

model-demo: $(MODEL_OUT)/sushi-model-demo

# the checked-in golden vectors must be exactly what the numpy script makes
.PHONY: model-golden-check
model-golden-check:
	@mkdir -p $(MODEL_OUT)
	@/usr/bin/python3 $(MODEL_DIR)/tests/golden/gen_golden.py $(MODEL_OUT)/golden.txt >/dev/null
	@if cmp -s $(MODEL_OUT)/golden.txt $(MODEL_DIR)/tests/golden/golden.txt; then \
		echo "ok - golden.txt is reproduced by gen_golden.py"; \
	else echo "not ok - golden.txt differs from gen_golden.py output"; exit 1; fi
