#!/bin/sh
# forkloop.sh [SECONDS]: start background processes one at a time until the
# kernel refuses, then show the container's pids counters and hold still for
# SECONDS (default 10) so you can look from another terminal. Run it inside a
# container (see README.md):
#   sudo minictr run --rm --pids-limit 20 -v "$PWD":/lab:ro busybox /lab/forkloop.sh

# The container's own cgroup: v2 puts pids.* at the top, v1 under pids/.
cg=/sys/fs/cgroup
[ -f $cg/pids.max ] || cg=/sys/fs/cgroup/pids

# The loop runs in a subshell: busybox sh gives up (exit status 2) when a
# fork fails, and PID 1 should outlive that.
(
	i=0
	while :; do
		sleep 600 &
		i=$((i + 1))
		echo "forkloop: started process number $i (PID $!)"
	done
)
echo "forkloop: the loop stopped, exit status $?"

# Shell builtins only: at the limit even `cat` cannot be started.
read -r current <$cg/pids.current
read -r max <$cg/pids.max
read -r events <$cg/pids.events
echo "forkloop: pids.current=$current pids.max=$max pids.events: $events"
echo "forkloop: holding for ${1:-10} s, then PID 1 exits and the kernel kills the rest"
exec sleep "${1:-10}" # exec: no fork needed, this shell becomes sleep
