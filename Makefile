# slmmux — see README.md. Every target installs what it needs itself.
GO       ?= go
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -s -w -X main.version=$(VERSION)
FUZZTIME ?= 5s

.PHONY: build test unit compat race fuzz bench demo lint layering daemon deps train clean release

build:
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/slmmux ./cmd/slmmux

# Static binaries (CGO off) for the edge, the version stamped:
# $(DIST)/slmmux-OS-ARCH for each of $(TARGETS). docs/deploy.md runs one as a
# systemd service.
DIST    ?= dist
TARGETS ?= linux/amd64 linux/arm64 darwin/arm64
release:
	@mkdir -p $(DIST)
	@for t in $(TARGETS); do \
	  os=$${t%/*}; arch=$${t#*/}; \
	  echo "building $(DIST)/slmmux-$$os-$$arch ($(VERSION))"; \
	  CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(DIST)/slmmux-$$os-$$arch ./cmd/slmmux || exit 1; \
	done

# The pinned Ollama daemons that tests start privately (built once, cached):
# v0.24.0, the default, and v0.6.5 for the compatibility job.
daemon:
	@scripts/ollama.sh build >/dev/null
	@SLMMUX_OLLAMA_VERSION=v0.6.5 scripts/ollama.sh build >/dev/null

# Debian packages some tests use (headless Chromium, CPU PyTorch); nothing
# else installs any.
deps:
	@scripts/deps.sh

# Lint (gofmt, vet, staticcheck, layering, tidy), all tests, including those
# against a real daemon, and the engine and store tests under the race
# detector. Each fuzz target's seed corpus runs as a test (go test does);
# random exploration is `make fuzz`, never part of make test: a finding
# there is a bug to fix, not a lottery for an unrelated change.
test: daemon deps lint
	$(GO) test -count=1 -timeout 20m ./...
	$(MAKE) --no-print-directory compat race

# The compatibility job: the adapter's tests and one live eval against the
# old daemon (v0.6.5), so both an old and a current Ollama stay supported.
compat:
	SLMMUX_OLLAMA_VERSION=v0.6.5 $(GO) test -count=1 -timeout 10m ./models/ollama/...
	SLMMUX_OLLAMA_VERSION=v0.6.5 $(GO) test -count=1 -timeout 10m -run "TestReducedDemoBeatsBestSingleModel|TestDemoModelsMatchPyTorchGolden|TestAskPlainQuestionOnDemoModels" ./cmd/slmmux

# Offline tests only: no daemon is built or started, nothing is installed.
unit:
	$(GO) test -count=1 -short ./...

# The engine and run-store tests (fakes, no daemon) under the race detector.
race:
	$(GO) test -count=1 -short -race ./engine/...

# Random exploration of every fuzz target for FUZZTIME each (make fuzz
# FUZZTIME=5m for a long run); a failing input is written to the target's
# testdata/fuzz corpus, which go test then runs.
fuzz:
	@FUZZTIME=$(FUZZTIME) scripts/fuzz.sh

bench: daemon
	scripts/bench.sh

# The demo needs only the binary and one daemon: a reachable one (OLLAMA_HOST,
# or the default port), else the ollama on PATH, else the pinned current one,
# built once from the Go module proxy (no system package).
demo: build
	bin/slmmux demo

lint: layering
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt: run gofmt -w on the files above"; exit 1; }
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...
	$(GO) mod tidy -diff

# The import rules of the layout (docs/development.md): the pure packages do no I/O and
# know no backend; engine and models never import cmd or hardware, and never
# speak in flag names (only cmd writes sentences for the command line).
layering:
	@! $(GO) list -deps ./engine/mux ./engine/search ./engine/sched | grep -E 'slmmux/(engine/runstore|models/ollama|hardware)$$' || { echo "layering: a pure engine package imports the store, a backend or the probe"; exit 1; }
	@! $(GO) list -deps ./engine/... ./models/... | grep -E 'slmmux/(cmd|hardware)(/|$$)' || { echo "layering: engine or models imports cmd or hardware"; exit 1; }
	@! $(GO) list -deps ./engine/... | grep -E 'slmmux/models/ollama(/|$$)|ollama/ollama' || { echo "layering: engine imports the Ollama adapter"; exit 1; }
	@! grep -rnE '"([^"]*[^-])?--[a-z]' --include='*.go' engine models | grep -v '_test.go:' || { echo "layering: a library names a flag (return a typed error; cmd writes the sentence)"; exit 1; }

# Retrain the embedded demo models (needs Debian's python3-torch; not part of make test;
# about 30 minutes on one core), choosing the temperature and k on the validation set,
# then convert them with the project's GGUF writer and record their digests.
train:
	/usr/bin/python3 scripts/train_demo.py --out models/demo
	$(GO) run ./models/demo/cmd/demo-pack -dir models/demo

clean:
	rm -rf bin
