# Stencil: `make demo` builds the root build.hcl's targets and runs them;
# `make test` runs every test. Both honour STENCIL_ROOT.
GO ?= go
export PATH := /usr/local/go/bin:$(PATH)
BIN := bin/stencil
export STENCIL_ROOT ?= $(HOME)/.local/share/stencil

.PHONY: all deps build go-check demo test bench clean

all: build

deps:
	./scripts/install-deps.sh

build: go-check
	$(GO) build -o $(BIN) ./cmd/stencil

# go-check fails in one line when Go is missing from make's PATH.
go-check:
	@command -v $(GO) >/dev/null 2>&1 || { echo "make: Go ($(GO)) is not in make's PATH: install Go 1.26 (https://go.dev/dl) or run make GO=/path/to/go" >&2; exit 1; }

demo: deps build
	./scripts/busybox-rootfs.sh bin/busybox-rootfs.tar.gz
	SOURCE_DATE_EPOCH=1700000000 $(BIN) import bin/busybox-rootfs.tar.gz busybox:latest
	$(BIN) bake --progress=plain
	$(BIN) images
	$(BIN) run --rm myapp_debug
	$(BIN) run --rm myapp_prod

test: deps go-check
	./scripts/buildkitd.sh >/dev/null || echo "make: building buildkitd failed; the remote-builder tests will be skipped" >&2
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 40m ./...

bench: build
	./scripts/install-deps.sh buildah curl bc time
	./scripts/buildkitd.sh >/dev/null
	./bench/run.sh

clean:
	rm -rf bin
