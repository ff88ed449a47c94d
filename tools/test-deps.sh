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
	[busybox]=busybox-static          # real binaries for test images
	[qemu-system-x86_64]=qemu-system-x86 # the cgroup v2 VM
	[cpio]=cpio                       # the VM's initramfs
	[readelf]=binutils                # checks test binaries are static
	[ip]=iproute2
	[vagrant]=vagrant                 # `vagrant validate -p` checks the Vagrantfile (29 MB, ~1 min once)
)
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
