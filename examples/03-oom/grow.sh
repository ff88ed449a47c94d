#!/bin/sh
# grow.sh [MB ...]: use more and more memory, one step every 3 seconds, and
# say how each step ended. Run it INSIDE a container with a memory limit
# (see README.md):
#   sudo minictr run --rm -m 32m -v "$PWD":/lab:ro busybox /lab/grow.sh
#
# Each step is `dd bs=NM count=1 | sleep 3`: dd mallocs an N MiB buffer and
# fills it from /dev/zero -- every page written, so every page is charged to
# the container's cgroup -- then blocks writing it into a pipe that sleep
# never reads. So dd holds N MiB for 3 s, until sleep exits and dd dies of
# SIGPIPE (exit status 141 = 128 + 13). If N MiB do not fit under the limit,
# the kernel's OOM killer picks a process in the cgroup -- dd, the biggest --
# and kills it with SIGKILL (137 = 128 + 9). This shell, PID 1, survives.
# shellcheck disable=SC3040 # busybox sh has pipefail
set -o pipefail # a pipeline's status is dd's if dd failed, not just sleep's

# shellcheck disable=SC2048 # sizes are plain numbers
for mb in ${*:-8 16 24 48}; do
	echo "grow: dd holds $mb MiB for 3 s"
	# shellcheck disable=SC2216 # sleep must NOT read: that is what makes dd wait
	dd if=/dev/zero bs="${mb}M" count=1 2>/dev/null | sleep 3
	echo "grow:   exit status $?"
done
echo "grow: PID 1 is still here; exiting in 3 s"
exec sleep 3
