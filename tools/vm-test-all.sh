#!/usr/bin/env bash
# vm-test-all.sh - run minictr's cgroup, namespace, security and `run` tests again in a
# qemu VM whose cgroups are pure v2 (tools/vm-test.sh), as on the workshop
# VMs. This host may be cgroup v1 or hybrid; the VM makes sure both work.
# Called by `make vm-test` (and so by `sudo make test`). Needs root.
set -euo pipefail
cd "$(dirname "$0")/.."

# On a pure cgroup v2 host (the workshop VM, Ubuntu 24.04) `go test ./...`
# has just run these tests on v2: there is nothing a VM would add.
if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
	echo "vm-test: this host is pure cgroup v2; the tests above ran on it, no VM needed"
	exit 0
fi
if [ "$(uname -m)" != x86_64 ]; then
	echo "vm-test: skipped: the cgroup v2 VM boots an x86-64 Debian kernel, this host is $(uname -m)"
	exit 0
fi

out=$(mktemp -d /tmp/minictr-vm-tests.XXXXXX)
trap 'rm -rf "$out"' EXIT
export CGO_ENABLED=0 # the VM has no C library: static binaries only
go build -o "$out/minictr" .
go test -c -o "$out/cgroups.test" ./cgroups/
go test -c -o "$out/ns.test" ./ns/
go test -c -o "$out/security.test" ./security/
go test -c -o "$out/e2e.test" ./e2e/
go build -o "$out/probe" ./e2e/testdata/probe # e2e/security_test.go's syscall probe
go test -c -o "$out/network.test" ./network/

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
run security -a security/testdata "$out/security.test" -test.v
# bridge, veth, nftables NAT and DNAT with no iptables/nft binary in the VM
run network "$out/network.test" -test.v
# The run tests use the minictr binary built above (there is no Go in the VM)
# and images imported from the VM's own static busybox.
run "minictr run" -a "$out/minictr:/test/minictr" -e MINICTR_BIN=/test/minictr \
	-a "$out/probe:/test/probe" -e MINICTR_PROBE=/test/probe \
	"$out/e2e.test" -test.v -test.run 'TestRun|TestPsRmPrune|TestExec|TestDetach|TestStartManyStopNoTimeout|TestStartConcurrent|TestStopKill|TestPruneDf|TestConcurrentLifecycle|TestVolume|TestAttach|TestRunItDetaches|TestNetwork|TestCommitRunning|TestCommitSaveBadInput|TestDiffRunningAndGone|TestSecurity'
exit $status
