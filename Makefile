# slmmux — see README.md. Every target installs what it needs itself.
GO       ?= go
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -s -w -X main.version=$(VERSION)
FUZZTIME ?= 5s

.PHONY: build test unit fuzz bench demo lint daemon deps train clean

build:
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/slmmux ./cmd/slmmux

# The pinned Ollama daemon that tests start privately (built once, cached).
daemon:
	@scripts/ollama.sh build >/dev/null

# Debian packages some tests use (headless Chromium, CPU PyTorch).
deps:
	@scripts/deps.sh

# All tests, including those against a real daemon, plus short fuzz runs.
test: daemon deps
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 20m ./...
	$(MAKE) --no-print-directory fuzz

unit:
	$(GO) test -count=1 -short ./...

fuzz:
	@for t in FuzzMathExtract FuzzGSM8KExtract FuzzLetterExtract FuzzExprParse; do \
	  $(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) ./engine/benchmark/ || exit 1; \
	done
	$(GO) test -run '^$$' -fuzz '^FuzzRead$$' -fuzztime $(FUZZTIME) ./models/gguf/

bench: daemon
	scripts/bench.sh

demo: build daemon
	bin/slmmux demo

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt: run gofmt -w on the files above"; exit 1; }
	$(GO) vet ./...
	@$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./... || echo "staticcheck unavailable or failed (see above)"
	$(GO) mod tidy -diff

# Retrain the embedded demo models (needs Debian's python3-torch; not part of make test),
# then convert them with the project's GGUF writer and record their digests.
train:
	/usr/bin/python3 scripts/train_demo.py --out models/demo --temperature 0.3
	$(GO) run ./models/demo/cmd/demo-pack -dir models/demo

clean:
	rm -rf bin
