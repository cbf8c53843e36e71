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
SNT_SUBNETS       ?= sn00 sn10 sn19
SNT_IMAGES        ?= 8
SNT_OFA50_SUBNETS ?= sn00
SNT_VEC   := $(SNT_OUT)/vectors
SNT_CASES := $(SNT_SUBNETS:%=fmnist/%) $(SNT_OFA50_SUBNETS:%=ofa50/%)
SNT_BIN   := $(SNT_OUT)/tests/san/test_net_bitexact

.PHONY: supernet-net-test supernet-py-test supernet-catalog-test supernet-import-test

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

# OFA checkpoint import, end to end: tests/ofa_mini.py builds a small
# SuperNet with OFA's OFAResNets module layout and state-dict keys, trains
# it briefly (seeded, one thread) on Fashion-MNIST (SNT_FMNIST) and saves
# the state dict; import_ofa.py imports it (BN recalibration, int8
# quantization, catalog); tests/test_import_ofa.py checks the import
# against the OFA-structured model; then every catalog SubNet runs through
# the C model library on all SNT_IMP_EVAL evaluation images, every layer
# compared with int8ref and the C-side top-1 compared with the catalog's.
# (without the Fashion-MNIST directory: the shipped 1,000-image test sample,
# 500 images to train, 200 to calibrate, 300 to evaluate; said loudly)
SNT_FMNIST   ?= $(firstword $(wildcard ../shared/data/fashion-mnist))
SNT_IMP_DATA := $(if $(SNT_FMNIST),$(SNT_FMNIST) --calib 1000,$(SNT_DIR)/data/fmnist-test-1000-images.idx --calib 200)
SNT_IMP      := $(SNT_OUT)/import
SNT_IMP_FILE := $(SNT_IMP)/ofa-mini.safetensors
SNT_IMP_STEPS ?= 300
SNT_IMP_EVAL  ?= $(if $(SNT_FMNIST),500,300)
SNT_IMP_BATCH := 100

$(SNT_IMP)/ofa_mini.pth: $(SNT_DIR)/tests/ofa_mini.py $(SNT_DIR)/fmnist.py $(SNT_DIR)/arch.py
	@test -n "$(SNT_FMNIST)" || echo "# supernet-import-test: NO Fashion-MNIST directory (SNT_FMNIST): training on the shipped 1,000-image test sample instead"
	@mkdir -p $(@D)
	OMP_NUM_THREADS=1 $(SNT_PY) $(SNT_DIR)/tests/ofa_mini.py $(SNT_IMP_DATA) $(@D) \
		--steps $(SNT_IMP_STEPS) --eval $(SNT_IMP_EVAL)

$(SNT_IMP_FILE): $(SNT_IMP)/ofa_mini.pth $(SNT_PYSRC)
	OMP_NUM_THREADS=1 $(SNT_PY) $(SNT_DIR)/import_ofa.py $< $@ \
		--space $(@D)/space.json --subnets $(@D)/subnets.json \
		--calib $(@D)/calib.npz --eval $(@D)/eval.npz --mean 0.2860 --std 0.3530 \
		--batch $(SNT_IMP_BATCH) --write-sample $(@D)/sample.npz > $(@D)/import.log \
		|| { cat $(@D)/import.log; rm -f $@; exit 1; }
	@grep -E "^(sn|wrote)" $(@D)/import.log

supernet-import-test: $(SNT_BIN) $(SNT_IMP_FILE)
	@set -o pipefail; OMP_NUM_THREADS=1 $(SNT_PY) $(SNT_DIR)/tests/test_import_ofa.py $(SNT_IMP) \
		--batch $(SNT_IMP_BATCH) > $(SNT_IMP)/test_import_ofa.log || \
		{ grep -vE "^ok " $(SNT_IMP)/test_import_ofa.log; \
		  echo "not ok - import_ofa.py disagrees with the OFA-structured model"; exit 1; }
	@echo "ok - import_ofa.py agrees with the OFA-structured model ($$(grep -c "^ok " $(SNT_IMP)/test_import_ofa.log) checks)"
	@fail=0; ids=$$($(SNT_PY) -c 'import sys; sys.path.insert(0, "$(SNT_DIR)"); import sfile; \
		print(" ".join(c["id"] for c in sfile.read("$(SNT_IMP_FILE)").catalog))') || exit 1; \
	for id in $$ids; do \
		d=$(SNT_IMP)/vectors/$$id; rm -rf $$d; \
		$(SNT_PY) $(SNT_DIR)/dump_vectors.py $(SNT_IMP_FILE) $$id $$d --npz $(SNT_IMP)/sample.npz -n 0 >/dev/null || exit 1; \
		$(SNT_BIN) --accuracy $(SNT_IMP_FILE) $$d > $$d/test.log 2>&1; st=$$?; \
		grep -E "^not ok|top-1|^#.*compared" $$d/test.log; \
		if [ $$st -ne 0 ]; then echo "not ok - $$id: see $$d/test.log (exit $$st)"; fail=1; fi; \
	done; \
	if [ $$fail -ne 0 ]; then echo "not ok - the C model library differs from the importer"; exit 1; fi; \
	echo "ok - the imported OFA SuperNet: the C model library equals import_ofa.py's int8 reference on every layer and its top-1 of $$ids"
