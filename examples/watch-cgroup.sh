#!/bin/sh
# watch-cgroup.sh [ID]: print a running container's memory and pids counters
# once a second, straight from its cgroup files, until the container exits
# (minictr removes the cgroup then, so this is the only time to look).
#
# Without ID it waits for the newest container under $MINICTR_ROOT
# (default /var/lib/minictr) that has a cgroup, i.e. is running. Start it in a
# second terminal, then start the container in the first. Run it as root:
#   sudo ./watch-cgroup.sh
# Works on cgroup v2 (one directory, memory.current ...) and v1 (one
# directory per controller, memory.usage_in_bytes ...). docs/05-cgroups.md
root=${MINICTR_ROOT:-/var/lib/minictr}

# cgroup_dirs ID: the container's cgroup directories, one per line.
cgroup_dirs() { find /sys/fs/cgroup -maxdepth 8 -type d -path "*/minictr/$1" 2>/dev/null; }

id=$1
if [ -z "$id" ]; then
	echo "waiting for a container to start (sudo minictr run ...) ..."
	while [ -z "$id" ]; do
		# shellcheck disable=SC2045 # IDs are hex digits: no spaces to split
		for c in $(ls -t "$root/containers" 2>/dev/null); do
			[ -n "$(cgroup_dirs "$c")" ] && { id=$c; break; }
		done
		[ -n "$id" ] || sleep 0.2
	done
fi
dirs=$(cgroup_dirs "$id")
[ -n "$dirs" ] || { echo "no cgroup for container $id: is it running?" >&2; exit 1; }
echo "container $(echo "$id" | cut -c1-12), cgroup:"
echo "$dirs" | sed 's/^/  /'

# v2 has memory.current in the one directory; v1 has it in .../memory/...
mem=$(for d in $dirs; do [ -f "$d/memory.current" ] || [ -f "$d/memory.usage_in_bytes" ] && echo "$d"; done | head -n 1)
pids=$(for d in $dirs; do [ -f "$d/pids.current" ] && echo "$d"; done | head -n 1)
mb() { awk '{ if ($1 == "max" || $1 > 1e18) print "max"; else printf "%.1fM", $1 / 1048576 }' "$1"; }
field() { awk -v k="$2" '$1 == k { print $2 }' "$1"; }

while [ -d "$mem" ] || [ -d "$pids" ]; do
	line=$(date +%T)
	if [ -f "$mem/memory.current" ]; then # cgroup v2
		line="$line  memory.current=$(mb "$mem/memory.current") max=$(mb "$mem/memory.max")"
		[ -f "$mem/memory.peak" ] && line="$line peak=$(mb "$mem/memory.peak")" # Linux 5.19+
		line="$line  memory.events: max=$(field "$mem/memory.events" max) oom_kill=$(field "$mem/memory.events" oom_kill)"
	elif [ -f "$mem/memory.usage_in_bytes" ]; then # cgroup v1
		line="$line  memory.usage_in_bytes=$(mb "$mem/memory.usage_in_bytes") limit=$(mb "$mem/memory.limit_in_bytes")"
		line="$line max_usage=$(mb "$mem/memory.max_usage_in_bytes")"
		line="$line  memory.oom_control: oom_kill=$(field "$mem/memory.oom_control" oom_kill)"
	fi
	if [ -f "$pids/pids.current" ]; then
		line="$line  pids.current=$(cat "$pids/pids.current") max=$(cat "$pids/pids.max") pids.events: max=$(field "$pids/pids.events" max)"
	fi
	# a container that exits half way through the reads is not worth a line
	{ [ -d "$mem" ] || [ -d "$pids" ]; } && echo "$line"
	sleep 1
done 2>/dev/null
echo "cgroup removed: the container has exited and minictr cleaned up"
