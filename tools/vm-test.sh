#!/usr/bin/env bash
# vm-test.sh - run one static test binary inside a throw-away VM whose cgroups
# are pure v2, and exit with the binary's exit status.
#
# Why: minictr must work on hosts with cgroup v1 (or hybrid, like the dev box)
# AND on the pure cgroup v2 hosts of the workshops. One machine cannot have
# both at once, so the v2 half runs in a VM: Debian's kernel under qemu, with
# a busybox initramfs, booted with cgroup_no_v1=all. No KVM needed (TCG).
#
# Usage: tools/vm-test.sh [-q] [-a SRC[:DST]]... [-e NAME=VALUE]... BINARY [ARGS...]
#   BINARY         a static x86-64 program, e.g. from
#                  `CGO_ENABLED=0 go test -c -o /tmp/cgroups.test ./cgroups/`
#   ARGS           passed to it as they are (e.g. -test.v -test.run TestNew)
#   -a SRC[:DST]   copy file or directory SRC into the VM at DST (default
#                  /test/<basename of SRC>; a relative DST is under /test, the
#                  binary's working directory): testdata, rootfs tarballs
#   -e NAME=VALUE  set an environment variable for the binary
#   -q             quiet: print no console output, only a summary line, and
#                  the last 60 console lines if the run fails
# Environment:
#   VM_TEST_TIMEOUT  seconds the whole VM may take (default 600)
#   VM_TEST_MEM      guest memory (default 1G)   VM_TEST_SMP  vCPUs (default 2)
#   VM_TEST_CACHE    where the kernel is kept (default /var/tmp/minictr-vm)
#   VM_TEST_KVM      1: use KVM (default: TCG, which works everywhere)
#   VM_TEST_CGROUP   run the binary in this v2 cgroup instead of the root one,
#                    with controllers enabled down the path as systemd does
#                    (e.g. /system.slice/ci.service)
# Exit status: the binary's (128+N if it died of signal N, 137 if the in-VM
# timeout killed it), 124 if the VM ran out of time, 125 if the VM itself
# failed (no exit status came back).
#
# Inside the VM: / is a tmpfs, /sys/fs/cgroup is cgroup2 with every
# controller, /proc /sys /dev /dev/pts /dev/shm /tmp /run are mounted, the
# overlay, veth and bridge modules and the nftables ones of network/ (NAT,
# masquerade, conntrack, fib, reject) are loaded, lo is up, busybox provides
# /bin, the binary runs as root in /test. There is no network device.
set -euo pipefail

die() { echo "vm-test: $*" >&2; exit 125; }
usage() { sed -n '/^# Usage:/,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }

ADDS=() ENVS=() QUIET=0
while getopts "a:e:qh" opt; do
	case $opt in
	a) ADDS+=("$OPTARG") ;;
	e) [[ $OPTARG == [A-Za-z_]*=* ]] || die "-e wants NAME=VALUE, got: $OPTARG"; ENVS+=("$OPTARG") ;;
	q) QUIET=1 ;;
	h) usage; exit 0 ;;
	*) usage >&2; exit 125 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || { usage >&2; exit 125; }
BIN=$(readlink -f "$1")
shift
[ -f "$BIN" ] && [ -x "$BIN" ] || die "not an executable file: $BIN"

TIMEOUT=${VM_TEST_TIMEOUT:-600}
CACHE=${VM_TEST_CACHE:-/var/tmp/minictr-vm}
# network/'s nftables rules need nf_tables and the expressions it uses;
# crc32c_generic first: libcrc32c (under nf_tables) asks the crypto API for
# "crc32c" when it loads, a soft dependency that .modinfo's depends= omits.
MODULES="overlay veth bridge crc32c_generic nf_tables nft_chain_nat nft_nat nft_masq nft_ct nft_fib_ipv4 nft_reject_ipv4"

# ---- 1. host tools: Debian packages, installed when missing ----
is_static() { readelf -l "$1" >/dev/null 2>&1 && ! readelf -l "$1" | grep -q 'program interpreter'; }
need=()
command -v qemu-system-x86_64 >/dev/null || need+=(qemu-system-x86)
command -v readelf >/dev/null || need+=(binutils)
command -v cpio >/dev/null || need+=(cpio)
# the guest's whole userland is one static busybox (Debian's busybox-static)
{ command -v readelf >/dev/null && is_static /bin/busybox; } || need+=(busybox-static)
if [ ${#need[@]} -gt 0 ]; then
	[ "$(id -u)" = 0 ] || die "missing packages, run as root to install them: ${need[*]}"
	echo "vm-test: apt-get install ${need[*]}" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null 2>&1 || {
		apt-get update -q >/dev/null 2>&1
		apt-get install -y -q --no-install-recommends "${need[@]}" >&2
	} || die "apt-get install ${need[*]} failed"
fi
is_static /bin/busybox || die "/bin/busybox is not static: install busybox-static"
# The VM has no dynamic loader or libc: a binary must carry everything.
is_static "$BIN" || die "$BIN is dynamically linked: build it with CGO_ENABLED=0"

# ---- 2. the kernel: Debian's, unpacked into a cache, /boot untouched ----
# `apt-get install linux-image-amd64` would run update-initramfs and change
# the host's boot setup; downloading the .deb and unpacking it with
# dpkg-deb -x gives the same vmlinuz and modules without touching anything.
newest_cached() {
	local d
	for d in "$CACHE"/*/boot/vmlinuz-*; do if [ -f "$d" ]; then echo "${d##*/vmlinuz-}"; fi; done | sort -V | tail -n 1
}
KVER=$(newest_cached)
if [ -z "$KVER" ]; then
	# linux-image-amd64 is a metapackage; the kernel is what it depends on.
	resolve() { apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}'; }
	pkg=$(resolve)
	[ -n "$pkg" ] || { apt-get update -q >/dev/null 2>&1 || true; pkg=$(resolve); }
	[ -n "$pkg" ] || die "apt-cache cannot resolve linux-image-amd64 (run apt-get update)"
	echo "vm-test: first run: fetching $pkg into $CACHE (about a minute)" >&2
	mkdir -p "$CACHE"
	tmp=$(mktemp -d "$CACHE/.fetch.XXXXXX")
	(cd "$tmp" && apt-get download -q "$pkg" >/dev/null 2>&1) || { rm -rf "$tmp"; die "apt-get download $pkg failed"; }
	dpkg-deb -x "$tmp"/*.deb "$tmp/x" || { rm -rf "$tmp"; die "dpkg-deb -x $pkg failed"; }
	mv -T "$tmp/x" "$CACHE/${pkg#linux-image-}" 2>/dev/null || true # a parallel run may have won
	rm -rf "$tmp"
	KVER=$(newest_cached)
	[ -n "$KVER" ] || die "no kernel in $CACHE after unpacking $pkg"
fi
KIMG=$CACHE/$KVER/boot/vmlinuz-$KVER
MODDIR=$CACHE/$KVER/lib/modules/$KVER
[ -r "$KIMG" ] || die "no kernel image $KIMG"

WORK=$(mktemp -d /tmp/vm-test.XXXXXX)
R=$WORK/root
trap 'rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM

# ---- 3. kernel modules, dependencies first ----
# A module's dependencies are in its .modinfo section ("depends=stp,llc");
# reading them with readelf spares us depmod and modules.dep.
mkdir -p "$R"/{bin,etc,lib/modules,test}
declare -A loaded=()
add_module() { # $1 = module name
	local name=${1//-/_} f ko dep
	[ -n "${loaded[$name]:-}" ] && return 0
	loaded[$name]=1
	f=$(find "$MODDIR/kernel" -name "$name.ko*" -o -name "${name//_/-}.ko*" | head -n 1)
	if [ -z "$f" ]; then # built into the kernel: nothing to load
		grep -q "/${name}.ko" "$MODDIR/modules.builtin" 2>/dev/null && return 0
		die "module $name not found for $KVER"
	fi
	ko=$R/lib/modules/$name.ko
	case $f in
	*.xz) xz -dc "$f" >"$ko" ;;
	*.zst) zstd -qdc "$f" >"$ko" ;;
	*.gz) gzip -dc "$f" >"$ko" ;;
	*) cp "$f" "$ko" ;;
	esac
	for dep in $(readelf -p .modinfo "$ko" | sed -n 's/.*depends=//p' | tr ',' ' '); do
		add_module "$dep"
	done
	echo "$name.ko" >>"$R/etc/modules"
}
: >"$R/etc/modules"
for m in $MODULES; do add_module "$m"; done

# ---- 4. the initramfs: busybox, an init script, the binary, its data ----
cp /bin/busybox "$R/bin/busybox"
ln -s busybox "$R/bin/sh" # init makes the other applet links
ln -s bin "$R/sbin"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$R/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$R/etc/group"
printf '127.0.0.1 localhost minictr-vm\n::1 localhost\n' >"$R/etc/hosts"
NAME=$(basename "$BIN")
cp "$BIN" "$R/test/$NAME"
for a in ${ADDS[@]+"${ADDS[@]}"}; do
	src=${a%%:*} dst=${a#*:}
	[ "$dst" != "$a" ] || dst=$(basename "$src")
	[[ $dst == /* ]] || dst=/test/$dst
	[ -e "$src" ] || die "-a: no such file: $src"
	mkdir -p "$R$(dirname "$dst")"
	cp -a -H "$src" "$R$dst" # -H: a symlink named on the command line is copied as its target
done

# /etc/test.cmd: what init runs, each word single-quoted for sh
q() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }
{
	for e in ${ENVS[@]+"${ENVS[@]}"}; do printf 'export %s=%s\n' "${e%%=*}" "$(q "${e#*=}")"; done
	printf 'TEST_CGROUP=%s\nTEST_TIMEOUT=%s\nset -- %s' "$(q "${VM_TEST_CGROUP:-}")" $((TIMEOUT > 90 ? TIMEOUT - 45 : TIMEOUT / 2)) "$(q "/test/$NAME")"
	for arg in "$@"; do printf ' %s' "$(q "$arg")"; done
	echo
} >"$R/etc/test.cmd"

cat >"$R/init" <<'EOF'
#!/bin/sh
# Stage 1 runs in the initramfs itself, which is the kernel's "rootfs": the
# root of the whole mount tree, which pivot_root(2) cannot move. A container
# runtime under test needs / to be an ordinary mount, so copy everything into
# a tmpfs and switch_root into it; stage 2 is this script again.
export PATH=/bin
if [ "$1" != stage2 ]; then
	/bin/busybox --install -s /bin
	mkdir /newroot
	mount -t tmpfs -o mode=0755 root /newroot
	for d in /*; do
		case $d in /dev | /newroot | /proc | /sys) ;; *) cp -a "$d" /newroot/ ;; esac
	done
	exec switch_root /newroot /init stage2
fi
mkdir -p /proc /sys /dev /tmp /run /root
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts -o newinstance,ptmxmode=0666 devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
# Pure cgroup v2 (the kernel was booted with cgroup_no_v1=all), mounted the
# way systemd does it; / made shared, as systemd does too.
mount -t cgroup2 -o nsdelegate cgroup2 /sys/fs/cgroup
mount --make-rshared /
while read -r m; do insmod "/lib/modules/$m" || echo "vm-test: insmod $m failed"; done </etc/modules
ip link set lo up
hostname minictr-vm
export HOME=/root TERM=dumb
. /etc/test.cmd
if [ -n "$TEST_CGROUP" ]; then
	# Like systemd running a service: hand the controllers down level by
	# level, then put this shell (and so the binary) into the leaf.
	cg=/sys/fs/cgroup
	for part in $(echo "$TEST_CGROUP" | tr / ' '); do
		for c in $(cat $cg/cgroup.controllers); do echo "+$c" >$cg/cgroup.subtree_control; done
		cg=$cg/$part
		mkdir -p $cg
	done
	echo $$ >$cg/cgroup.procs
fi
cd /test
echo "@@VM-TEST-START@@"
timeout -s KILL "$TEST_TIMEOUT" "$@" </dev/null
echo "@@VM-TEST-EXIT=$?@@"
sync
poweroff -f
EOF
chmod 0755 "$R/init"
(cd "$R" && find . | cpio -o -H newc --quiet) >"$WORK/initrd"

# ---- 5. boot, stream the console, fish the exit status out of it ----
# The serial console goes to a file; `tail --pid` streams it until qemu
# ends. qemu runs under timeout(1), and is stopped if this script is.
# TCG (software emulation) unless VM_TEST_KVM=1: it works on every host.
# A /dev/kvm is not enough to trust KVM: on nested-virtualization hosts
# (this project's CI among them) qemu aborts with `-cpu max` ("failed to
# set MSR 0x10a") and hangs with `-cpu host`.
ACCEL=tcg CPU=max
if [ "${VM_TEST_KVM:-0}" = 1 ] && [ -w /dev/kvm ]; then ACCEL=kvm CPU=host; fi
LOG=$WORK/console.log
: >"$LOG"
start=$(date +%s)
timeout -k 5 "$TIMEOUT" qemu-system-x86_64 -nodefaults -no-user-config -no-reboot \
	-accel "$ACCEL" -cpu "$CPU" -smp "${VM_TEST_SMP:-2}" -m "${VM_TEST_MEM:-1G}" \
	-display none -monitor none -serial "file:$LOG" \
	-kernel "$KIMG" -initrd "$WORK/initrd" \
	-append "console=ttyS0 quiet loglevel=3 panic=-1 rdinit=/init cgroup_no_v1=all mitigations=off random.trust_cpu=on" \
	</dev/null >"$WORK/qemu.err" 2>&1 &
QPID=$!
trap '[ -z "${QPID:-}" ] || kill -TERM "$QPID" 2>/dev/null; rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM
[ "$QUIET" = 1 ] || tail -n +1 -s 0.2 -f --pid="$QPID" "$LOG" | sed -u 's/\r$//' &
qrc=0
wait "$QPID" || qrc=$?
QPID=
wait # for tail
took=$(($(date +%s) - start))

rc=$(sed -n 's/.*@@VM-TEST-EXIT=\([0-9]*\)@@.*/\1/p' "$LOG" | tail -n 1)
if [ -z "$rc" ]; then
	if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
		echo "vm-test: the VM did not finish within ${TIMEOUT}s (VM_TEST_TIMEOUT)" >&2
		rc=124
	else
		echo "vm-test: no exit status from the VM (qemu exit $qrc)" >&2
		sed 's/^/qemu: /' "$WORK/qemu.err" >&2
		rc=125
	fi
fi
if [ "$rc" != 0 ]; then
	[ "$QUIET" = 1 ] && tail -n 60 "$LOG" | sed 's/\r$//' >&2
	cp "$LOG" /tmp/vm-test-last-console.log && echo "vm-test: console log in /tmp/vm-test-last-console.log" >&2
fi
echo "vm-test: $NAME on Linux $KVER ($ACCEL, cgroup v2): exit $rc after ${took}s" >&2
exit "$rc"
