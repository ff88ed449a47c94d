// Package volume keeps data outside a container's writable layer.
//
// A container's writable layer (its overlay upper/, docs/03-overlay.md)
// lives and dies with the container: `rm` deletes it. A volume is a plain
// directory in the store, <root>/volumes/<name>/_data, that the container's
// init bind-mounts (mount(2) with MS_BIND) over a path such as /data. Writes
// to /data then go to _data on the host, not to upper/, and survive the
// container. The same directory can be mounted into the next container.
//
// The package has three parts, as docker's "local" volume driver does:
//
//	spec.go, name.go     -v parsing: /HOST:CTR (a bind), NAME:CTR (named),
//	                     CTR (anonymous); docker's volume name rule
//	store.go             volumes on disk: create (temp dir + rename), list, remove
//	populate_linux.go    the first mount of an empty volume copies the image's
//	                     files at that path into it (docker does the same),
//	                     the path resolved with openat2(2) RESOLVE_IN_ROOT
//	copy_linux.go        the copy itself, by directory fd, never following
//	                     a symlink
//
// Which containers use which volume is in their config.json
// (container.Config.Volumes); main checks it, under the store lock, before
// a volume is removed.
//
// Man pages: mount(2) (MS_BIND, MS_REMOUNT|MS_RDONLY), openat2(2),
// openat(2) (O_NOFOLLOW), fstatat(2), readlinkat(2), symlinkat(2),
// fchownat(2), utimensat(2), mknodat(2), copy_file_range(2), flock(2),
// rename(2); docker-volume(1), docker-run(1) (--volume).
//
// Docs: docs/08-volumes.md.
package volume
