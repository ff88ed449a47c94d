#!/bin/sh
# busybox-image.sh: make the image busybox:latest that labs 02-06 run, from
# the host's static busybox, with `minictr import` (a one-layer image, like
# `docker import`). Run it as root: sudo ./busybox-image.sh
#
# The tarball is reproducible, so it is the same layer as the base image of
# lab 01 (01-shared-layers/make-images.sh): import it after lab 01 and look,
# the layer store gets no new directory.
#
# Idempotent: when the store already has the image, it says so and imports
# nothing (every import writes a new config with a new creation time, so a
# second import would be a new image ID and leave the old one as <none>).
# `sudo minictr rmi busybox` first to make it again, or pass -f to import it
# anyway (docs/07-lifecycle.md does, to make a dangling <none> image).
#
# Usage: busybox-image.sh [-f] [NAME]   (NAME defaults to busybox:latest)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/busybox-rootfs.sh"

minictr=${MINICTR:-minictr}
force=
if [ "${1:-}" = -f ]; then
	force=1
	shift
fi
name=${1:-busybox:latest}
if [ -z "$force" ] && "$minictr" inspect "$name" >/dev/null 2>&1; then
	echo "$name is already in the store: nothing to do (sudo $minictr rmi $name to make it again)"
	exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

busybox_rootfs "$work/rootfs"
reproducible_tar "$work/rootfs" "$work/busybox.tar"
gzip -n "$work/busybox.tar"
echo "rootfs: $(find "$work/rootfs" | wc -l) files, busybox.tar.gz: $(wc -c <"$work/busybox.tar.gz") bytes"
"$minictr" import "$work/busybox.tar.gz" "$name"
"$minictr" images
