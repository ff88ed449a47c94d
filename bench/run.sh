#!/usr/bin/env bash
# run.sh - how long does it take to start a container and see it exit?
# `minictr run --rm --net none IMG /bin/true` against runc, crun, podman and
# the bare kernel floor (unshare + chroot), all on the same busybox rootfs,
# timed by hyperfine in ONE run (timings here vary 20-30 % between runs, so
# only numbers from the same run compare). See bench/README.md.
#
#   sudo bench/run.sh [path/to/minictr]
#   sudo MINICTR=./minictr RUNS=30 WARMUP=3 ROUNDS=3 PODMAN=0 bench/run.sh
#
# Without a path (or MINICTR) it runs `make` and uses ./minictr. Results go
# to bench/out/run-<time>.{md,json} (OUT=dir to change). Everything it makes
# (rootfs, image store, OCI bundle, runtime state, cgroups, mounts) is
# removed when it exits, whatever happens. No network is used.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
MINICTR=${1:-${MINICTR:-}}
RUNS=${RUNS:-30}
WARMUP=${WARMUP:-3}
ROUNDS=${ROUNDS:-1}
PODMAN=${PODMAN:-1}
OUT=${OUT:-$REPO/bench/out}
TMPBASE=${TMPBASE:-/var/tmp} # on disk, like /var/lib/minictr
IMG=bench/busybox:run
ID=minictr-bench-$$ # container ids and the cgroup every peer runs under

say() { printf '[run.sh] %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

# quote ARGS...: one command line, each word quoted (when it needs it) for
# sh and for hyperfine -N, which splits words as sh does.
quote() {
	local out="" w
	for w in "$@"; do
		case $w in
		'' | *[!A-Za-z0-9_./:=,+@%-]*) w="'${w//\'/\'\\\'\'}'" ;;
		esac
		out+="${out:+ }$w"
	done
	printf '%s' "$out"
}

[ "$(id -u)" = 0 ] || die "needs root (mounts, namespaces, cgroups): run with sudo"

# need CMD PACKAGE: install a missing tool from Debian, as tools/test-deps.sh does.
need() {
	command -v "$1" >/dev/null 2>&1 && return
	say "installing $2 (for $1)"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$2" >/dev/null ||
		die "apt-get install $2 failed"
}
need hyperfine hyperfine
need runc runc
need crun crun
need jq jq
[ -x /bin/busybox ] || need busybox-static busybox-static # the one at /bin/busybox is static
[ "$PODMAN" = 0 ] || need podman podman

# The minictr under test: the one given, or a fresh `make`.
if [ -z "$MINICTR" ]; then
	say "make -C $REPO"
	make -C "$REPO" --no-print-directory minictr >&2 || die "make failed"
	MINICTR=$REPO/minictr
fi
[ -x "$MINICTR" ] || die "no minictr binary at $MINICTR"
MINICTR=$(realpath "$MINICTR")

# ---- clean-up -------------------------------------------------------------
# Everything lives in $WORK or in cgroups named after $ID (runc, crun,
# podman) or after a container of our own store (minictr). On exit,
# whatever happened: kill what is still running in those cgroups (only
# processes this script started), delete runtime state, remove the cgroups,
# unmount what is mounted under $WORK, remove $WORK.

# cgroup_kill_rm DIR...: kill every process in these cgroup trees, then
# remove the directories, deepest first (rmdir(2) is the only way).
cgroup_kill_rm() {
	local dirs=() left=() pids=() d i
	for d in "$@"; do [ -d "$d" ] && dirs+=("$d"); done
	[ "${#dirs[@]}" = 0 ] && return 0
	mapfile -t pids < <(find "${dirs[@]}" -name cgroup.procs -exec cat {} + 2>/dev/null | sort -u)
	[ "${#pids[@]}" = 0 ] || kill -KILL "${pids[@]}" 2>/dev/null
	for i in $(seq 20); do # EBUSY until the killed have exited
		find "${dirs[@]}" -depth -type d -exec rmdir {} + 2>/dev/null
		left=()
		for d in "${dirs[@]}"; do [ -d "$d" ] && left+=("$d"); done
		[ "${#left[@]}" = 0 ] && return 0
		dirs=("${left[@]}")
		sleep 0.1
	done
	say "warning: could not remove cgroups: ${dirs[*]}"
}

# running PID: the process exists and is not a zombie (an orphan waits
# for PID 1 to reap it, which here can take a while).
running() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	[ "${stat%% *}" != Z ]
}

# stop_hyperfine: end hyperfine at once (it outlives a SIGTERM), then the
# command it was timing (its children, by PID) with SIGTERM, so that a
# runtime still removes its container, and SIGKILL after 3 s.
stop_hyperfine() {
	local pids=() alive=() p i
	[ -n "${HYPERFINE:-}" ] && kill -0 "$HYPERFINE" 2>/dev/null || return 0
	read -ra pids <<<"$(cat /proc/"$HYPERFINE"/task/*/children 2>/dev/null | tr '\n' ' ')"
	kill -KILL "$HYPERFINE" 2>/dev/null
	wait "$HYPERFINE" 2>/dev/null
	[ "${#pids[@]}" = 0 ] && return 0
	kill -TERM "${pids[@]}" 2>/dev/null
	for i in $(seq 30); do
		alive=()
		for p in "${pids[@]}"; do running "$p" && alive+=("$p"); done
		[ "${#alive[@]}" = 0 ] && return 0
		sleep 0.1
	done
	kill -KILL "${alive[@]}" 2>/dev/null
}

cleanup() {
	set +e
	stop_hyperfine
	[ -n "${WORK:-}" ] && [ -d "$WORK" ] || return 0
	local id d groups
	for d in "$WORK"/state/runc/*/; do
		[ -d "$d" ] && runc --root "$WORK/state/runc" delete --force "$(basename "$d")" >/dev/null 2>&1
	done
	for d in "$WORK"/state/crun/*/; do
		[ -d "$d" ] && "${WRAP[@]}" crun --root "$WORK/state/crun" delete --force "$(basename "$d")" >/dev/null 2>&1
	done
	# minictr's groups are <hierarchy>/.../minictr/<container id>; an
	# interrupted `run --rm` leaves containers/<id> (or .rm-<id>) behind.
	for d in "$WORK"/minictr/containers/* "$WORK"/minictr/containers/.rm-*; do
		[ -d "$d" ] || continue
		id=${d##*/}
		id=${id#.rm-}
		mapfile -t groups < <(find /sys/fs/cgroup -type d -path "*/minictr/$id" 2>/dev/null)
		[ "${#groups[@]}" = 0 ] || cgroup_kill_rm "${groups[@]}"
	done
	cgroup_kill_rm /sys/fs/cgroup/"$ID" /sys/fs/cgroup/*/"$ID"
	awk -v w="$WORK/" 'index($2, w) == 1 { print $2 }' /proc/self/mounts | sort -r | xargs -r -n1 umount -l
	rm -rf "$WORK"
}

WORK=$(mktemp -d "$TMPBASE/minictr-run.XXXXXX")
WRAP=()
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- the rootfs, the image and the bundle ---------------------------------

# make_rootfs DIR: busybox (static) with a symlink per applet where
# `busybox --list-full` says it lives, plus the /etc files a container
# expects and the empty mount points /dev, /proc, /sys.
make_rootfs() {
	local r=$1 p
	mkdir -p "$r"/{bin,sbin,usr/bin,usr/sbin,etc,dev,proc,sys,root,tmp}
	chmod 1777 "$r/tmp"
	chmod 700 "$r/root"
	cp /bin/busybox "$r/bin/busybox"
	/bin/busybox --list-full | while read -r p; do
		[ "$p" = bin/busybox ] && continue # the binary itself, not a link to it
		mkdir -p "$r/$(dirname "$p")"
		ln -sf /bin/busybox "$r/$p"
	done
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$r/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' >"$r/etc/group"
	printf '127.0.0.1\tlocalhost\n::1\tlocalhost\n' >"$r/etc/hosts"
	echo bench >"$r/etc/hostname"
}

# make_bundle DIR ROOTFS: an OCI bundle from `runc spec`, edited to run
# /bin/true without a terminal on a writable root, in the same namespaces
# as minictr (runc spec's pid, network, ipc, uts, mount, plus cgroup), in
# a cgroup under $ID so clean-up can find it.
make_bundle() {
	local b=$1 root=$2
	mkdir -p "$b"
	(cd "$b" && runc spec)
	jq --arg root "$root" --arg cg "/$ID/oci" '
		.process.args = ["/bin/true"] | .process.terminal = false |
		.root = {path: $root, readonly: false} |
		.linux.namespaces |= (map(select(.type != "cgroup")) + [{type: "cgroup"}]) |
		.linux.cgroupsPath = $cg' "$b/config.json" >"$b/config.json.new"
	mv "$b/config.json.new" "$b/config.json"
}

say "busybox rootfs, image and bundle in $WORK"
ROOTFS=$WORK/rootfs
make_rootfs "$ROOTFS"
tar -C "$ROOTFS" --numeric-owner -cf "$WORK/rootfs.tar" .
"$MINICTR" --root "$WORK/minictr" import "$WORK/rootfs.tar" "$IMG" >/dev/null
make_bundle "$WORK/bundle" "$ROOTFS"
mkdir -p "$WORK/state/runc" "$WORK/state/crun"

# crun 1.8 refuses a hybrid host (v1 hierarchies plus a cgroup2 mount with
# controllers): "cgroups in hybrid mode not supported, drop all controllers
# from cgroupv2". In a private mount namespace (unshare -m, whose mounts
# never reach the host) an empty file bind-mounted over the cgroup2
# cgroup.controllers makes it see none and use v1. hyperfine itself runs in
# that namespace, made once, so every runtime is timed there and no row pays
# for the wrapper (an unshare + sh + mount per run costs ~14 ms here, more
# than half of crun's own time).
CONTROLLERS=/sys/fs/cgroup/unified/cgroup.controllers
if [ -n "$(cat "$CONTROLLERS" 2>/dev/null)" ]; then # (cgroupfs files all have size 0)
	: >"$WORK/empty"
	WRAP=(unshare -m sh -c "mount --bind $WORK/empty $CONTROLLERS && exec \"\$@\"" wrap)
	say "hybrid cgroups ($CONTROLLERS lists $(cat "$CONTROLLERS")): every runtime is timed inside: $(quote "${WRAP[@]}")"
fi

# ---- what is timed --------------------------------------------------------
# hyperfine -N runs each command without a shell, splitting it into words
# itself (quotes work as in sh), so no shell start-up is timed or subtracted.
names=() commands=()

# bench NAME CMD...: time CMD if one trial run of it exits 0.
bench() {
	local name=$1 err=$WORK/trial.err
	shift
	if "${WRAP[@]}" "$@" >/dev/null 2>"$err"; then
		names+=("$name")
		commands+=("$(quote "$@")")
	else
		say "skipping $name: a trial run failed: $(tail -n3 "$err")"
	fi
}

bench "minictr" "$MINICTR" --root "$WORK/minictr" run --rm --net none "$IMG" /bin/true
bench "runc" runc --root "$WORK/state/runc" run --bundle "$WORK/bundle" "$ID-runc"
bench "crun" crun --root "$WORK/state/crun" run --bundle "$WORK/bundle" "$ID-crun"
if [ "$PODMAN" != 0 ]; then
	podman=(podman --root "$WORK/podman/root" --runroot "$WORK/podman/run" --tmpdir "$WORK/podman/tmp"
		--storage-driver overlay --cgroup-manager=cgroupfs --events-backend=file)
	"${podman[@]}" import --quiet "$WORK/rootfs.tar" "localhost/$IMG" >/dev/null
	bench "podman" "${podman[@]}" run --rm --network=none \
		--ulimit nofile=1024:1024 --ulimit nproc=1024:1024 --cgroup-parent="/$ID/podman" "localhost/$IMG" /bin/true
fi
bench "floor: unshare -fmnuip chroot" unshare -fmnuip chroot "$ROOTFS" /bin/true
# Not a container: starting the minictr binary and opening its store,
# which `run` does twice (run, then the re-executed init).
bench "minictr images (no container)" "$MINICTR" --root "$WORK/minictr" images

[ "${#names[@]}" -gt 0 ] || die "nothing to time"
args=()
for i in "${!names[@]}"; do args+=(--command-name "${names[$i]}" "${commands[$i]}"); done
mkdir -p "$OUT"
stamp=$(date +%Y%m%d-%H%M%S)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
# With ROUNDS > 1 the commands take turns: hyperfine runs all of them
# RUNS/ROUNDS times, ROUNDS times over, so a burst of load from someone
# else's job lands on every row instead of on one.
per_round=$(((RUNS + ROUNDS - 1) / ROUNDS))
jsons=()
for r in $(seq "$ROUNDS"); do
	base=$OUT/run-$stamp
	[ "$ROUNDS" = 1 ] || base+=.round$r
	# In the background, so that Ctrl-C runs our trap at once (bash runs
	# traps only between foreground commands, and hyperfine carries on
	# after a SIGINT).
	"${WRAP[@]}" hyperfine -N --warmup "$WARMUP" --runs "$per_round" --style basic \
		--export-json "$base.json" --export-markdown "$base.md" "${args[@]}" >&2 &
	HYPERFINE=$!
	wait "$HYPERFINE" || die "hyperfine failed"
	HYPERFINE=
	jsons+=("$base.json")
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- the table --------------------------------------------------------------
printf '\nstart->exit of /bin/true in a busybox rootfs; %s runs each (%s round(s)) after %s warm-up, one run\n' \
	"$((per_round * ROUNDS))" "$ROUNDS" "$WARMUP"
printf 'kernel %s, %s CPUs, load average %s before, %s after\n\n' \
	"$(uname -r)" "$(nproc)" "$load_before" "$load_after"
# One line per command, over all rounds: name, median, min, mean
# user+system CPU (seconds).
jq -rs '
	def median: sort | if length % 2 == 1 then .[length / 2 | floor] else (.[length / 2 - 1] + .[length / 2]) / 2 end;
	(.[0].results | map(.command)) as $order |
	[.[].results[]] | group_by(.command) as $g |
	$order[] as $c | ($g[] | select(.[0].command == $c)) |
	[$c, ([.[].times[]] | median), ([.[].min] | min), ([.[] | .user + .system] | add / length)] | @tsv
' "${jsons[@]}" |
	awk -F'\t' '
	BEGIN {
		printf "| %-30s | %9s | %7s | %11s |\n", "runtime", "median ms", "min ms", "user+sys ms"
		printf "|%s|%s:|%s:|%s:|\n", "--------------------------------", "----------", "--------", "------------"
	}
	{
		printf "| %-30s | %9.1f | %7.1f | %11.1f |\n", $1, $2 * 1000, $3 * 1000, $4 * 1000
		m[$1] = $2
		mn[$1] = $3
	}
	function ratio(a, b) {
		if ((a in m) && (b in m) && m[b] > 0 && mn[b] > 0)
			printf "%s / %s: %.2fx (medians), %.2fx (mins)\n", a, b, m[a] / m[b], mn[a] / mn[b]
	}
	END {
		print ""
		ratio("minictr", "crun")
		ratio("minictr", "runc")
		ratio("minictr", "floor: unshare -fmnuip chroot")
	}'
printf '\nhyperfine exports (.json and .md): %s\n' "${jsons[*]%.json}"
