package layers

import (
	"bytes"
	"context"
	"fmt"
	"io"

	"golang.org/x/sys/unix"
)

// copyData writes size bytes from r to fd as a sparse file: 4 KiB blocks
// that are all zeros are not written at all, only skipped over (pwrite at an
// offset past them), and a final ftruncate(2) sets the size. The skipped
// ranges become holes that use no disk blocks, which is what `tar -S` and
// `cp --sparse` do. Filesystem images and databases in layers are often
// mostly zeros.
func (u *unpacker) copyData(ctx context.Context, fd int, r io.Reader, size int64) error {
	var off, end int64 // end: just past the last byte actually written
	for off < size {
		if err := ctx.Err(); err != nil {
			return err
		}
		n := int(min(size-off, int64(len(u.buf))))
		if _, err := io.ReadFull(r, u.buf[:n]); err != nil {
			return fmt.Errorf("read file data: %w", err)
		}
		e, err := writeSparse(fd, u.buf[:n], off)
		if err != nil {
			return err
		}
		if e > 0 {
			end = e
		}
		off += int64(n)
	}
	if end < size {
		if err := unix.Ftruncate(fd, size); err != nil {
			return fmt.Errorf("ftruncate: %w", err)
		}
	}
	return nil
}

const holeBlock = 4 << 10

var zeroBlock [holeBlock]byte

// writeSparse writes the non-zero blocks of b at file offset off, merging
// neighbouring non-zero blocks into one pwrite(2). It returns the offset just
// past the last byte written, or 0 when b was all zeros.
func writeSparse(fd int, b []byte, off int64) (int64, error) {
	var end int64
	for i := 0; i < len(b); {
		if isZero(b[i:min(i+holeBlock, len(b))]) {
			i += holeBlock
			continue
		}
		j := i + holeBlock // extend the run of non-zero blocks
		for j < len(b) && !isZero(b[j:min(j+holeBlock, len(b))]) {
			j += holeBlock
		}
		j = min(j, len(b))
		if err := pwriteAll(fd, b[i:j], off+int64(i)); err != nil {
			return 0, err
		}
		end = off + int64(j)
		i = j
	}
	return end, nil
}

func isZero(b []byte) bool { return bytes.Equal(b, zeroBlock[:len(b)]) }

func pwriteAll(fd int, b []byte, off int64) error {
	for len(b) > 0 {
		n, err := unix.Pwrite(fd, b, off)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return fmt.Errorf("pwrite: %w", err)
		}
		b, off = b[n:], off+int64(n)
	}
	return nil
}
