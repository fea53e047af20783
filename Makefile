# Honeyflow developer entry points. `make install` once, then `make test` or `make demo`.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
export PATH := $(CURDIR)/$(BIN):$(PATH)
# helm renders deploy/helm/honeyflow in tests/deploy (`make helm`, docs/kubernetes.md).
HELM_VERSION := 4.3.2
HELM := $(HOME)/.cache/honeyflow/helm-v$(HELM_VERSION)/helm
GO ?= $(shell command -v go 2>/dev/null || echo /usr/local/go/bin/go)

.PHONY: install test test-unit lint typecheck demo conformance kafka-up kafka-down clean fuzz

install: $(BIN)/honeyflow web/node_modules/.package-lock.json tests/gateway/node/node_modules/.package-lock.json

$(BIN)/honeyflow: pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

# `honeyflow web`'s diagram viewer (bpmn-js) and the browser tests' driver (playwright-core),
# at the versions of web/package-lock.json; served from there, never from a CDN.
web/node_modules/.package-lock.json: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund

# Camunda 8 clients that tests/gateway runs unchanged against `honeyflow gateway` (zbctl's
# static binary, the Node SDK @camunda8/sdk), at the versions of
# tests/gateway/node/package-lock.json.
tests/gateway/node/node_modules/.package-lock.json: tests/gateway/node/package.json tests/gateway/node/package-lock.json
	cd tests/gateway/node && npm ci --no-audit --no-fund

# The whole suite: unit tests and integration tests against real Kafka brokers that the
# test session starts itself (jars fetched with Maven into ~/.cache/honeyflow on first use).
test: install $(HELM)
	$(BIN)/pytest -q

test-unit: install
	$(BIN)/pytest -q -m "not kafka"

# Every fuzz target (tests/fuzz: FEEL parse and evaluate, BPMN load, DMN load+evaluate, the
# command decoder, the engine's handling of wrong commands, the intake of signed commands, the
# tenant and job type escaping into topic names) for MINUTES in total, split evenly;
# prints per target how long it ran and what it found (`make test` runs each for seconds).
MINUTES ?= 10
fuzz: install
	HONEYFLOW_SHARED=$${HONEYFLOW_SHARED:-$(CURDIR)/../shared} $(BIN)/python -m tests.fuzz.run --minutes $(MINUTES)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

demo: install
	$(BIN)/honeyflow demo

kafka-up: install
	$(BIN)/honeyflow kafka up

kafka-down: install
	$(BIN)/honeyflow kafka down

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache *.egg-info web/node_modules \
		tests/gateway/node/node_modules

# FEEL
.PHONY: bench-feel

# FEEL evaluations per second against a plain Python lambda (prints, asserts nothing).
bench-feel: install
	$(BIN)/python benchmarks/feel_bench.py

# DMN TCK FEEL cases from ../shared; rewrites docs/feel-conformance.md; last line is the score.
conformance: install
	$(BIN)/python -m tests.conformance.feel_tck --write-report docs/feel-conformance.md

# DMN TCK level-2 and level-3 cases from ../shared through bpmn.dmn; rewrites
# docs/dmn-conformance.md; last line `dmn-tck: level-2 A/B, level-3 C/D`.
.PHONY: dmn-conformance
dmn-conformance: install
	$(BIN)/python -m tests.conformance.dmn_tck --write-report docs/dmn-conformance.md

# betsy BPMN execution-conformance cases from ../shared (part of `make test` as
# tests/conformance/test_betsy.py); prints each mismatch, last line `betsy: N/M cases match`.
.PHONY: conformance-betsy
conformance-betsy: install
	$(BIN)/python -m tests.conformance.betsy

# BPMN
.PHONY: bench-bpmn

# Parse + validate time: largest MIWG corpus file, a typical process, the whole corpus.
bench-bpmn: install
	$(BIN)/python benchmarks/bpmn_bench.py

# Kafka client
.PHONY: test-kafka-scenarios

# Every engine scenario against two `honeyflow engine` processes on Kafka (slow: two
# processes per scenario, ~15 min); `make test` runs one per family
# (HONEYFLOW_KAFKA_SCENARIOS=subset, the default; =none runs none).
test-kafka-scenarios: install
	HONEYFLOW_KAFKA_SCENARIOS=all $(BIN)/pytest -q -m kafka tests/engine

# Just the engine on three brokers, one SIGKILLed during load (part of `make test`; under a
# minute); the last lines say how long the engine stood still on each partition.
.PHONY: test-three-brokers
test-three-brokers: install
	$(BIN)/pytest -q -rP --show-capture=stdout tests/kafka_runtime/test_three_brokers.py

# Engine
.PHONY: bench-engine

# Engine core in process (audit log kept) against SpiffWorkflow on the same processes.
bench-engine: install
	$(BIN)/python benchmarks/engine_memory_bench.py

# A multi-instance activity over 1,000 / 4,000 / 20,000 items, with and without output collection.
.PHONY: bench-multi-instance
bench-multi-instance: install
	$(BIN)/python benchmarks/multi_instance_bench.py

# Kafka runtime
.PHONY: bench-kafka

# End-to-end one-task instances/s through the engine on a local one-node Kafka, against raw
# Kafka produce-and-consume of the same number of records.
bench-kafka: install
	PYTHONPATH=. $(BIN)/python -m benchmarks.engine_kafka_bench \
		--bootstrap $$($(BIN)/honeyflow kafka up --dir /tmp/honeyflow-bench-kafka --port 0)

# The README's way: a synchronous client from 32 threads creating with results, the README's
# Worker (max_concurrency 64) in its own process; instances/s and the Worker's jobs/s on a
# backlog and against a stand-in engine that keeps up, beside a Worker that waits for each
# answer, and raw Kafka (starts a local Kafka).
.PHONY: bench-readme
bench-readme: install
	PYTHONPATH=. $(BIN)/python -m benchmarks.readme_bench \
		--bootstrap $$($(BIN)/honeyflow kafka up --dir /tmp/honeyflow-bench-kafka --port 0)

# Scale out: a three-node Kafka (started and stopped by the bench), 12 partitions, 1, 2 and 3
# `honeyflow engine` processes in turn, then 3 with one engine and one broker SIGKILLed during
# the load; instances/s and CPU ms per instance for each, and every run's audit log checked
# for exactly once (the exit status). SECONDS of load per run; docs/scaling.md.
.PHONY: bench-scale
SECONDS ?= 60
bench-scale: install
	PYTHONPATH=. $(BIN)/python -m benchmarks.scale_bench --seconds $(SECONDS)

# Gateway
.PHONY: bench-gateway

# The one-task process through `honeyflow gateway` with pyzeebe (client and ZeebeWorker):
# instances/s and create->completion p50/p99 at 200/s open loop, then the same through our Kafka
# client and Worker on the same engine, side by side (starts a local Kafka).
bench-gateway: install
	PYTHONPATH=. $(BIN)/python -m benchmarks.gateway_bench \
		--bootstrap $$($(BIN)/honeyflow kafka up --dir /tmp/honeyflow-bench-kafka --port 0)

# Visibility
.PHONY: bench-exporter

# Exporter throughput (records/s) and lag at 200 one-task instances/s (starts a local Kafka).
bench-exporter: install
	$(BIN)/python benchmarks/exporter_bench.py

# Soak
.PHONY: soak

# MINUTES of steady load, RATE instances/s (open loop, capped at 3,000 unfinished), on a local
# 3-node Kafka with two engines, the exporter and a worker process: a job failing into incidents
# the driver resolves, a timer, a message it correlates. Prints and plots (PNG) latency, engine
# RSS, RocksDB size and exporter lag over time into build/soak/<UTC time>/, says whether each is
# flat, and fails if an instance was lost or doubled (docs/soak.md).
RATE ?= 100
soak: install $(BIN)/.bench-extras
	PYTHONPATH=. $(BIN)/python -m benchmarks.soak --minutes $(MINUTES) --rate $(RATE)

# The optional `bench` dependencies (matplotlib), beside the dev ones.
$(BIN)/.bench-extras: pyproject.toml
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	touch $@

# Kubernetes (deploy/helm/honeyflow, docs/kubernetes.md)
.PHONY: helm helm-lint k8s-check

# helm itself (HELM, above), built from the Go module proxy with `go install` once per
# machine into ~/.cache/honeyflow (as Kafka's jars are); tests/deploy find it there.
helm: $(HELM)
	$(HELM) version

$(HELM):
	GOBIN=$(dir $@) GOFLAGS=-buildvcs=false $(GO) install helm.sh/helm/v$(firstword $(subst ., ,$(HELM_VERSION)))/cmd/helm@v$(HELM_VERSION)

# helm's own checks of the chart (templates, values, Chart.yaml), strict: warnings fail.
helm-lint: $(HELM)
	$(HELM) lint --strict deploy/helm/honeyflow

# The chart rendered with default values and variants (3 engines on 24 partitions, a Kafka
# credentials Secret, a TLS gateway, PostgreSQL, Strimzi topics and users), every object
# validated against the Kubernetes 1.27 and 1.37 schemas, and what Honeyflow needs checked
# (part of `make test`).
k8s-check: install $(HELM)
	HONEYFLOW_HELM=$(HELM) $(BIN)/pytest -q -p no:cacheprovider tests/deploy
