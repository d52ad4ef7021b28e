# yikatong — developer / CI entry points.
#
#   make install   create .venv and pip install -e '.[test]' (re-run when pyproject.toml changes)
#   make sysdeps   install PostgreSQL server / Chromium / CJK fonts via apt when missing (root only)
#   make run       init + demo data + serve on http://127.0.0.1:8000
#   make test      sqlite and postgresql halves of the suite in parallel (PYTEST_ARGS=... for extras)
#   make bench     run the benchmark scripts in bench/
#   make lint      byte-compile everything (and ruff, if installed in .venv)
#   make clean     remove .venv, .test-logs, ykt.db*

SHELL      := /bin/bash
PYTHON     ?= python3
VENV       := .venv
PY         := $(VENV)/bin/python
STAMP      := $(VENV)/.installed
LOGDIR     := .test-logs
HOST       ?= 127.0.0.1
PORT       ?= 8000
PYTEST_ARGS ?=
BENCH_ARGS  ?=

export YKT_ADMIN_PASSWORD ?= admin12345

.DEFAULT_GOAL := help
.PHONY: help venv install sysdeps run test bench lint clean

help:
	@sed -n 's/^#   //p' $(MAKEFILE_LIST)

# --- python environment ------------------------------------------------------

venv: $(PY)

$(PY):
	$(PYTHON) -m venv $(VENV)

install: $(STAMP)

# Only re-installs when pyproject.toml is newer than the stamp.
$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install -e '.[test]'
	@touch $@

# --- system packages (Debian) ------------------------------------------------

sysdeps:
	@missing=""; \
	if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
	  missing="$$missing postgresql"; \
	fi; \
	if [ ! -x /usr/bin/chromium ]; then missing="$$missing chromium"; fi; \
	if ! dpkg -s fonts-noto-cjk >/dev/null 2>&1; then missing="$$missing fonts-noto-cjk"; fi; \
	missing="$${missing# }"; \
	[ -n "$$missing" ] || exit 0; \
	if [ "$$(id -u)" -eq 0 ]; then \
	  echo "sysdeps: installing $$missing (apt-get)"; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get update && apt-get install -y $$missing; \
	else \
	  echo "sysdeps: WARNING: missing system package(s): $$missing" >&2; \
	  echo "sysdeps: not root, so not installing them; run 'sudo apt-get install -y $$missing'" >&2; \
	  echo "sysdeps: (PostgreSQL tests can instead use YKT_TEST_PG_URL=postgresql+psycopg://...)" >&2; \
	fi

# --- app -----------------------------------------------------------------------

run: install
	$(VENV)/bin/ykt init
	$(VENV)/bin/ykt demo --if-empty
	$(VENV)/bin/ykt serve --host $(HOST) --port $(PORT)

# --- tests -------------------------------------------------------------------
# Both database halves run concurrently, each into its own log; the logs are
# printed in full afterwards (sqlite first) followed by one summary line per
# half.  Fails if either half fails.

test: install sysdeps
	@mkdir -p $(LOGDIR); rm -f $(LOGDIR)/sqlite.log $(LOGDIR)/postgresql.log; \
	echo "test: running sqlite and postgresql halves in parallel (logs in $(LOGDIR)/) ..."; \
	$(PY) -m pytest --db=sqlite $(PYTEST_ARGS) > $(LOGDIR)/sqlite.log 2>&1 & sqlite_pid=$$!; \
	$(PY) -m pytest --db=postgresql $(PYTEST_ARGS) > $(LOGDIR)/postgresql.log 2>&1 & pg_pid=$$!; \
	wait $$sqlite_pid; sqlite_rc=$$?; \
	wait $$pg_pid; pg_rc=$$?; \
	summary() { \
	  local line; line=$$(grep -v '^[[:space:]]*$$' "$$1" | tail -n 1); \
	  line=$$(printf '%s' "$$line" | sed -E 's/^=+ //; s/ =+$$//'); \
	  printf '%s' "$${line:-(no output)}"; \
	  [ "$$2" -eq 0 ] || printf ' [exit %s]' "$$2"; \
	}; \
	for half in sqlite postgresql; do \
	  echo; echo "==================== $$half: $(LOGDIR)/$$half.log ===================="; \
	  cat $(LOGDIR)/$$half.log; \
	done; \
	echo; \
	echo "sqlite: $$(summary $(LOGDIR)/sqlite.log $$sqlite_rc)"; \
	echo "postgresql: $$(summary $(LOGDIR)/postgresql.log $$pg_rc)"; \
	[ $$sqlite_rc -eq 0 ] && [ $$pg_rc -eq 0 ]

# --- misc ----------------------------------------------------------------------

bench: install
	@shopt -s nullglob; scripts=(bench/*.py); \
	if [ $${#scripts[@]} -eq 0 ]; then echo "bench: no bench/*.py scripts"; exit 0; fi; \
	for f in "$${scripts[@]}"; do \
	  echo "== $$f"; $(PY) "$$f" $(BENCH_ARGS) || exit $$?; \
	done

lint: install
	$(PY) -m compileall -q src tests
	@if [ -x $(VENV)/bin/ruff ]; then $(VENV)/bin/ruff check src tests; fi

clean:
	rm -rf $(VENV) $(LOGDIR) .pytest_cache src/*.egg-info
	rm -f ykt.db*
