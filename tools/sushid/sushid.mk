# tools/sushid/sushid.mk - sushid, the SUSHI serving daemon, and its host
# tests (the server against a fake runtime, under ASan/UBSan and valgrind).
# Included by the top-level Makefile after libsushi/libsushi.mk and
# tools/sushictl/sushictl.mk.

SUSHID_DIR  := tools/sushid
SUSHID_OUT  := $(BUILD)/sushid
# everything but main.c, which holds the runtime backend
SUSHID_SRCS := opts.c server.c metrics.c
SUSHID_HDRS := $(SUSHID_DIR)/sushid.h $(SUSHID_DIR)/tests/fake_rt.h $(SUSHID_DIR)/tests/raw_client.h $(LS_HDRS)
SUSHID_CFLAGS = $(LS_CFLAGS) \
	-DSUSHI_DEFAULT_SUPERNET='"$(CURDIR)/tools/supernet/data/fmnist-supernet.safetensors"'

.PHONY: sushid sushid-test
sushid: $(SUSHID_OUT)/sushid

$(SUSHID_OUT)/sushid: $(SUSHID_SRCS:%=$(SUSHID_DIR)/%) $(SUSHID_DIR)/main.c $(SUSHID_HDRS) \
		$(LS_CORE) $(LS_DEV) $(MODEL_LIB)
	@mkdir -p $(@D)
	$(CC) $(SUSHID_CFLAGS) $(SUSHID_SRCS:%=$(SUSHID_DIR)/%) $(SUSHID_DIR)/main.c \
		$(LS_DEV) $(LS_CORE) $(MODEL_LIB) -lcjson -ldrm -lm -lpthread -o $@

$(SUSHID_OUT)/tests/san/%: $(SUSHID_DIR)/tests/%.c $(SUSHID_SRCS:%=$(SUSHID_DIR)/%) $(SUSHID_HDRS) \
		$(LS_CORE_SAN) $(MODEL_SAN_LIB)
	@mkdir -p $(@D)
	$(CC) $(SUSHID_CFLAGS) -O1 $(SAN) -I$(SUSHID_DIR) -I$(MODEL_DIR)/tests $< \
		$(SUSHID_SRCS:%=$(SUSHID_DIR)/%) $(LS_CORE_SAN) $(MODEL_SAN_LIB) -lcjson -lm -lpthread -o $@

$(SUSHID_OUT)/tests/plain/%: $(SUSHID_DIR)/tests/%.c $(SUSHID_SRCS:%=$(SUSHID_DIR)/%) $(SUSHID_HDRS) \
		$(LS_CORE) $(MODEL_LIB)
	@mkdir -p $(@D)
	$(CC) $(SUSHID_CFLAGS) -I$(SUSHID_DIR) -I$(MODEL_DIR)/tests $< \
		$(SUSHID_SRCS:%=$(SUSHID_DIR)/%) $(LS_CORE) $(MODEL_LIB) -lcjson -lm -lpthread -o $@

SUSHID_TESTS := $(patsubst $(SUSHID_DIR)/tests/%.c,%,$(wildcard $(SUSHID_DIR)/tests/test_*.c))
sushid-test: $(SUSHID_TESTS:%=$(SUSHID_OUT)/tests/san/%) $(SUSHID_TESTS:%=$(SUSHID_OUT)/tests/plain/%)
	@set -e; for t in $(SUSHID_TESTS); do \
		echo "# $$t (ASan/UBSan)"; $(SUSHID_OUT)/tests/san/$$t; \
	done; \
	if command -v valgrind >/dev/null; then for t in $(SUSHID_TESTS); do \
		echo "# $$t (valgrind)"; \
		valgrind -q --error-exitcode=99 --leak-check=full $(SUSHID_OUT)/tests/plain/$$t --quick; \
	done; fi

# sushictl's query and loadgen against this server on the fake runtime:
# their host test links the server (this rule wins over sushictl.mk's
# pattern rule for tests)
$(CTL_OUT)/tests/test_loadgen: $(CTL_DIR)/tests/test_loadgen.c $(CTL_SRCS:%=$(CTL_DIR)/%) \
		$(CTL_DEV_SRCS:%=$(CTL_DIR)/%) $(CTL_HDRS) $(SUSHID_SRCS:%=$(SUSHID_DIR)/%) \
		$(SUSHID_HDRS) $(LS_CORE_SAN) $(LS_DEV) $(MODEL_SAN_LIB)
	@mkdir -p $(@D)
	$(CC) $(CTL_CFLAGS) -O1 $(SAN) -I$(CTL_DIR) -I$(SUSHID_DIR) -I$(SUSHID_DIR)/tests \
		-I$(MODEL_DIR)/tests $< $(CTL_SRCS:%=$(CTL_DIR)/%) $(CTL_DEV_SRCS:%=$(CTL_DIR)/%) \
		$(SUSHID_SRCS:%=$(SUSHID_DIR)/%) $(LS_DEV) $(LS_CORE_SAN) $(MODEL_SAN_LIB) \
		-lcjson -ldrm -lm -lpthread -o $@
