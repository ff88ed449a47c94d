#!/bin/sh
# stop-registry.sh: stop the registry that make-images.sh started (by the
# PID it wrote down, and only if that PID is still a docker-registry).
lab=${LAB:-/tmp/minictr-lab01}
pidfile=$lab/registry.pid
[ -f "$pidfile" ] || { echo "no registry running ($pidfile missing)" >&2; exit 1; }
pid=$(cat "$pidfile")
if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = docker-registry ]; then
	kill "$pid" && echo "stopped registry $(cat "$lab/registry.addr") (PID $pid)"
else
	echo "registry PID $pid is not running" >&2
fi
rm -f "$pidfile"
