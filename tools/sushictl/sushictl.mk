# tools/sushictl/sushictl.mk - the sushictl CLI and its host tests.
# Included by the top-level Makefile after libsushi/libsushi.mk.

CTL_DIR  := tools/sushictl
CTL_OUT  := $(BUILD)/sushictl
CTL_SRCS := out.c plot.c cmd_eval.c eval_out.c
CTL_DEV_SRCS := cmd_dev.c cmd_info.c cmd_pb.c cmd_stats.c cmd_reset.c cmd_run.c \
		cmd_serve.c serve_data.c serve_loop.c serve_out.c
# the sushid clients (libsushi's client API)
CTL_DEV_SRCS += cmd_query.c cmd_loadgen.c args.c
CTL_CFLAGS = $(LS_CFLAGS) -DSUSHI_DEFAULT_SUPERNET='"$(CURDIR)/tools/supernet/data/fmnist-supernet.safetensors"' \
	-DSUSHI_DEFAULT_IMAGES='"$(CURDIR)/tools/supernet/data/fmnist-test-1000-images.idx"' \
	-DSUSHI_DEFAULT_LABELS='"$(CURDIR)/tools/supernet/data/fmnist-test-1000-labels.idx"'
CTL_HDRS := $(wildcard $(CTL_DIR)/*.h) $(LS_HDRS)
CTL_TESTS := $(patsubst $(CTL_DIR)/tests/%.c,%,$(wildcard $(CTL_DIR)/tests/test_*.c))

.PHONY: sushictl sushictl-test
sushictl: $(CTL_OUT)/sushictl

$(CTL_OUT)/sushictl: $(CTL_SRCS:%=$(CTL_DIR)/%) $(CTL_DEV_SRCS:%=$(CTL_DIR)/%) $(CTL_DIR)/main.c $(CTL_HDRS) $(LS_CORE) $(LS_DEV) $(MODEL_LIB)
	@mkdir -p $(@D)
	$(CC) $(CTL_CFLAGS) $(CTL_SRCS:%=$(CTL_DIR)/%) $(CTL_DEV_SRCS:%=$(CTL_DIR)/%) $(CTL_DIR)/main.c $(LS_DEV) $(LS_CORE) $(MODEL_LIB) -lcjson -ldrm -lm -lpthread -o $@

$(CTL_OUT)/tests/%: $(CTL_DIR)/tests/%.c $(CTL_SRCS:%=$(CTL_DIR)/%) $(CTL_DEV_SRCS:%=$(CTL_DIR)/%) $(CTL_HDRS) $(LS_CORE_SAN) $(LS_DEV) $(MODEL_SAN_LIB)
	@mkdir -p $(@D)
	$(CC) $(CTL_CFLAGS) -O1 $(SAN) -I$(CTL_DIR) -I$(MODEL_DIR)/tests $< $(CTL_SRCS:%=$(CTL_DIR)/%) $(CTL_DEV_SRCS:%=$(CTL_DIR)/%) $(LS_DEV) $(LS_CORE_SAN) $(MODEL_SAN_LIB) -lcjson -ldrm -lm -lpthread -o $@

sushictl-test: sushictl-man-check $(CTL_TESTS:%=$(CTL_OUT)/tests/%)
	@set -e; for t in $(CTL_TESTS); do echo "# $$t (ASan/UBSan)"; $(CTL_OUT)/tests/$$t; done

# --help and the man page must list the same options
.PHONY: sushictl-man-check
sushictl-man-check: $(CTL_OUT)/sushictl
	@help=$$(for c in eval info pb stats reset run serve query loadgen; do $(CTL_OUT)/sushictl $$c --help; done | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u); \
	man=$$(sed 's/\\-/-/g' Documentation/man/sushictl.1 | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u); \
	if [ "$$help" = "$$man" ]; then echo "ok - sushictl --help and sushictl.1 list the same options"; \
	else echo "not ok - --help and sushictl.1 differ:"; diff <(echo "$$help") <(echo "$$man"); exit 1; fi
