# minictr: `make` builds the static binary; `sudo make test` installs what the
# tests need (Debian packages) and runs every test, the real ones too.
# sudo's PATH often lacks /usr/local/go/bin: find go there too, and let the
# tests (which build minictr with go) find it the same way.
GO ?= $(or $(shell command -v go 2>/dev/null),/usr/local/go/bin/go)
export PATH := $(dir $(GO)):$(PATH)
export CGO_ENABLED = 0

minictr: $(shell find . -name '*.go' -not -path './.vagrant/*') go.mod go.sum
	$(GO) build -trimpath -o $@ .

.PHONY: test vm-test vet
test: minictr
	tools/test-deps.sh
	$(GO) vet ./...
	$(MAKE) --no-print-directory cross
	$(GO) test -count=1 ./... # -count=1: real runs every time, never cached results
	@if [ "$$(id -u)" = 0 ]; then $(MAKE) --no-print-directory vm-test; \
	else echo "vm-test: skipped (needs root for the cgroup v2 VM): run \`sudo make test\`"; fi

# The cgroup and run tests again, inside a qemu VM with a pure cgroup v2
# hierarchy (this host is hybrid v1). See docs/05-cgroups.md.
vm-test:
	tools/vm-test-all.sh

# minictr is Linux-only, but it must still build on the CPUs and systems
# students bring: arm64 (the VM on an Apple Silicon Mac) and macOS itself,
# where an editor runs gopls and `go vet` (Linux-only code sits in *_linux.go
# and returns errors.ErrUnsupported elsewhere).
.PHONY: cross
cross:
	GOARCH=arm64 $(GO) build -o /dev/null .
	GOOS=darwin $(GO) vet ./...
