package tty

import (
	"errors"
	"io"
	"os"
	"syscall"
)

// Copy shovels bytes between the pty master and the user: in (the host
// terminal, raw) to the master, the master to out. It returns when the
// container's side is closed -- when every process holding the slave has
// exited, a read of the master fails with EIO, and that is the normal end,
// so it returns nil. Other read or write errors are returned. A nil in
// (`minictr run -t` without -i) sends nothing to the container.
//
// Copying from in runs in a goroutine that may stay blocked reading in until
// the next key is pressed (a read of a terminal cannot be interrupted);
// minictr exits right after, so this costs nothing.
func Copy(master *os.File, in io.Reader, out io.Writer) error {
	if in != nil {
		go func() { _, _ = io.Copy(master, in) }()
	}
	_, err := io.Copy(out, master)
	if errors.Is(err, syscall.EIO) {
		return nil
	}
	return err
}
