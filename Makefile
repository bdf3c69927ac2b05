# presswatch — build, run, test, measure.
# Set-up is two commands: `make run` and `make test` (see README.md).

GO        ?= go
BIN       := bin/presswatch
VERSION   := $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X main.version=$(VERSION)
STATICCHECK_VERSION := v0.8.2
# Shared real-world test data (read, never copied into the repository).
export PRESSWATCH_TESTDATA ?= $(abspath ../shared/testdata)

.PHONY: build run demo test test-short test-faults bench lint eval clean

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

## test-faults: only the fault suite (PostgreSQL stopped, index deleted, disk
## full, NATS nodes killed); see docs/bus.md.
test-faults:
	PRESSWATCH_FAULTS=1 $(GO) test -race -count=1 -timeout 15m -v -run 'TestFaultSuite|TestStoreOutageUnderBacklog' ./cmd/presswatch

test-short:
	$(GO) test -count=1 -short ./...

## bench: run the benchmarks and write docs/BENCHMARKS.md (machine and date included).
bench: build
	$(GO) run ./internal/benchreport -out docs/BENCHMARKS.md

## lint: formatting, vet and staticcheck.
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) ./...

## eval: extraction and classifier quality on the shared test data.
eval: build
	./$(BIN) eval extraction --dir $(PRESSWATCH_TESTDATA)/extraction
	./$(BIN) eval classifier --corpus $(PRESSWATCH_TESTDATA)/corpus/dev.jsonl

clean:
	rm -rf bin
