# Every target goes through npm so the project's pinned Node 24 (devDependency `node`) runs it,
# whatever `node` the machine has on its PATH.
.PHONY: run test test-postgres check clean clean-data install bench bench-smoke simulator soak chaos doctor setup smoke-telnyx

NPM ?= npm
STAMP := node_modules/.install-stamp

# Install when nothing is installed (a clean `npm ci` from the lockfile), or bring node_modules up to date when the
# lockfile or manifest changed since the last install.
$(STAMP): package.json package-lock.json
	@if [ -d node_modules ]; then $(NPM) install --no-audit --no-fund --loglevel=error; \
	else $(NPM) ci --no-audit --no-fund --loglevel=error; fi
	@touch $(STAMP)

install: $(STAMP)

# Node reads .env when there is one (--env-file-if-exists; the environment wins over it); copy .env.example to start.
NODE_ENV_FILE := node --env-file-if-exists=.env

run: $(STAMP)
	$(NPM) exec -- $(NODE_ENV_FILE) src/main.ts

# Checks the Telnyx set-up in .env through the API, one line per check with where to fix it; exit 1 names failures.
doctor: $(STAMP)
	$(NPM) exec -- $(NODE_ENV_FILE) tasks/doctor/run.ts

# Points the Call Control application at PUBLIC_URL, assigns the caller id to it and writes missing ids into .env,
# asking before changing anything the account already had (YES=1 answers yes).
setup: $(STAMP)
	$(NPM) exec -- $(NODE_ENV_FILE) tasks/setup/run.ts $(if $(YES),--yes)

# One real call to a number you own (TO=+1…) with the menu; every request and webhook recorded (secrets redacted)
# into a report to compare with the simulator's behaviour.
smoke-telnyx: $(STAMP)
	$(NPM) exec -- $(NODE_ENV_FILE) tasks/smoke-telnyx/run.ts $(TO)

test: $(STAMP)
	$(NPM) test

# The whole integration suite again with PostgreSQL as the store (each test service a database of its own, copied
# from one migrated template); the same server as `make test`.
test-postgres: $(STAMP)
	$(NPM) run test:postgres

check: $(STAMP)
	$(NPM) run check

simulator: $(STAMP)
	$(NPM) run simulator

# Every benchmark (about 15 minutes, loopback only), the store-bound ones on SQLite and on PostgreSQL (a database of
# their own on 127.0.0.1:5432, or BENCH_POSTGRES_URL, dropped after); rewrites BENCHMARKS.md and bench/results/.
bench: $(STAMP)
	$(NPM) run bench

# Every benchmark for about a second, PostgreSQL variants included, into a temp folder: proves the harness works
# (no thresholds).
bench-smoke: $(STAMP)
	$(NPM) run bench:smoke

# 1,000 calls against the simulator in Telnyx's default mode with lost webhooks, unknown dial outcomes and a channel
# limit below MAX_CONCURRENT_CALLS (a few minutes, loopback only); fails if any call is left open, silent or alive.
soak: $(STAMP)
	$(NPM) run soak

# Three instances on one fresh PostgreSQL database behind a round-robin proxy, 5,000 calls, one instance killed with
# kill -9 every 10 s (at most 5 minutes, loopback only); fails if a call is lost, doubled or stuck or a limit is passed.
chaos: $(STAMP)
	$(NPM) run chaos

# Installed and generated files only: data/ (every account and call of `make run`) stays.
clean:
	rm -rf node_modules bench/results/*.tmp

# data/ too, after a yes typed on the terminal (without a terminal it refuses; CONFIRM=yes answers for scripts).
clean-data:
	@if [ ! -d data ]; then echo "data/ does not exist: nothing to delete."; exit 0; fi; \
	echo "This deletes data/ (files: $$(find data -type f | wc -l)): every account, call and schedule of the local service."; \
	if [ "$${CONFIRM:-}" = yes ]; then answer=yes; \
	elif [ -t 0 ]; then printf 'Type yes to delete it: '; read -r answer; \
	else echo "No terminal to ask on: run it in one, or with CONFIRM=yes."; exit 1; fi; \
	if [ "$$answer" = yes ]; then rm -rf data && echo "data/ deleted."; else echo "Kept data/."; exit 1; fi
