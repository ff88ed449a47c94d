#!/usr/bin/env bash
# vm-test-all.sh - run minictr's cgroup, namespace and `run` tests again in a
# qemu VM whose cgroups are pure v2 (tools/vm-test.sh), as on the workshop
# VMs. This host may be cgroup v1 or hybrid; the VM makes sure both work.
# Called by `make vm-test` (and so by `sudo make test`). Needs root.
set -euo pipefail
cd "$(dirname "$0")/.."

out=$(mktemp -d /tmp/minictr-vm-tests.XXXXXX)
trap 'rm -rf "$out"' EXIT
export CGO_ENABLED=0 # the VM has no C library: static binaries only
go build -o "$out/minictr" .
go test -c -o "$out/cgroups.test" ./cgroups/
go test -c -o "$out/ns.test" ./ns/
go test -c -o "$out/minictr.test" .

status=0
run() { # name, then vm-test.sh arguments
	local name=$1; shift
	echo "== vm-test: $name (pure cgroup v2)"
	if ! tools/vm-test.sh "$@"; then
		echo "== vm-test: $name FAILED"
		status=1
	fi
}
run cgroups "$out/cgroups.test" -test.v
run ns "$out/ns.test" -test.v
# The run tests use the minictr binary built above (there is no Go in the VM)
# and images imported from the VM's own static busybox.
run "minictr run" -a "$out/minictr:/test/minictr" -e MINICTR_BIN=/test/minictr \
	"$out/minictr.test" -test.v -test.run 'TestRun'
exit $status
