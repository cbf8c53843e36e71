# libsushi/libsushi.mk - libsushi's scheduler/evaluator core (host build),
# its unit tests (ASan/UBSan and valgrind) and the scheduler benchmark.
# Included by the top-level Makefile after qemu-device/model/model.mk.

LS_DIR   := libsushi
LS_OUT   := $(BUILD)/libsushi
LS_SRCS  := sched_space.c sched_cand.c sched_rule.c sched.c sched_model.c \
            fleet.c eval.c eval_bound.c eval_oracle.c eval_search.c eval_pieces.c trace.c \
            jfield.c supernet_load.c supernet_check.c supernet.c supernet_place.c
# sushid's wire codec (private) and its client API (sushi/client.h)
LS_SRCS  += proto.c client.c
LS_INC   := -I$(LS_DIR)/include -I$(LS_DIR)/src $(MODEL_INC)
LS_CFLAGS = $(CSTD) $(WARN) $(OPT) $(LS_INC) -fPIC
LS_HDRS  := $(wildcard $(LS_DIR)/include/sushi/*.h $(LS_DIR)/src/*.h) $(MODEL_HDRS)
LS_TESTS := $(patsubst $(LS_DIR)/tests/%.c,%,$(wildcard $(LS_DIR)/tests/test_*.c))
LS_TEST_HDRS := $(wildcard $(LS_DIR)/tests/*.h) $(MODEL_TEST_HDRS)

LS_CORE     := $(LS_OUT)/libsushicore.a
LS_CORE_SAN := $(LS_OUT)/libsushicore-san.a

.PHONY: libsushi libsushi-test sched-bench
libsushi: $(LS_CORE)

$(LS_OUT)/obj/%.o: $(LS_DIR)/src/%.c $(LS_HDRS)
	@mkdir -p $(@D)
	$(CC) $(LS_CFLAGS) -c $< -o $@

$(LS_OUT)/san/%.o: $(LS_DIR)/src/%.c $(LS_HDRS)
	@mkdir -p $(@D)
	$(CC) $(LS_CFLAGS) -O1 $(SAN) -c $< -o $@

$(LS_CORE): $(LS_SRCS:%.c=$(LS_OUT)/obj/%.o)
	rm -f $@ && ar rcs $@ $^

$(LS_CORE_SAN): $(LS_SRCS:%.c=$(LS_OUT)/san/%.o)
	rm -f $@ && ar rcs $@ $^

# the device layer (libdrm, uAPI header from uapi/ directly): its own
# archive so that the device-free users need no -ldrm
LS_DEV_SRCS := device.c device_admin.c device_model.c device_bo.c device_job.c device_pb.c netdev.c netdev_cost.c \
               rt_pb.c runtime.c runtime_worker.c
LS_DEV_INC  := -Iuapi/drm -I/usr/include/libdrm
LS_DEV      := $(LS_OUT)/libsushidev.a
LS_DEV_HDRS := uapi/drm/sushi_accel.h

$(LS_OUT)/dev/%.o: $(LS_DIR)/src/%.c $(LS_HDRS) $(LS_DEV_HDRS)
	@mkdir -p $(@D)
	$(CC) $(LS_CFLAGS) $(LS_DEV_INC) -c $< -o $@

$(LS_DEV): $(LS_DEV_SRCS:%.c=$(LS_OUT)/dev/%.o)
	rm -f $@ && ar rcs $@ $^

libsushi: $(LS_DEV)

$(LS_OUT)/tests/san/%: $(LS_DIR)/tests/%.c $(LS_TEST_HDRS) $(LS_CORE_SAN) $(MODEL_SAN_LIB)
	@mkdir -p $(@D)
	$(CC) $(LS_CFLAGS) -O1 $(SAN) -I$(LS_DIR)/tests -I$(MODEL_DIR)/tests $< $(LS_CORE_SAN) $(MODEL_SAN_LIB) -lcjson -lm -o $@

$(LS_OUT)/tests/plain/%: $(LS_DIR)/tests/%.c $(LS_TEST_HDRS) $(LS_CORE) $(MODEL_LIB)
	@mkdir -p $(@D)
	$(CC) $(LS_CFLAGS) -I$(LS_DIR)/tests -I$(MODEL_DIR)/tests $< $(LS_CORE) $(MODEL_LIB) -lcjson -lm -o $@

libsushi-test: $(LS_TESTS:%=$(LS_OUT)/tests/san/%) $(LS_TESTS:%=$(LS_OUT)/tests/plain/%)
	@set -e; for t in $(LS_TESTS); do \
		echo "# $$t (ASan/UBSan)"; $(LS_OUT)/tests/san/$$t; \
	done; \
	if command -v valgrind >/dev/null; then for t in $(LS_TESTS); do \
		echo "# $$t (valgrind)"; \
		valgrind -q --error-exitcode=99 --leak-check=full $(LS_OUT)/tests/plain/$$t --quick; \
	done; fi

$(LS_OUT)/sched-bench: tests/bench/sched_bench.c $(LS_TEST_HDRS) $(LS_CORE) $(MODEL_LIB)
	@mkdir -p $(@D)
	$(CC) $(LS_CFLAGS) -O3 -I$(LS_DIR)/tests $< $(LS_CORE) $(MODEL_LIB) -lcjson -lm -o $@

sched-bench: $(LS_OUT)/sched-bench
	$(LS_OUT)/sched-bench

# bounded libFuzzer run of the SuperNet loader (clang, ASan+UBSan)
FUZZ_TIME ?= 20
LS_FUZZ_SRCS := $(LS_DIR)/fuzz/fuzz_supernet.c $(LS_SRCS:%=$(LS_DIR)/src/%) \
             $(MODEL_SRCS:%=$(MODEL_DIR)/%)
.PHONY: fuzz-supernet
$(LS_OUT)/fuzz/fuzz_supernet: $(LS_FUZZ_SRCS) $(LS_HDRS)
	@mkdir -p $(@D)
	clang $(CSTD) -g -O1 -fsanitize=fuzzer,address,undefined $(LS_INC) $(LS_FUZZ_SRCS) -lcjson -lm -o $@

$(LS_OUT)/fuzz/make_corpus: $(LS_DIR)/fuzz/make_corpus.c $(LS_TEST_HDRS)
	@mkdir -p $(@D)
	$(CC) $(LS_CFLAGS) -I$(LS_DIR)/tests $< -lcjson -o $@

fuzz-supernet: $(LS_OUT)/fuzz/fuzz_supernet $(LS_OUT)/fuzz/make_corpus
	@mkdir -p $(LS_OUT)/fuzz/corpus $(LS_OUT)/fuzz/seeds
	$(LS_OUT)/fuzz/make_corpus $(LS_OUT)/fuzz/seeds
	$(if $(SHIPPED_SUPERNETS),cp $(SHIPPED_SUPERNETS) $(LS_OUT)/fuzz/seeds/)
	@$(LS_OUT)/fuzz/fuzz_supernet -max_total_time=$(FUZZ_TIME) -seed=1 \
		-max_len=65536 -print_final_stats=1 $(LS_OUT)/fuzz/corpus \
		$(LS_OUT)/fuzz/seeds \
		> $(LS_OUT)/fuzz/log 2>&1; st=$$?; grep -E "^(Done|stat::number|==.*ERROR)" $(LS_OUT)/fuzz/log; \
		if [ $$st -ne 0 ]; then tail -40 $(LS_OUT)/fuzz/log; echo "not ok - loader fuzzing found a crash"; exit 1; fi; \
		echo "ok - loader fuzzed for $(FUZZ_TIME) s without a crash"

# the loader on the real files: the shipped Fashion-MNIST SuperNet and the
# generated paper-scale OFA-ResNet50 one (deterministic, about 5 s)
OFA50 := $(BUILD)/ofa-resnet50.safetensors
SHIPPED_SUPERNETS := $(wildcard tools/supernet/data/fmnist-supernet.safetensors)
.PHONY: supernet-files-test
$(OFA50): tools/supernet/gen_ofa_resnet50.py tools/supernet/ofa_resnet.py tools/supernet/arch.py \
          tools/supernet/sfile.py
	@mkdir -p $(@D)
	/usr/bin/python3 tools/supernet/gen_ofa_resnet50.py $@ >/dev/null

supernet-files-test: $(LS_OUT)/tests/san/test_supernet $(LS_OUT)/tests/san/test_place $(OFA50)
	@set -o pipefail; $(LS_OUT)/tests/san/test_supernet $(SHIPPED_SUPERNETS) $(OFA50) | grep -E "loads|every layer|host budgets|host work|passed"
	@set -o pipefail; $(LS_OUT)/tests/san/test_place $(SHIPPED_SUPERNETS) $(OFA50) | grep -vE "^1\.\."

# ---------------------------------------------------------------------------
# The installable libsushi: one shared library (soname libsushi.so.0, only
# the public API exported through libsushi.map) and one static archive, both
# holding the core, the device layer and the model library; the public
# headers; a pkg-config file.  `make install PREFIX=/usr DESTDIR=/tmp/x`.
LS_VERSION  := 0.1.0
LS_SONAME   := libsushi.so.0
LS_SO       := $(LS_OUT)/libsushi.so.$(LS_VERSION)
LS_A        := $(LS_OUT)/libsushi.a
LS_MAP      := $(LS_DIR)/libsushi.map
LS_ALL_OBJS := $(LS_SRCS:%.c=$(LS_OUT)/obj/%.o) \
               $(LS_DEV_SRCS:%.c=$(LS_OUT)/dev/%.o) $(MODEL_OBJS)
# installed under include/sushi/; sched.h finds sushi_model_cost.h beside
# it (the model's configuration and costs; the simulator is not installed)
LS_PUBLIC_HDRS := $(wildcard $(LS_DIR)/include/sushi/*.h) \
                  $(MODEL_DIR)/sushi_model_cost.h $(MODEL_DIR)/sushi_layer_check.h \
                  hw/sushi_accel_hw.h

PREFIX  ?= /usr/local
LIBDIR  ?= $(PREFIX)/lib
DESTDIR ?=

.PHONY: libsushi-shared libsushi-abi-check libsushi-install libsushi-install-test
libsushi-shared: $(LS_SO) $(LS_A)

$(LS_SO): $(LS_ALL_OBJS) $(LS_MAP)
	$(CC) -shared -Wl,-soname,$(LS_SONAME) -Wl,--version-script=$(LS_MAP) \
		-Wl,--no-undefined -Wl,-z,defs -o $@ $(LS_ALL_OBJS) -ldrm -lcjson -lm -lpthread
	ln -sf $(notdir $@) $(LS_OUT)/$(LS_SONAME)
	ln -sf $(LS_SONAME) $(LS_OUT)/libsushi.so

$(LS_A): $(LS_ALL_OBJS)
	rm -f $@ && ar rcs $@ $^

libsushi-abi-check: $(LS_SO)
	@ABI_CFLAGS="-I$(LS_DIR)/include $(MODEL_INC)" $(LS_DIR)/abi-check.sh \
		$(LS_SO) $(LS_MAP) $(LS_PUBLIC_HDRS)

libsushi-install: $(LS_SO) $(LS_A)
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(PREFIX)/include/sushi
	install -m 0755 $(LS_SO) $(DESTDIR)$(LIBDIR)/
	ln -sf $(notdir $(LS_SO)) $(DESTDIR)$(LIBDIR)/$(LS_SONAME)
	ln -sf $(LS_SONAME) $(DESTDIR)$(LIBDIR)/libsushi.so
	install -m 0644 $(LS_A) $(DESTDIR)$(LIBDIR)/
	install -m 0644 $(LS_PUBLIC_HDRS) $(DESTDIR)$(PREFIX)/include/sushi/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
		-e 's|@VERSION@|$(LS_VERSION)|' $(LS_DIR)/libsushi.pc.in \
		> $(DESTDIR)$(LIBDIR)/pkgconfig/libsushi.pc

# Install into a scratch DESTDIR, then build and run a program the way a
# user would (pkg-config, the installed headers, the shared library), and
# once more statically.
LS_ITEST := $(BUILD)/install-test
libsushi-install-test: libsushi-abi-check
	@rm -rf $(LS_ITEST) && mkdir -p $(LS_ITEST)
	@$(MAKE) --no-print-directory -s libsushi-install DESTDIR=$(LS_ITEST)/root PREFIX=/usr LIBDIR=/usr/lib
	@$(LS_DIR)/install-test.sh $(LS_ITEST) tools/supernet/data/fmnist-supernet.safetensors

# The mutation check: every single-line mutation of tests/mutation/
# mutations.txt (scheduler, window, PB accounting, evaluator, oracle) must
# make a libsushi host test fail, in a scratch copy of the tree (a few
# minutes on 2 cores).
.PHONY: mutation-test
mutation-test:
	@/usr/bin/python3 tests/mutation/run.py
