# tools/supernet/supernet.mk - host tests of the SuperNet tools: the numpy
# self-test (test_int8ref.py) and the whole-network bit-exactness test of
# the C model library against the numpy int8 reference (every layer of a
# few catalog SubNets on sample images).  Included by the top-level
# Makefile after libsushi/libsushi.mk (uses LS_*, MODEL_*, SAN, BUILD).

SNT_DIR   := tools/supernet
SNT_OUT   := $(BUILD)/supernet
SNT_PY    := /usr/bin/python3
SNT_PYSRC := $(wildcard $(SNT_DIR)/*.py)
SNT_FILE  := $(SNT_DIR)/data/fmnist-supernet.safetensors
SNT_DATA  := $(SNT_DIR)/data/fmnist-test-1000-images.idx \
             $(SNT_DIR)/data/fmnist-test-1000-labels.idx
# smallest, a middle and the largest SubNet of the shipped catalog (by
# MACs), SNT_IMAGES sample images each; and the smallest SubNet of the
# paper-scale OFA-ResNet50 file on one seeded random 224x224x3 input
# (about 15 s; SNT_OFA50_SUBNETS= skips it)
SNT_SUBNETS       ?= sn00 sn10 sn20
SNT_IMAGES        ?= 8
SNT_OFA50_SUBNETS ?= sn00
SNT_VEC   := $(SNT_OUT)/vectors
SNT_CASES := $(SNT_SUBNETS:%=fmnist/%) $(SNT_OFA50_SUBNETS:%=ofa50/%)
SNT_BIN   := $(SNT_OUT)/tests/san/test_net_bitexact

.PHONY: supernet-net-test supernet-py-test supernet-catalog-test

$(SNT_BIN): $(SNT_DIR)/tests/test_net_bitexact.c $(LS_HDRS) $(MODEL_TEST_HDRS) $(LS_CORE_SAN) $(MODEL_SAN_LIB)
	@mkdir -p $(@D)
	$(CC) $(LS_CFLAGS) -O1 $(SAN) -I$(MODEL_DIR)/tests $< $(LS_CORE_SAN) $(MODEL_SAN_LIB) -lcjson -lm -o $@

# int8ref.py's per-layer outputs of one SubNet (dump_vectors.py)
$(SNT_VEC)/fmnist/%/manifest.json: $(SNT_FILE) $(SNT_DATA) $(SNT_PYSRC)
	@mkdir -p $(@D)
	$(SNT_PY) $(SNT_DIR)/dump_vectors.py $(SNT_FILE) $* $(@D) -n $(SNT_IMAGES) >/dev/null

$(SNT_VEC)/ofa50/%/manifest.json: $(OFA50) $(SNT_PYSRC)
	@mkdir -p $(@D)
	$(SNT_PY) $(SNT_DIR)/dump_vectors.py $(OFA50) $* $(@D) -n 1 --random-input 1 >/dev/null

supernet-net-test: $(SNT_BIN) $(SNT_CASES:%=$(SNT_VEC)/%/manifest.json)
	@fail=0; for c in $(SNT_CASES); do \
		case $$c in fmnist/*) f=$(SNT_FILE);; *) f=$(OFA50);; esac; \
		echo "# test_net_bitexact $$(basename $$f) $${c#*/} (ASan/UBSan)"; \
		start=$$(date +%s.%N); \
		$(SNT_BIN) $$f $(SNT_VEC)/$$c > $(SNT_VEC)/$$c/test.log 2>&1; st=$$?; \
		grep -E "^(not ok|#)|passed" $(SNT_VEC)/$$c/test.log; \
		echo "#   $$(awk "BEGIN { printf \"%.1f\", $$(date +%s.%N) - $$start }") s"; \
		if [ $$st -ne 0 ]; then echo "not ok - $$c: see $(SNT_VEC)/$$c/test.log (exit $$st)"; fail=1; fi; \
	done; \
	if [ $$fail -ne 0 ]; then echo "not ok - the C model library differs from int8ref"; exit 1; fi; \
	echo "ok - the C model library equals int8ref on every layer of $(SNT_CASES)"

# the numpy self-test (its own TAP, about 20 s); fails make when it fails
supernet-py-test:
	$(SNT_PY) $(SNT_DIR)/test_int8ref.py

# the shipped catalog's provenance: splits recorded and hashed, selected on
# (latency, validation accuracy), latency = sushictl eval's (TAP, ~30 s)
supernet-catalog-test: $(BUILD)/sushictl/sushictl
	$(SNT_PY) $(SNT_DIR)/test_catalog.py $(BUILD)/sushictl/sushictl
