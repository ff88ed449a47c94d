#!/bin/sh
# busybox-image.sh: make the image busybox:latest that labs 02-04 run, from
# the host's static busybox, with `minictr import` (a one-layer image, like
# `docker import`). Run it as root: sudo ./busybox-image.sh
#
# The tarball is reproducible, so it is the same layer as the base image of
# lab 01 (01-shared-layers/make-images.sh): import it after lab 01 and look,
# the layer store gets no new directory.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/busybox-rootfs.sh"

minictr=${MINICTR:-minictr}
name=${1:-busybox:latest}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

busybox_rootfs "$work/rootfs"
reproducible_tar "$work/rootfs" "$work/busybox.tar"
gzip -n "$work/busybox.tar"
echo "rootfs: $(find "$work/rootfs" | wc -l) files, busybox.tar.gz: $(wc -c <"$work/busybox.tar.gz") bytes"
"$minictr" import "$work/busybox.tar.gz" "$name"
"$minictr" images
