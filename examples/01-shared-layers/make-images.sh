#!/bin/bash
# make-images.sh: build two images by hand, as an OCI image layout, and push
# them to a registry on this machine.
#
#   lab/base:latest  1 layer : a busybox-static root filesystem
#   lab/app:latest   2 layers: the same base layer + one layer with /app/hello.sh
#
# Nothing here knows about containers: a layer is a tarball, an image is two
# JSON files (config and manifest) that name the tarballs by their sha256.
# tar, gzip, sha256sum and printf are all it takes (docs/01-images.md,
# docs/02-layers.md).
#
# Then it starts Debian's/Ubuntu's docker-registry on 127.0.0.1:5000 (or the
# next free port) and copies both images into it with skopeo. Stop the
# registry with ./stop-registry.sh. No root needed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../busybox-rootfs.sh"

lab=${LAB:-/tmp/minictr-lab01}
for tool in tar gzip sha256sum skopeo docker-registry curl ss; do
	command -v "$tool" >/dev/null || {
		echo "missing $tool: sudo apt-get install -y busybox-static docker-registry skopeo curl iproute2" >&2
		exit 1
	}
done
"$here/stop-registry.sh" 2>/dev/null || true
rm -rf "$lab/layout" "$lab/registry-data" "$lab/build"
mkdir -p "$lab/layout/blobs/sha256" "$lab/build"
blobs=$lab/layout/blobs/sha256

case $(uname -m) in
x86_64) arch=amd64 ;; aarch64) arch=arm64 ;; *) arch=$(uname -m) ;;
esac

# sha FILE: the hex sha256 of FILE.
sha() { sha256sum "$1" | cut -d' ' -f1; }

# add_blob FILE: move FILE into the layout under its own digest (content
# addressing: the name IS the hash) and print "sha256:HEX SIZE".
add_blob() {
	local d s
	d=$(sha "$1")
	s=$(wc -c <"$1")
	mv "$1" "$blobs/$d"
	echo "sha256:$d $s"
}

# add_layer DIR: tar DIR, gzip it, store it. Sets diff_id (sha256 of the
# uncompressed tar: what the config lists) and layer_digest/layer_size (of
# the gzip: what the manifest lists and the registry stores).
add_layer() {
	reproducible_tar "$1" "$lab/build/layer.tar"
	diff_id=sha256:$(sha "$lab/build/layer.tar")
	gzip -n -f "$lab/build/layer.tar"
	read -r layer_digest layer_size < <(add_blob "$lab/build/layer.tar.gz")
}

# desc MEDIATYPE DIGEST SIZE: an OCI descriptor, the JSON "pointer" to a blob.
desc() { printf '{"mediaType":"%s","digest":"%s","size":%s}' "$1" "$2" "$3"; }

# add_image CMD DIFF_IDS HISTORY LAYER_DESCS: write the config and the
# manifest, print the manifest's "digest size".
add_image() {
	local cfg
	cfg=$lab/build/config.json
	printf '{"created":"2024-01-01T00:00:00Z","architecture":"%s","os":"linux",' "$arch" >"$cfg"
	printf '"config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":%s},' "$1" >>"$cfg"
	printf '"rootfs":{"type":"layers","diff_ids":[%s]},"history":[%s]}' "$2" "$3" >>"$cfg"
	read -r cd cs < <(add_blob "$cfg")
	printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":%s,"layers":[%s]}' \
		"$(desc application/vnd.oci.image.config.v1+json "$cd" "$cs")" "$4" >"$lab/build/manifest.json"
	add_blob "$lab/build/manifest.json"
}

layer_type=application/vnd.oci.image.layer.v1.tar+gzip
hist() { printf '{"created":"2024-01-01T00:00:00Z","created_by":"%s"}' "$1"; }

# The base layer: a busybox root filesystem.
busybox_rootfs "$lab/build/base"
add_layer "$lab/build/base"
base_diff=$diff_id base_desc=$(desc $layer_type "$layer_digest" "$layer_size")
echo "base layer   $layer_digest  ($layer_size bytes gzip, diff_id $diff_id)"

# The app layer: only what the app adds on top.
mkdir -p "$lab/build/app/app"
# shellcheck disable=SC2016 # $(busybox ...) is for the container's shell, not ours
printf '#!/bin/sh\necho "hello from the app layer; my base layer is $(busybox | head -n 1)"\n' >"$lab/build/app/app/hello.sh"
chmod 755 "$lab/build/app" "$lab/build/app/app" "$lab/build/app/app/hello.sh"
add_layer "$lab/build/app"
app_diff=$diff_id app_desc=$(desc $layer_type "$layer_digest" "$layer_size")
echo "app layer    $layer_digest  ($layer_size bytes gzip, diff_id $diff_id)"

read -r base_m base_ms < <(add_image '["sh"]' "\"$base_diff\"" "$(hist 'busybox-static rootfs')" "$base_desc")
read -r app_m app_ms < <(add_image '["/app/hello.sh"]' "\"$base_diff\",\"$app_diff\"" \
	"$(hist 'busybox-static rootfs'),$(hist 'COPY hello.sh /app/')" "$base_desc,$app_desc")
echo "base image   manifest $base_m"
echo "app image    manifest $app_m"

# index.json lists the images of the layout by name; oci-layout marks the
# directory as one (image-spec: image-layout.md).
ref() { printf '{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"%s"}}' "$1" "$2" "$3"; }
printf '{"schemaVersion":2,"manifests":[%s,%s]}\n' "$(ref "$base_m" "$base_ms" base)" "$(ref "$app_m" "$app_ms" app)" >"$lab/layout/index.json"
printf '{"imageLayoutVersion":"1.0.0"}\n' >"$lab/layout/oci-layout"
rm -rf "$lab/build"

# A registry on loopback: 127.0.0.1:5000, or the next free port.
port=${PORT:-5000}
while [ -n "$(ss -Hltn "sport = :$port")" ]; do port=$((port + 1)); done
addr=127.0.0.1:$port
cat >"$lab/registry.yml" <<YAML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $lab/registry-data
  delete:
    enabled: true
http:
  addr: $addr
YAML
docker-registry serve "$lab/registry.yml" >"$lab/registry.log" 2>&1 &
echo $! >"$lab/registry.pid"
echo "$addr" >"$lab/registry.addr"
for _ in $(seq 50); do
	curl -fsS "http://$addr/v2/" >/dev/null 2>&1 && break
	sleep 0.1
done
curl -fsS "http://$addr/v2/" >/dev/null || { echo "registry did not start, see $lab/registry.log" >&2; exit 1; }
echo "registry     http://$addr (PID $(cat "$lab/registry.pid"), log $lab/registry.log)"

for name in base app; do
	skopeo copy --quiet --dest-tls-verify=false "oci:$lab/layout:$name" "docker://$addr/lab/$name:latest"
	echo "pushed       $addr/lab/$name:latest"
done
echo
echo "REG=$addr"
