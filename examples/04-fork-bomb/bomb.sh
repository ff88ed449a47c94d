#!/bin/sh
# bomb.sh [SECONDS]: a fork bomb that stops itself. Run it INSIDE a container
# with a pids limit (see README.md), never on the host:
#   sudo minictr run --rm --pids-limit 20 -v "$PWD":/lab:ro busybox /lab/bomb.sh
#
# bomb() starts two copies of itself in the background and returns, and each
# copy does the same: the number of processes doubles until fork(2) fails.
# Without a limit that is every PID the machine has. The pids controller
# makes fork fail with EAGAIN at pids.max instead.
#
# PID 1 (this shell) starts a timer first, because at the limit it could not
# start one any more. When PID 1 exits, the kernel kills every process in
# the container's PID namespace: the bomb is over.

# The container's own cgroup: v2 puts pids.* at the top, v1 under pids/.
cg=/sys/fs/cgroup
[ -f $cg/pids.max ] || cg=/sys/fs/cgroup/pids

sleep "${1:-10}" &
timer=$!
read -r max <$cg/pids.max
echo "bomb: pids.max is $max; forking for ${1:-10} s ..."

# shellcheck disable=SC2264 # endless self-invocation is the whole point
bomb() { bomb | bomb & }
bomb 2>/dev/null # each failed fork prints "can't fork": too many to show

wait $timer
# Shell builtins only: at the limit even `cat` cannot be started.
read -r current <$cg/pids.current
read -r events <$cg/pids.events
echo "bomb: pids.current=$current, pids.events: $events (forks refused)"
echo "bomb: PID 1 exits now; the kernel kills the rest of the PID namespace"
