package tty

import (
	"os"
	"os/signal"
	"sync"

	"golang.org/x/sys/unix"
)

// ForwardResize copies the window size of the host terminal hostFd to the
// pty master now and every time the host terminal is resized: the kernel
// tells minictr with SIGWINCH, minictr sets the new size on the master, and
// the kernel sends the container's foreground process group its own
// SIGWINCH. Call stop when the container has exited.
func ForwardResize(hostFd int, master *os.File) (stop func()) {
	return WatchSize(hostFd, func(ws *unix.Winsize) {
		_ = SetSize(int(master.Fd()), ws) // a master whose slave is gone: nothing to resize
	})
}

// WatchSize calls apply with the size of the terminal hostFd now and every
// time it changes (SIGWINCH), until stop is called: ForwardResize sets it
// on a pty master, `minictr attach` sends it to the container's monitor.
func WatchSize(hostFd int, apply func(ws *unix.Winsize)) (stop func()) {
	copySize := func() {
		if ws, err := GetSize(hostFd); err == nil {
			apply(ws)
		}
	}
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, unix.SIGWINCH)
	copySize()
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-ch:
				copySize()
			case <-done:
				return
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			signal.Stop(ch)
			close(done)
		})
	}
}
