#!/usr/bin/env bash
# test-deps.sh - install the Debian packages minictr's tests use, when they
# are missing. Run by `make test` (the README's test command) before
# `go test ./...`. As a normal user it only says what is missing: the tests
# that need those tools skip with a message naming the package.
set -euo pipefail

# command -> Debian package
declare -A need=(
	[docker-registry]=docker-registry # a real OCI registry on loopback
	[skopeo]=skopeo                   # peer oracle: copies images to OCI layouts
	[umoci]=umoci                     # peer oracle: reference unpacker
	[podman]=podman                   # peer oracle: loads what save writes
	[busybox]=busybox-static          # real binaries for test images
	[ip]=iproute2
	[vagrant]=vagrant                 # `vagrant validate -p` checks the Vagrantfile (29 MB, ~1 min once)
)
# The cgroup v2 VM (tools/vm-test-all.sh) runs only on x86-64 hosts that are
# not pure cgroup v2 already (the workshop VM is: it needs no VM).
if [ "$(uname -m)" = x86_64 ] && [ "$(stat -f -c %T /sys/fs/cgroup)" != cgroup2fs ]; then
	need[qemu-system-x86_64]=qemu-system-x86 # the VM itself
	need[cpio]=cpio                          # its initramfs
	need[readelf]=binutils                   # checks test binaries are static
fi
missing=()
for cmd in "${!need[@]}"; do
	command -v "$cmd" >/dev/null 2>&1 || missing+=("${need[$cmd]}")
done
# The test images need the static busybox, not a dynamic one.
if command -v busybox >/dev/null && ! [ -x /bin/busybox ]; then missing+=(busybox-static); fi

if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "test-deps: missing ${missing[*]} (tests that need them will skip; run \`sudo make test\` to install)" >&2
	exit 0
fi
echo "test-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null 2>&1 || {
	apt-get update -q >/dev/null
	apt-get install -y -q --no-install-recommends "${missing[@]}"
}
