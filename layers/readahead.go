package layers

import (
	"io"
	"sync"
)

// readahead runs the CPU-bound half of unpacking (decompressing and hashing)
// in its own goroutine, so it overlaps the syscall-bound half (creating files)
// instead of alternating with it. `tar -xzf` gets the same effect by running
// gzip as a separate process on the other end of a pipe.
//
// It is a small ring of buffers: the producer fills a free buffer from src
// and sends it down full; the consumer (Read) drains it and hands it back on
// free. With n buffers the producer can run up to n chunks ahead. No
// allocation happens after start-up.
type readahead struct {
	full chan chunk
	free chan []byte
	done chan struct{} // closed by Close: tells the producer to stop
	wg   sync.WaitGroup

	cur  []byte // unread part of the chunk being consumed
	buf  []byte // that chunk's whole buffer, returned to free when drained
	err  error  // sticky producer error (io.EOF at the end)
	once sync.Once
}

type chunk struct {
	buf []byte // buf[:n] holds data
	n   int
	err error // set on the last chunk
}

func newReadahead(src io.Reader, nbuf, size int) *readahead {
	ra := &readahead{
		full: make(chan chunk, nbuf),
		free: make(chan []byte, nbuf),
		done: make(chan struct{}),
	}
	for range nbuf {
		ra.free <- make([]byte, size)
	}
	ra.wg.Add(1)
	go ra.produce(src)
	return ra
}

func (ra *readahead) produce(src io.Reader) {
	defer ra.wg.Done()
	for {
		var buf []byte
		select {
		case buf = <-ra.free:
		case <-ra.done:
			return
		}
		// ReadFull fills whole chunks, so the consumer sees few, large
		// chunks even though decoders return data in small pieces.
		n, err := io.ReadFull(src, buf)
		if err == io.ErrUnexpectedEOF {
			err = io.EOF
		}
		select {
		case ra.full <- chunk{buf, n, err}:
		case <-ra.done:
			return
		}
		if err != nil {
			return
		}
	}
}

func (ra *readahead) Read(p []byte) (int, error) {
	for len(ra.cur) == 0 {
		if ra.buf != nil {
			ra.free <- ra.buf // cannot block: it came from free
			ra.buf = nil
		}
		if ra.err != nil {
			return 0, ra.err
		}
		select {
		case c := <-ra.full:
			ra.buf, ra.cur, ra.err = c.buf, c.buf[:c.n], c.err
		case <-ra.done:
			return 0, io.ErrClosedPipe
		}
	}
	n := copy(p, ra.cur)
	ra.cur = ra.cur[n:]
	return n, nil
}

// Close stops the producer and waits for it, so that nothing reads src after
// Close returns (the caller may close the HTTP body next).
func (ra *readahead) Close() error {
	ra.once.Do(func() { close(ra.done) })
	ra.wg.Wait()
	return nil
}
