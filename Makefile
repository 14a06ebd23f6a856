# Stencil: `make demo` builds the root build.hcl's targets and runs them;
# `make test` runs every test. Both honour STENCIL_ROOT.
GO ?= go
export PATH := /usr/local/go/bin:$(PATH)
BIN := bin/stencil
export STENCIL_ROOT ?= $(HOME)/.local/share/stencil

.PHONY: all deps build demo test bench clean

all: build

deps:
	./scripts/install-deps.sh

build:
	$(GO) build -o $(BIN) ./cmd/stencil

demo: deps build
	./scripts/busybox-rootfs.sh bin/busybox-rootfs.tar.gz
	SOURCE_DATE_EPOCH=1700000000 $(BIN) import bin/busybox-rootfs.tar.gz busybox:latest
	$(BIN) bake --progress=plain
	$(BIN) images
	$(BIN) run myapp_debug
	$(BIN) run myapp_prod

test: deps
	./scripts/buildkitd.sh >/dev/null || echo "make: building buildkitd failed; the remote-builder tests will be skipped" >&2
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 40m ./...

bench: build
	./scripts/install-deps.sh buildah curl bc
	./bench/run.sh

clean:
	rm -rf bin
