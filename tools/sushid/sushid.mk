# tools/sushid/sushid.mk - sushid, the SUSHI serving daemon, and its host
# tests (the server against a fake runtime, under ASan/UBSan and valgrind).
# Included by the top-level Makefile after libsushi/libsushi.mk and
# tools/sushictl/sushictl.mk.

SUSHID_DIR  := tools/sushid
SUSHID_OUT  := $(BUILD)/sushid
# everything but main.c, which holds the runtime backend
SUSHID_SRCS := opts.c server.c metrics.c
# the command-line walk it shares with sushictl
SUSHID_ARGS := tools/sushictl/args.c
SUSHID_HDRS := $(SUSHID_DIR)/sushid.h tools/sushictl/args.h $(SUSHID_DIR)/tests/fake_rt.h $(LS_DIR)/tests/raw_client.h $(LS_HDRS)
SUSHID_CFLAGS = $(LS_CFLAGS) -Itools/sushictl \
	-DSUSHI_DEFAULT_SUPERNET='"$(CURDIR)/tools/supernet/data/fmnist-supernet.safetensors"'

.PHONY: sushid sushid-test
sushid: $(SUSHID_OUT)/sushid

$(SUSHID_OUT)/sushid: $(SUSHID_SRCS:%=$(SUSHID_DIR)/%) $(SUSHID_ARGS) $(SUSHID_DIR)/main.c \
		$(SUSHID_HDRS) $(LS_CORE) $(LS_DEV) $(MODEL_LIB)
	@mkdir -p $(@D)
	$(CC) $(SUSHID_CFLAGS) $(SUSHID_SRCS:%=$(SUSHID_DIR)/%) $(SUSHID_ARGS) $(SUSHID_DIR)/main.c \
		$(LS_DEV) $(LS_CORE) $(MODEL_LIB) -lcjson -ldrm -lm -lpthread -o $@

$(SUSHID_OUT)/tests/san/%: $(SUSHID_DIR)/tests/%.c $(SUSHID_SRCS:%=$(SUSHID_DIR)/%) $(SUSHID_ARGS) \
		$(SUSHID_HDRS) $(LS_CORE_SAN) $(MODEL_SAN_LIB)
	@mkdir -p $(@D)
	$(CC) $(SUSHID_CFLAGS) -O1 $(SAN) -I$(SUSHID_DIR) -I$(LS_DIR)/tests -I$(MODEL_DIR)/tests $< \
		$(SUSHID_SRCS:%=$(SUSHID_DIR)/%) $(SUSHID_ARGS) $(LS_CORE_SAN) $(MODEL_SAN_LIB) -lcjson -lm -lpthread -o $@

$(SUSHID_OUT)/tests/plain/%: $(SUSHID_DIR)/tests/%.c $(SUSHID_SRCS:%=$(SUSHID_DIR)/%) $(SUSHID_ARGS) \
		$(SUSHID_HDRS) $(LS_CORE) $(MODEL_LIB)
	@mkdir -p $(@D)
	$(CC) $(SUSHID_CFLAGS) -I$(SUSHID_DIR) -I$(LS_DIR)/tests -I$(MODEL_DIR)/tests $< \
		$(SUSHID_SRCS:%=$(SUSHID_DIR)/%) $(SUSHID_ARGS) $(LS_CORE) $(MODEL_LIB) -lcjson -lm -lpthread -o $@

SUSHID_TESTS := $(patsubst $(SUSHID_DIR)/tests/%.c,%,$(wildcard $(SUSHID_DIR)/tests/test_*.c))
sushid-test: $(SUSHID_TESTS:%=$(SUSHID_OUT)/tests/san/%) $(SUSHID_TESTS:%=$(SUSHID_OUT)/tests/plain/%) \
		sushid-unit-check
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
	$(CC) $(CTL_CFLAGS) -O1 $(SAN) -I$(CTL_DIR) -I$(SUSHID_DIR) -I$(SUSHID_DIR)/tests -I$(LS_DIR)/tests \
		-I$(MODEL_DIR)/tests $< $(CTL_SRCS:%=$(CTL_DIR)/%) $(CTL_DEV_SRCS:%=$(CTL_DIR)/%) \
		$(SUSHID_SRCS:%=$(SUSHID_DIR)/%) $(LS_DEV) $(LS_CORE_SAN) $(MODEL_SAN_LIB) \
		-lcjson -ldrm -lm -lpthread -o $@

# the unit, with its paths set as make install sets them, passes
# systemd-analyze verify (where systemd is installed)
.PHONY: sushid-unit-check
sushid-unit-check: $(SUSHID_OUT)/sushid
	@if ! command -v systemd-analyze >/dev/null; then \
		echo "ok - sushid.service # SKIP systemd-analyze is not installed"; exit 0; fi; \
	d=$$(mktemp -d) && mkdir -p $$d/bin $$d/share/sushi $$d/share/doc/sushi && \
	ln -s $(abspath $(SUSHID_OUT)/sushid) $$d/bin/sushid && \
	sed 's|@PREFIX@|'$$d'|g' $(SUSHID_DIR)/sushid.service > $$d/sushid.service && \
	if out=$$(systemd-analyze verify $$d/sushid.service 2>&1) && [ -z "$$out" ]; then \
		echo "ok - sushid.service passes systemd-analyze verify"; rm -rf $$d; \
	else echo "not ok - sushid.service: $$out"; rm -rf $$d; exit 1; fi

# make install: the daemon, its unit (paths set), the SuperNet it serves
.PHONY: sushid-install
sushid-install: $(SUSHID_OUT)/sushid
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/systemd/system \
		$(DESTDIR)$(PREFIX)/share/sushi $(DESTDIR)$(PREFIX)/share/doc/sushi
	install -m 0755 $(SUSHID_OUT)/sushid $(DESTDIR)$(PREFIX)/bin/
	sed 's|@PREFIX@|$(PREFIX)|g' $(SUSHID_DIR)/sushid.service \
		> $(DESTDIR)$(PREFIX)/lib/systemd/system/sushid.service
	install -m 0644 tools/supernet/data/fmnist-supernet.safetensors $(DESTDIR)$(PREFIX)/share/sushi/
	install -m 0644 Documentation/sushid.rst $(DESTDIR)$(PREFIX)/share/doc/sushi/
