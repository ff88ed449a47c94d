#!/bin/sh
# make-db-image.sh: build the image db:latest for lab 6 by hand and load it
# with `minictr load`. Run it as root: sudo ./make-db-image.sh
#
# db:latest is the busybox layer plus a second layer with a tiny
# "database", /var/lib/db/rows, owned by uid 999 like a real database's
# files, and a config that declares VOLUME /var/lib/db -- what a Dockerfile
#
#	FROM busybox
#	COPY --chown=999:999 db/ /var/lib/db/
#	VOLUME /var/lib/db
#
# would build. The archive is in `docker save` form: one tar per layer, the
# image config (JSON) and manifest.json naming them. Nothing else is needed:
# the config lists each layer's sha256 (diff_ids), minictr checks them.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/busybox-rootfs.sh"

minictr=${MINICTR:-minictr}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mkdir "$work/archive"
busybox_rootfs "$work/rootfs"
reproducible_tar "$work/rootfs" "$work/archive/base.tar" # the same layer as busybox:latest

# Layer 2: the database directory, owned by 999:999 (the tar keeps owners).
mkdir -p "$work/db/var/lib/db"
printf '1|alice\n2|bob\n' >"$work/db/var/lib/db/rows"
chown -R 999:999 "$work/db/var/lib/db"
chmod 750 "$work/db/var/lib/db"
chmod 640 "$work/db/var/lib/db/rows"
tar --sort=name --numeric-owner --mtime='2024-01-01 00:00:00Z' --format=gnu \
	-cf "$work/archive/db.tar" -C "$work/db" var

case $(uname -m) in
x86_64) arch=amd64 ;;
aarch64) arch=arm64 ;;
*) arch=$(uname -m) ;;
esac
base=$(sha256sum <"$work/archive/base.tar" | cut -d' ' -f1)
db=$(sha256sum <"$work/archive/db.tar" | cut -d' ' -f1)
cat >"$work/archive/config.json" <<JSON
{"architecture":"$arch","os":"linux","created":"2024-01-01T00:00:00Z",
 "config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["/bin/sh"],
           "Volumes":{"/var/lib/db":{}}},
 "rootfs":{"type":"layers","diff_ids":["sha256:$base","sha256:$db"]},
 "history":[{"created_by":"ADD busybox /"},{"created_by":"COPY --chown=999:999 db/ /var/lib/db/"},
            {"created_by":"VOLUME [/var/lib/db]","empty_layer":true}]}
JSON
printf '[{"Config":"config.json","RepoTags":["db:latest"],"Layers":["base.tar","db.tar"]}]\n' >"$work/archive/manifest.json"
tar -cf "$work/db-image.tar" -C "$work/archive" manifest.json config.json base.tar db.tar
"$minictr" load -i "$work/db-image.tar"
