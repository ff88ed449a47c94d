#!/usr/bin/env bash
# pull.sh - how long does it take to get a 3-layer Debian image out of a
# registry and onto disk? minictr against the tools students already know,
# timed in ONE run on the same machine (timings here vary 20-30 % between
# runs, so only numbers from the same run compare).
#
#   sudo bench/pull.sh [path/to/minictr]      (or MINICTR=... RUNS=... bench/pull.sh)
#
# It builds (once, cached under /var/tmp/minictr-bench) a Debian bookworm
# image of three gzip layers, starts Debian's docker-registry on a free
# loopback port, pushes the image there with skopeo, and times each tool
# with hyperfine, each into an empty directory. See bench/README.md.
# All traffic goes to 127.0.0.1 only (the image build uses apt's mirror).
set -euo pipefail

MINICTR=${1:-${MINICTR:-./minictr}}
RUNS=${RUNS:-5}
CACHE=${CACHE:-/var/tmp/minictr-bench}
SUITE=bookworm
REPO=bench/debian
TAG=$SUITE

say() { printf '[pull.sh] %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

[ "$(id -u)" = 0 ] || die "needs root (debootstrap, podman's storage, owners in unpacked layers): run with sudo"

# need CMD PACKAGE: install a missing tool from Debian, as tools/test-deps.sh does.
need() {
	command -v "$1" >/dev/null 2>&1 && return
	say "installing $2 (for $1)"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$2" >/dev/null ||
		die "apt-get install $2 failed"
}
need debootstrap debootstrap
need docker-registry docker-registry
need skopeo skopeo
need umoci umoci
need podman podman
need hyperfine hyperfine
need curl curl

# apt_mirror prints the Debian mirror apt itself uses (the only archive
# this machine may reach), from sources.list or a deb822 .sources file.
apt_mirror() {
	local m
	m=$(awk '$1 == "deb" && !/security/ { for (i = 2; i <= NF; i++) if ($i ~ /^(https?|file):/) { print $i; exit } }' \
		/etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | head -n1)
	[ -n "$m" ] || m=$(awk '$1 == "URIs:" && !/security/ { print $2; exit }' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n1)
	[ -n "$m" ] || die "no Debian mirror found in /etc/apt/sources.list{,.d/}"
	echo "$m"
}

# build_rootfs: a minimal Debian (~125 MB) made by debootstrap, kept in the cache.
build_rootfs() {
	[ -e "$CACHE/rootfs.complete" ] && return
	local mirror
	mirror=$(apt_mirror)
	say "debootstrap --variant=minbase $SUITE from $mirror (about a minute, once)"
	rm -rf "$CACHE/rootfs.tmp"
	debootstrap --variant=minbase "$SUITE" "$CACHE/rootfs.tmp" "$mirror" >"$CACHE/debootstrap.log" 2>&1 ||
		die "debootstrap failed, see $CACHE/debootstrap.log"
	rm -rf "$CACHE/rootfs"
	mv "$CACHE/rootfs.tmp" "$CACHE/rootfs"
	touch "$CACHE/rootfs.complete"
}

# build_layers: the image's three layers, as `docker build` would have made them.
#   1  ADD rootfs /            everything but /usr/share; /dev left empty (the runtime fills it)
#   2  COPY share /usr/share   docs, locales, man pages, zoneinfo
#   3  RUN rm -rf /usr/share/doc /var/cache/apt /var/lib/apt/lists/*
#      no files at all, only whiteouts: usr/share/.wh.doc, var/cache/.wh.apt
#      and the opaque marker var/lib/apt/lists/.wh..wh..opq
# Each layer is kept as .tar (its sha256 is the diff ID) and .tar.gz (the blob).
build_layers() {
	local L=$CACHE/layers
	[ -e "$L.complete" ] && return
	say "building layers in $L"
	rm -rf "$L" && mkdir -p "$L"
	local root=$CACHE/rootfs tarflags=(--numeric-owner --sort=name --format=posix)
	tar -C "$root" "${tarflags[@]}" --exclude=./usr/share --exclude='./dev/*' -cf "$L/1.tar" .
	tar -C "$root" "${tarflags[@]}" -cf "$L/2.tar" --no-recursion ./usr --recursion ./usr/share
	local s=$L/3.stage
	mkdir -p "$s/usr/share" "$s/var/cache" "$s/var/lib/apt/lists"
	touch "$s/usr/share/.wh.doc" "$s/var/cache/.wh.apt" "$s/var/lib/apt/lists/.wh..wh..opq"
	tar -C "$s" "${tarflags[@]}" --owner=0 --group=0 -cf "$L/3.tar" ./usr ./var
	rm -rf "$s"
	for n in 1 2 3; do gzip -n -6 -c "$L/$n.tar" >"$L/$n.tar.gz"; done
	touch "$L.complete"
}

# add_blob FILE MEDIATYPE: put FILE into the layout as blobs/sha256/<hex>
# and print the fields of its descriptor (mediaType, digest, size).
add_blob() {
	local hex size
	hex=$(sha256sum "$1" | cut -d' ' -f1)
	size=$(stat -c %s "$1")
	ln -f "$1" "$LAYOUT/blobs/sha256/$hex" 2>/dev/null || cp "$1" "$LAYOUT/blobs/sha256/$hex"
	printf '"mediaType":"%s","digest":"sha256:%s","size":%d' "$2" "$hex" "$size"
}

# write_layout: an OCI image layout (oci-layout, index.json, blobs/) that
# skopeo can push: config -> manifest -> index, each a blob named by its digest.
write_layout() {
	LAYOUT=$CACHE/layout
	[ -e "$LAYOUT.complete" ] && return
	rm -rf "$LAYOUT" && mkdir -p "$LAYOUT/blobs/sha256"
	local L=$CACHE/layers layers="" diffids="" n
	for n in 1 2 3; do
		layers+="${layers:+,}{$(add_blob "$L/$n.tar.gz" application/vnd.oci.image.layer.v1.tar+gzip)}"
		diffids+="${diffids:+,}\"sha256:$(sha256sum "$L/$n.tar" | cut -d' ' -f1)\""
	done
	cat >"$CACHE/config.json" <<-EOF
	{"created":"2024-01-01T00:00:00Z","architecture":"$(dpkg --print-architecture)","os":"linux",
	 "config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["bash"]},
	 "rootfs":{"type":"layers","diff_ids":[$diffids]},
	 "history":[{"created_by":"ADD rootfs /"},{"created_by":"COPY share /usr/share"},
	            {"created_by":"RUN rm -rf /usr/share/doc /var/cache/apt /var/lib/apt/lists/*"}]}
	EOF
	printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{%s},"layers":[%s]}' \
		"$(add_blob "$CACHE/config.json" application/vnd.oci.image.config.v1+json)" "$layers" >"$CACHE/manifest.json"
	printf '{"schemaVersion":2,"manifests":[{%s,"annotations":{"org.opencontainers.image.ref.name":"%s"}}]}' \
		"$(add_blob "$CACHE/manifest.json" application/vnd.oci.image.manifest.v1+json)" "$TAG" >"$LAYOUT/index.json"
	echo '{"imageLayoutVersion":"1.0.0"}' >"$LAYOUT/oci-layout"
	touch "$LAYOUT.complete"
}

# free_port prints a loopback TCP port nobody listens on.
free_port() {
	local p
	for p in $(seq 5100 5199); do
		[ -z "$(ss -Htln "sport = :$p")" ] && { echo "$p"; return; }
	done
	die "no free port in 5100-5199"
}

# start_registry runs Debian's docker-registry (distribution 2.8) on
# 127.0.0.1, storing into $WORK; the EXIT trap stops it by its PID.
start_registry() {
	PORT=$(free_port)
	cat >"$WORK/registry.yml" <<-EOF
	version: 0.1
	log: {level: error, accesslog: {disabled: true}}
	storage: {filesystem: {rootdirectory: $WORK/registry}, delete: {enabled: true}}
	http: {addr: "127.0.0.1:$PORT"}
	EOF
	docker-registry serve "$WORK/registry.yml" >"$WORK/registry.log" 2>&1 &
	REGISTRY_PID=$!
	local i
	for i in $(seq 100); do
		curl -fsS "http://127.0.0.1:$PORT/v2/" >/dev/null 2>&1 && return
		kill -0 "$REGISTRY_PID" 2>/dev/null || die "docker-registry exited: $(cat "$WORK/registry.log")"
		sleep 0.1
	done
	die "docker-registry did not answer on 127.0.0.1:$PORT"
}

# cleanup (EXIT trap): stop the registry we started, unmount anything a
# tool left mounted under $WORK (podman's overlay storage), remove $WORK.
cleanup() {
	if [ -n "${REGISTRY_PID:-}" ]; then
		kill "$REGISTRY_PID" 2>/dev/null || true
		wait "$REGISTRY_PID" 2>/dev/null || true
	fi
	if [ -n "${WORK:-}" ] && [ -d "$WORK" ]; then
		awk -v w="$WORK/" 'index($2, w) == 1 { print $2 }' /proc/self/mounts | sort -r | xargs -r -n1 umount -l
		rm -rf "$WORK"
	fi
}

# ---- main ------------------------------------------------------------------
mkdir -p "$CACHE"
build_rootfs
build_layers
write_layout

WORK=$(mktemp -d "$CACHE/run.XXXXXX") # on disk, like /var/lib/minictr
trap cleanup EXIT
start_registry
REF=127.0.0.1:$PORT/$REPO:$TAG
say "pushing $REF"
skopeo copy --quiet --dest-tls-verify=false "oci:$CACHE/layout:$TAG" "docker://$REF"

# Each entry: a name, the command that clears its target, the timed command.
names=() prepares=() commands=()
bench() { names+=("$1"); prepares+=("$2"); commands+=("$3"); }

W=$WORK/out
[ -x "$MINICTR" ] && MINICTR=$(realpath "$MINICTR")
if [ -x "$MINICTR" ] && "$MINICTR" --root "$W/minictr" pull --quiet "$REF" >/dev/null 2>"$WORK/minictr.err"; then
	bench "minictr pull" "rm -rf $W/minictr && sync" "$MINICTR --root $W/minictr pull --quiet $REF"
elif [ -x "$MINICTR" ]; then
	say "skipping minictr: a trial '$MINICTR pull' failed: $(tail -n3 "$WORK/minictr.err")"
else
	say "skipping minictr: no binary at $MINICTR (run \`make\`, or pass its path)"
fi
podman=(podman --root "$W/podman/root" --runroot "$W/podman/run" --storage-driver overlay
	--cgroup-manager=cgroupfs --events-backend=file)
bench "podman pull" "rm -rf $W/podman && sync" \
	"${podman[*]} pull --quiet --tls-verify=false $REF"
bench "skopeo copy + umoci unpack" "rm -rf $W/oci $W/umoci && sync" \
	"skopeo copy --quiet --src-tls-verify=false docker://$REF oci:$W/oci:$TAG && umoci raw unpack --image $W/oci:$TAG $W/umoci"
bench "skopeo copy (no unpack)" "rm -rf $W/oci-only && sync" \
	"skopeo copy --quiet --src-tls-verify=false docker://$REF oci:$W/oci-only:$TAG"
L=$CACHE/layers
bench "tar -xzf of the 3 layers" "rm -rf $W/tar && mkdir -p $W/tar && sync" \
	"tar -xzf $L/1.tar.gz -C $W/tar && tar -xzf $L/2.tar.gz -C $W/tar && tar -xzf $L/3.tar.gz -C $W/tar"

args=()
for i in "${!names[@]}"; do
	args+=(--prepare "${prepares[$i]}" --command-name "${names[$i]}" "${commands[$i]}")
done
mkdir -p "$W"
hyperfine --runs "$RUNS" --warmup 1 --style basic --export-csv "$WORK/times.csv" "${args[@]}" >&2

tar_mb=$(du -cm --apparent-size "$L"/[123].tar | tail -n1 | cut -f1)
gz_mb=$(du -cm --apparent-size "$L"/[123].tar.gz | tail -n1 | cut -f1)
printf '\nDebian %s, 3 layers: %s MB of tar, %s MB gzipped; %s runs each, one machine, one run\n\n' \
	"$SUITE" "$tar_mb" "$gz_mb" "$RUNS"
printf '| %-36s | %10s | %10s |\n' tool "median (s)" "min (s)"
printf '|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..38})" "$(printf -- '-%.0s' {1..12})" "$(printf -- '-%.0s' {1..12})"
# times.csv columns: command,mean,stddev,median,user,system,min,max
tail -n +2 "$WORK/times.csv" | while IFS=, read -r name _ _ median _ _ min _; do
	printf '| %-36s | %10.2f | %10.2f |\n' "$name" "$median" "$min"
done
