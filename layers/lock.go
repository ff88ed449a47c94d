package layers

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// Two minictr processes may work on one store at once (two `minictr run`s
// pulling images that share a base layer). They coordinate with flock(2):
//
//   - an flock is held by an open file description, so it disappears when
//     the holder closes the file or dies: a crashed minictr never leaves a
//     stale lock behind (unlike "lock files" that exist or not);
//   - two open(2)s of one file, even in one process, give two descriptions
//     that exclude each other, so goroutines can use it too.
//
// <root>/lock guards short metadata changes to the whole store.
// <root>/locks/layer-<hex> guards one layer, held across "Has? else download
// and Unpack", so two pulls of the same layer unpack it once: the second
// waits, then finds it present.

// FileLock is a held flock; Unlock releases it.
type FileLock struct {
	fd   int
	once sync.Once
}

// LockStore takes the exclusive store-wide lock <root>/lock, waiting for it
// as long as needed, and then cleans tmp/ of entries left by dead
// processes (safe now: nobody else is committing).
func LockStore(root string) (*FileLock, error) {
	l, err := LockFile(filepath.Join(root, "lock"), unix.O_RDWR|unix.O_CREAT)
	if err != nil {
		return nil, err
	}
	if err := CleanTemp(root); err != nil {
		l.Unlock()
		return nil, fmt.Errorf("clean %s: %w", filepath.Join(root, "tmp"), err)
	}
	return l, nil
}

// LockFile opens name with flags (O_RDWR|O_CREAT for a lock file,
// O_RDONLY|O_DIRECTORY to lock a directory itself) and takes an exclusive
// flock on it, waiting as long as needed.
func LockFile(name string, flags int) (*FileLock, error) {
	fd, err := unix.Open(name, flags|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: name, Err: err}
	}
	for {
		err = unix.Flock(fd, unix.LOCK_EX)
		if err != unix.EINTR {
			break
		}
	}
	if err != nil {
		unix.Close(fd)
		return nil, &os.PathError{Op: "flock", Path: name, Err: err}
	}
	return &FileLock{fd: fd}, nil
}

// Unlock releases the lock (by closing the file). Calling it again is a no-op.
func (l *FileLock) Unlock() error {
	var err error
	l.once.Do(func() { err = unix.Close(l.fd) })
	return err
}

// LockLayer takes the exclusive lock of one layer, waiting until it is free
// or ctx is done, and returns the function that releases it. It always
// tries once before looking at ctx, so with an already-cancelled ctx it is
// a "try lock": it returns ctx.Err() at once if someone else holds it.
//
// The lock file is deleted on unlock (and by Remove). A process that opened
// the file just before that would then lock an inode nobody else can find any more, while
// a newcomer creates and locks a new file: two "holders". So after locking
// we check that the path still names the inode we locked, and retry if not.
func (s *Store) LockLayer(ctx context.Context, chainID string) (unlock func(), err error) {
	hex, err := digestHex(chainID)
	if err != nil {
		return nil, err
	}
	name := filepath.Join(s.root, "locks", "layer-"+hex)
	for {
		fd, err := unix.Open(name, unix.O_RDWR|unix.O_CREAT|unix.O_CLOEXEC, 0o600)
		if err != nil {
			return nil, &os.PathError{Op: "open", Path: name, Err: err}
		}
		if err := flockContext(ctx, fd); err != nil {
			unix.Close(fd)
			return nil, fmt.Errorf("lock layer %s: %w", chainID, err)
		}
		if sameInode(fd, name) {
			l := &FileLock{fd: fd}
			// Unlink while still holding the lock, then release: waiters
			// see the inode change and retry, and no lock file outlives
			// the work it guarded (a failed pull leaves the store as it was).
			// Only the holder unlinks, and only its own inode: the name
			// cannot name a newer lock file while this one is held.
			return func() {
				if sameInode(fd, name) {
					unix.Unlink(name)
				}
				l.Unlock()
			}, nil
		}
		unix.Close(fd)
	}
}

// flockContext takes an exclusive flock on fd, giving up when ctx is done.
// A blocking flock(2) cannot be interrupted by a Go context, so we ask with
// LOCK_NB and wait a little between tries (1 ms, doubling up to 100 ms).
func flockContext(ctx context.Context, fd int) error {
	wait := time.Millisecond
	for {
		err := unix.Flock(fd, unix.LOCK_EX|unix.LOCK_NB)
		if err == nil {
			return nil
		}
		if err != unix.EWOULDBLOCK && err != unix.EINTR {
			return fmt.Errorf("flock: %w", err)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		wait = min(2*wait, 100*time.Millisecond)
	}
}

// sameInode reports whether name still refers to the file open as fd.
func sameInode(fd int, name string) bool {
	var a, b unix.Stat_t
	if unix.Fstat(fd, &a) != nil || unix.Stat(name, &b) != nil {
		return false
	}
	return a.Dev == b.Dev && a.Ino == b.Ino
}
