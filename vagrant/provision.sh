#!/usr/bin/env bash
# provision.sh - turn a fresh Ubuntu 24.04 box into the minictr workshop VM.
#
# Vagrant runs it once, as root, at the first `vagrant up` ("setup" in the
# Vagrantfile); `vagrant provision` runs it again. It is safe to re-run.
#   1. packages: make and curl (no C compiler: minictr builds with CGO_ENABLED=0)
#   2. Go, as new as go.mod's `go` line asks for
#   3. minictr: `make` in /vagrant, installed as /usr/local/bin/minictr
#   4. a look at the cgroup hierarchy the kernel mounted
# It pulls no container images. What it downloads: Ubuntu packages, the Go
# tarball, and minictr's Go modules (from proxy.golang.org, as any Go build).
set -euo pipefail

SRC=/vagrant
# Go's official release for Linux, pinned with its SHA-256 from
# https://go.dev/dl/ (the "SHA256 Checksum" column). To move to a newer Go,
# change all three lines together.
GO_VERSION=1.26.8
GO_SHA256_amd64=d0f743b33e8d8945e6b1f432edd15785c70507121d6e2a723b21285eddf8b57b
GO_SHA256_arm64=211ffced9dcb9633a55eac6364816ec0ddd951389a740e88fa8b3337971bdda0

die() { echo "provision: $*" >&2; exit 1; }
step() { echo "==> $*"; }

export DEBIAN_FRONTEND=noninteractive
# On a first boot, unattended-upgrades often holds the dpkg lock for a few
# minutes: wait for it instead of failing.
apt_get() { apt-get -q -o DPkg::Lock::Timeout=600 "$@"; }

step "1/4 packages: make, curl"
apt_get update >/dev/null
apt_get install -y --no-install-recommends make curl ca-certificates >/dev/null

# ---- 2. Go ----
# go.mod's `go` line is the oldest Go that may build the module ("go 1.26.0").
# Ubuntu's golang-go is the simplest way to get Go, and the package manager
# keeps it updated, but an LTS release freezes it: 24.04 has Go 1.22. So we
# ask apt which version it would install, use it if it is new enough, and
# otherwise install Go's official tarball for this VM's CPU. (Only major.minor
# is compared: if go.mod asks for a newer patch release, the go command
# fetches that toolchain itself, see `go help toolchain`.)
want=$(awk '$1 == "go" { print $2; exit }' "$SRC/go.mod")
[ -n "$want" ] || die "no go line in $SRC/go.mod"
want_minor=$(echo "$want" | cut -d. -f1,2) # 1.26.0 -> 1.26
# "2:1.22~2build1" -> "1.22": drop the epoch and the Debian revision.
ubuntu=$(apt-cache policy golang-go | awk '/Candidate:/ { print $2 }' | sed 's/^[0-9]*://; s/[~+-].*//')

if [ -n "$ubuntu" ] && [ "$ubuntu" != "(none)" ] && dpkg --compare-versions "$ubuntu" ge "$want_minor"; then
	step "2/4 Go: go.mod wants $want, Ubuntu's golang-go is $ubuntu: apt-get install golang-go"
	apt_get install -y --no-install-recommends golang-go >/dev/null
else
	step "2/4 Go: go.mod wants $want, Ubuntu's golang-go is only ${ubuntu:-missing}: Go $GO_VERSION from go.dev"
	dpkg --compare-versions "$GO_VERSION" ge "$want" ||
		die "go.mod wants Go $want but this script pins $GO_VERSION: update GO_VERSION and GO_SHA256_* in $0"
	# Debian and Go spell the CPUs the same way: amd64, arm64.
	arch=$(dpkg --print-architecture)
	case $arch in
	amd64) sum=$GO_SHA256_amd64 ;;
	arm64) sum=$GO_SHA256_arm64 ;;
	*) die "no Go tarball checksum for CPU $arch in $0" ;;
	esac
	if [ "$(/usr/local/go/bin/go env GOVERSION 2>/dev/null)" = "go$GO_VERSION" ]; then
		echo "    /usr/local/go is go$GO_VERSION already"
	else
		url=https://go.dev/dl/go$GO_VERSION.linux-$arch.tar.gz
		# Unpack next to the final place, then swap: never a half-unpacked Go.
		tmp=$(mktemp -d /usr/local/.go.XXXXXX)
		trap 'rm -rf "$tmp"' EXIT
		curl -fsSL --retry 3 -o "$tmp/go.tar.gz" "$url" || die "download $url failed"
		echo "$sum  $tmp/go.tar.gz" | sha256sum -c --quiet - || die "$url: SHA-256 is not $sum"
		tar -xzf "$tmp/go.tar.gz" -C "$tmp"
		rm -rf /usr/local/go
		mv "$tmp/go" /usr/local/go
		echo "    $url: SHA-256 ok, unpacked to /usr/local/go"
	fi
	# /usr/local/bin, not /usr/local/go/bin in PATH: sudo resets PATH to its
	# secure_path, which has /usr/local/bin, so `sudo make test` finds go too.
	ln -sf /usr/local/go/bin/go /usr/local/go/bin/gofmt /usr/local/bin/
fi
go version

# ---- 3. minictr ----
# Built as the user who will edit and rebuild it (vagrant), so the binary in
# /vagrant and the Go caches in ~vagrant belong to that user. -B: build even
# if /vagrant/minictr looks up to date -- it may be a macOS binary that a
# `make` on the host left in the shared folder.
user=${SUDO_USER:-vagrant}
[ "$user" != root ] || user=vagrant
step "3/4 minictr: make -B in $SRC (as $user)"
sudo -u "$user" -H make -B -C "$SRC" minictr
install -m 0755 "$SRC/minictr" /usr/local/bin/minictr
echo "    installed /usr/local/bin/minictr"

# ---- 4. cgroups ----
# Pure cgroup v2 mounts one cgroup2 filesystem at /sys/fs/cgroup; v1 and
# hybrid hosts have a tmpfs there with one directory per v1 hierarchy.
fs=$(stat -fc %T /sys/fs/cgroup)
if [ "$fs" = cgroup2fs ]; then
	step "4/4 cgroups: pure v2, controllers: $(cat /sys/fs/cgroup/cgroup.controllers)"
else
	step "4/4 cgroups: /sys/fs/cgroup is $fs, not cgroup2: a v1 or hybrid host"
fi

echo
echo "Ready. Log in with \`vagrant ssh\`, then try: sudo minictr run hello"
