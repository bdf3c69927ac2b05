# presswatch — build, run, test, measure.
# Set-up is two commands: `make run` and `make test` (see README.md).

GO        ?= go
BIN       := bin/presswatch
VERSION   := $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X main.version=$(VERSION)
STATICCHECK_VERSION := v0.8.2
GOVULNCHECK_VERSION := v1.9.0
# GOVULNDB: a vulnerability database to use instead of vuln.go.dev (a mirror,
# or file:///path for an offline copy).
GOVULNDB  ?=
# Shared real-world test data (read, never copied into the repository).
export PRESSWATCH_TESTDATA ?= $(abspath ../shared/testdata)

.PHONY: build run demo test test-short test-faults bench lint vulncheck eval clean

build:
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/presswatch

## run: the whole pipeline in one process on embedded defaults (NATS, SQLite, Bleve under ./data).
run: build
	./$(BIN) run

## demo: `run` against presssim (a simulated foreign press on 127.0.0.1) with a local SMTP sink.
demo: build
	./$(BIN) demo

## test: vet, then every test with the race detector. The fault suite runs
## too when PRESSWATCH_FAULTS=1 (.ci/run sets it).
test:
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 40m ./...
	# The classifier's cross-validated floors train ~1,100 models: without
	# the race detector (which skips them), so they cost about a minute.
	$(GO) test -count=1 -timeout 20m -run 'TestCrossValidateDevCorpus' ./classifier
	# The password check against zxcvbn on the whole password corpus (under
	# the race detector it compares an eighth): a few seconds.
	$(GO) test -count=1 -run 'TestAgreesWithZxcvbn' ./internal/pwstrength

## test-faults: only the fault suite (PostgreSQL stopped, index deleted, disk
## full, NATS nodes killed); see docs/bus.md.
test-faults:
	PRESSWATCH_FAULTS=1 $(GO) test -race -count=1 -timeout 15m -v -run 'TestFaultSuite|TestStoreOutageUnderBacklog' ./cmd/presswatch

test-short:
	$(GO) test -count=1 -short ./...

## bench: run the benchmarks and write docs/BENCHMARKS.md (machine and date included).
## Process-level figures come from internal/procbench (crawler vs Miniflux on a farm of
## 10,000 loopback hosts, classifier + indexer over NATS TCP): ~15-25 min on this machine;
## PRESSWATCH_PROCBENCH_{FEEDS,ARTICLE_FEEDS,E2E_ARTICLES,WINDOW,SKIP} scale it down.
## Miniflux and the PostgreSQL rows need PRESSWATCH_TEST_POSTGRES. PRESSWATCH_BENCH_1M=1 adds
## the realistic search at 1,000,000 documents (about 1 h 40 min more); without it the section of
## the last run that had it is kept.
bench: build
	$(GO) run ./internal/benchreport -out docs/BENCHMARKS.md

## lint: formatting, vet, staticcheck and govulncheck.
lint: vulncheck
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) ./...

## vulncheck: known vulnerabilities reachable from our code (govulncheck). It needs
## the vulnerability database; where it cannot be reached it says so and is
## skipped instead of failing (set GOVULNDB to a mirror or file:// copy).
vulncheck:
	@out=$$($(GO) run golang.org/x/vuln/cmd/govulncheck@$(GOVULNCHECK_VERSION) $(if $(GOVULNDB),-db $(GOVULNDB)) ./... 2>&1); rc=$$?; \
	if [ $$rc -ne 0 ] && echo "$$out" | grep -qE 'fetching vulnerabilities|no such host|dial tcp|connection refused|i/o timeout'; then \
		echo "govulncheck: SKIPPED - the vulnerability database cannot be reached from this machine:"; \
		echo "$$out" | grep -E 'fetching vulnerabilities|no such host|dial tcp' | head -1; \
		echo "  (run 'make vulncheck' where vuln.go.dev is reachable, or set GOVULNDB)"; \
	else \
		echo "$$out"; exit $$rc; \
	fi

## eval: extraction and classifier quality on the shared test data.
eval: build
	./$(BIN) eval extraction --dir $(PRESSWATCH_TESTDATA)/extraction
	./$(BIN) eval classifier --corpus $(PRESSWATCH_TESTDATA)/corpus/dev.jsonl

clean:
	rm -rf bin
