#!/usr/bin/env bash
# commit.sh - how long do the layers going OUT take? One run, one machine,
# peers side by side (timings vary 20-30 % between runs here: compare only
# numbers from the same run). See bench/README.md.
#
#   sudo bench/commit.sh [path/to/minictr]
#
# 1. commit: a busybox container writes ~100 MB in 5,000 files (half random,
#    half zeros: gzip has work to do on both kinds); then
#      minictr commit          (freeze, upper -> OCI tar -> gzip + sha256 -> layer store)
#      tar -czf                (GNU tar + gzip of the same upper directory)
#      podman commit           (the same script in a podman container of the same image)
# 2. save + load of a Debian image (debootstrap minbase, one ~125 MB layer):
#      minictr save / minictr load (into an empty store)  vs  podman save / podman load
#
# The Debian rootfs tarball is taken from $DEB (default /tmp/store9-deb/debian.tar.gz)
# or made with debootstrap from apt's own mirror when it is missing.
set -euo pipefail

MINICTR=$(realpath "${1:-${MINICTR:-./minictr}}")
DEB=${DEB:-/tmp/store9-deb/debian.tar.gz}
here=$(cd "$(dirname "$0")" && pwd)

say() { printf '[commit.sh] %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root: run with sudo"
for t in podman tar gzip; do command -v $t >/dev/null || die "$t missing (apt-get install $t)"; done

W=$(mktemp -d /var/tmp/cb.XXXX)
export MINICTR_ROOT=$W/store
PM=(podman --root "$W/pm/s" --runroot "$W/pm/r" --storage-driver overlay --cgroup-manager=cgroupfs --events-backend=file)
PMRUN=(--runtime runc --network=none --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 --cgroup-parent /minictr-bench-commit)
cleanup() {
	"${PM[@]}" system reset -f >/dev/null 2>&1 || true
	for d in /sys/fs/cgroup/*/minictr-bench-commit /sys/fs/cgroup/minictr-bench-commit; do
		[ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
	done
	"$MINICTR" rm -f big >/dev/null 2>&1 || true
	rm -rf "$W"
}
trap cleanup EXIT

# secs CMD...: run CMD, print its wall time in seconds.
secs() {
	local t0 t1
	t0=$(date +%s.%N)
	"$@" >/dev/null
	t1=$(date +%s.%N)
	printf "%.2f" "$(echo "$t1 - $t0" | bc)"
}

# debian_tar: a Debian minbase rootfs tarball at $DEB.
debian_tar() {
	[ -s "$DEB" ] && return
	command -v debootstrap >/dev/null || apt-get install -y -q debootstrap >/dev/null
	local mirror
	mirror=$(awk '$1 == "deb" && !/security/ { for (i = 2; i <= NF; i++) if ($i ~ /^(https?|file):/) { print $i; exit } }' \
		/etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | head -n1)
	[ -n "$mirror" ] || mirror=$(awk '$1 == "URIs:" && !/security/ { print $2; exit }' /etc/apt/sources.list.d/*.sources | head -n1)
	say "debootstrap --variant=minbase bookworm from $mirror (about a minute)"
	mkdir -p "$(dirname "$DEB")"
	debootstrap --variant=minbase bookworm "$W/deb" "$mirror" >/dev/null
	tar -C "$W/deb" --numeric-owner -czf "$DEB" .
	rm -rf "$W/deb"
}

# --- 1. commit ---
MINICTR="$MINICTR" "$here/../examples/busybox-image.sh" >/dev/null
BIG='for d in $(seq 0 49); do mkdir -p /big/d$d; for f in $(seq 0 99); do
  { head -c 10240 /dev/urandom; head -c 10240 /dev/zero; } > /big/d$d/f$f; done; done'
say "writing ~100 MB in 5,000 files in a minictr container and in a podman one"
"$MINICTR" run --name big busybox sh -c "$BIG"
upper=$("$MINICTR" inspect big | sed -n 's/.*"UpperDir": "\(.*\)".*/\1/p')
[ -d "$upper" ] || die "no UpperDir in inspect big"
say "upper: $(du -sh "$upper" | cut -f1), $(find "$upper" -type f | wc -l) files"
"$MINICTR" save -o "$W/bb.tar" busybox
"${PM[@]}" load -q -i "$W/bb.tar" >/dev/null
"${PM[@]}" run --name big "${PMRUN[@]}" docker.io/library/busybox:latest sh -c "$BIG"
sync
t_commit=$(secs "$MINICTR" commit big big:1)
t_tar=$(secs tar -C "$upper" -czf "$W/upper.tgz" .)
t_podman=$(secs "${PM[@]}" commit -q big localhost/big:1)
layer=$("$MINICTR" inspect big:1 | grep -c '"chainID"')

# --- 2. save + load of Debian ---
debian_tar
"$MINICTR" import "$DEB" debian:bench >/dev/null
t_save=$(secs "$MINICTR" save -o "$W/deb.tar" debian:bench)
t_load=$(secs "$MINICTR" --root "$W/store2" load -i "$W/deb.tar")
"${PM[@]}" load -q -i "$W/deb.tar" >/dev/null
t_psave=$(secs "${PM[@]}" save -q -o "$W/pdeb.tar" docker.io/library/debian:bench)
"${PM[@]}" rmi -f docker.io/library/debian:bench >/dev/null
t_pload=$(secs "${PM[@]}" load -q -i "$W/pdeb.tar")

cat <<END
commit of ~100 MB in 5,000 files ($(du -sh "$upper" | cut -f1) upper; minictr's image has $layer layers)
  minictr commit   ${t_commit} s   (gzip blob $(du -h "$W"/store/blobs/sha256/* 2>/dev/null | sort -h | tail -1 | cut -f1))
  tar -czf         ${t_tar} s   ($(du -h "$W/upper.tgz" | cut -f1))
  podman commit    ${t_podman} s
save + load of Debian minbase (one layer, $(du -h "$DEB" | cut -f1) gzip)
  minictr save     ${t_save} s   ($(du -h "$W/deb.tar" | cut -f1) archive: the kept gzip blob)
  minictr load     ${t_load} s
  podman save      ${t_psave} s   ($(du -h "$W/pdeb.tar" | cut -f1) archive: uncompressed layer)
  podman load      ${t_pload} s
END
