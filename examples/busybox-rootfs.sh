#!/bin/sh
# busybox-rootfs.sh DIR: fill DIR with a tiny root filesystem made of one
# static busybox binary and a symlink for each of its applets (sh, ls, ps,
# dd, ...), plus the few files a container expects: /etc/passwd, /etc/group
# and empty mount points for /proc, /sys, /dev and /tmp.
#
# Sourced by busybox-image.sh and 01-shared-layers/make-images.sh; run on its
# own it just builds the directory. Needs a *static* busybox (Debian/Ubuntu
# package busybox-static): a dynamic one would need the host's libc inside.
set -eu

busybox_rootfs() {
	dir=$1
	bb=$(command -v busybox) || {
		echo "busybox not found: sudo apt-get install -y busybox-static" >&2
		return 1
	}
	if ldd "$bb" >/dev/null 2>&1; then
		echo "$bb is dynamically linked: sudo apt-get install -y busybox-static" >&2
		return 1
	fi
	mkdir -p "$dir/bin" "$dir/etc" "$dir/root" "$dir/home" "$dir/proc" "$dir/sys" "$dir/dev" "$dir/tmp"
	cp "$bb" "$dir/bin/busybox"
	for applet in $("$bb" --list); do
		[ "$applet" = busybox ] || ln -sf busybox "$dir/bin/$applet"
	done
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n' >"$dir/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' >"$dir/etc/group"
	printf 'Welcome to a busybox container.\n' >"$dir/etc/motd"
	# Fixed modes, so the tarball does not depend on the umask of whoever runs this.
	find "$dir" -type d -exec chmod 755 {} +
	chmod 700 "$dir/root"
	chmod 1777 "$dir/tmp"
	chmod 644 "$dir/etc/passwd" "$dir/etc/group" "$dir/etc/motd"
	chmod 755 "$dir/bin/busybox"
}

# reproducible_tar DIR OUT.tar: a tarball whose bytes depend only on the
# files: sorted names, owner root, one fixed mtime. Two runs give the same
# sha256 -- the same layer.
reproducible_tar() {
	tar --sort=name --owner=0 --group=0 --numeric-owner --mtime='2024-01-01 00:00:00Z' \
		--format=gnu -cf "$2" -C "$1" .
}

if [ "${0##*/}" = busybox-rootfs.sh ]; then
	[ $# -eq 1 ] || { echo "usage: $0 DIR" >&2; exit 2; }
	busybox_rootfs "$1"
fi
