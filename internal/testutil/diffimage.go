package testutil

import "testing"

// DiffScript is what the container does in the diff tests, one action of
// each kind the issue names.
const DiffScript = `set -e
echo new > /etc/new.conf                 # create a file
echo more >> /etc/motd                   # change a file of a lower layer (copy-up)
rm /bin/ls                               # delete a file of a lower layer (whiteout)
rm -rf /opt/tree && mkdir /opt/tree && echo x > /opt/tree/fresh   # replace a directory (opaque)
busybox mkfifo /tmp/fifo                 # a fifo
ln /etc/passwd /root/pw                  # a hard link to a lower file (copies it up)
`

// DiffImage is MultiLayerImage with one fix for peers: the hard
// links of its busybox layer carry the mode of busybox itself (0755), as
// docker writes hard link headers. Hardlink writes 0644, which
// minictr's unpacker (like GNU tar) ignores, since the inode's mode is set
// by its first entry, but containers/storage applies it to the shared inode:
// under podman /bin/busybox would become 0644 and nothing could run.
func DiffImage(t testing.TB) TestImage {
	img := MultiLayerImage(t)
	files := BusyboxRoot(t)
	for i := range files {
		if files[i].Hardlink {
			files[i].Mode = 0o755
		}
	}
	img.Layers[0].Tar = TarLayer(t, files)
	return img
}
