// Package layers turns image layer blobs into directories an overlay mount
// can stack: it detects and undoes the compression, unpacks the tar SAFELY
// (no entry may touch anything outside the layer directory), converts OCI
// whiteout files into overlayfs's own whiteouts, names every unpacked layer by
// its chain ID, and keeps them in a content-addressed store:
//
//	<root>/lock                         store-wide flock (LockStore)
//	<root>/tmp/<pid>-<name>-<rand>/     everything is written here, then renamed into place
//	<root>/locks/layer-<chainhex>       per-layer flock (LockLayer)
//	<root>/layers/sha256/<chainhex>/diff/     the unpacked layer == an overlay lowerdir
//	<root>/layers/sha256/<chainhex>/diffid    "sha256:..." of the uncompressed tar
//	<root>/layers/sha256/<chainhex>/parent    parent chain ID (absent for a base layer)
//	<root>/layers/sha256/<chainhex>/size      bytes of the unpacked regular files
//
// A layer directory is complete if and only if it exists under
// layers/sha256: it is built under tmp/ and renamed there in one step.
//
// Read in this order: digest.go (diff IDs and chain IDs), compress.go
// (magic-byte detection), whiteout.go (the pure classification), unpack.go
// (pure name and xattr rules), unpack_linux.go (the loop and the threat
// model), unpack_resolve_linux.go (openat2 RESOLVE_IN_ROOT),
// unpack_entries_linux.go, unpack_sparse_linux.go and
// unpack_whiteout_linux.go (one kind of entry each), then store.go,
// readahead.go, tmp.go and lock.go.
//
// Layers also go out: a container's overlay upper directory holds its
// changes. changes.go (the rules of `docker diff`, pure) and
// changes_linux.go (reading the upper directory against the lower layers)
// list them; export.go (the OCI form of overlayfs's whiteouts and opaque
// directories, pure) and export_linux.go write them as one layer tar for
// `commit`. mountpoints.go leaves out of both the mount points the
// container's init made in the upper directory (docs/09-commit-diff.md).
//
// Specifications: OCI image-spec layer.md ("Whiteouts", "Changeset over
// existing files") and config.md ("Layer DiffID", "Layer ChainID"); the
// kernel's Documentation/filesystems/overlayfs.rst ("whiteouts and opaque
// directories").
//
// Man pages: openat2(2) (RESOLVE_IN_ROOT), openat(2), mkdirat(2),
// symlinkat(2), linkat(2), mknodat(2), fchownat(2), fchmodat(2),
// utimensat(2), setxattr(2), xattr(7), unlinkat(2), rename(2), flock(2),
// kill(2) (signal 0 probes whether a pid is alive), lseek(2) and
// ftruncate(2) (sparse files), tar(5), fstatat(2), readlinkat(2),
// flistxattr(2) and fgetxattr(2) (writing a layer).
//
// Docs chapter: docs/02-layers.md.
package layers
