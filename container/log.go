package container

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// A container's stdout and stderr are pipes: its monitor (detached) or
// `minictr run` (foreground, which copies them to the terminal as well)
// reads them and appends them to log.json in the container's directory,
// one JSON object per line, in docker's json-file format:
//
//	{"stream":"stdout","time":"2026-11-24T13:05:01.123456789Z","log":"hello\n"}
//
// One object per line means a reader can follow the file while it grows
// (`logs -f`), and the time of each line is kept.

// LogEntry is one line (or one piece of a very long line) of output.
type LogEntry struct {
	Stream string    `json:"stream"` // stdout or stderr
	Time   time.Time `json:"time"`   // when the monitor read it
	Log    string    `json:"log"`    // the bytes, with their newline if they had one
}

// maxLogLine is where a longer line is cut into several entries, as docker
// does at 16 KiB: one chatty container cannot make the monitor buffer
// without end.
const maxLogLine = 16 * 1024

// LogPath is the container's log.json.
func (c *Container) LogPath() string { return filepath.Join(c.Dir, "log.json") }

// LogWriter appends entries to a log. Both streams share one writer, so
// each entry is written whole by one write(2) on an O_APPEND file.
type LogWriter struct {
	mu sync.Mutex
	f  *os.File
}

// OpenLog opens (or creates) the container's log for appending: a container
// started again keeps the log of its earlier runs, as docker's does.
func (c *Container) OpenLog() (*LogWriter, error) {
	f, err := os.OpenFile(c.LogPath(), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open log of %s: %w", c.ShortID(), err)
	}
	return &LogWriter{f: f}, nil
}

// Write appends one entry.
func (w *LogWriter) Write(e LogEntry) error {
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	_, err = w.f.Write(append(b, '\n'))
	return err
}

// Close closes the log file.
func (w *LogWriter) Close() error { return w.f.Close() }

// Copy reads r line by line until EOF and appends each line as an entry of
// stream. A last line without a newline is logged as it is.
func (w *LogWriter) Copy(stream string, r io.Reader) error {
	br := bufio.NewReaderSize(r, maxLogLine)
	for {
		line, err := br.ReadSlice('\n')
		if len(line) > 0 {
			if werr := w.Write(LogEntry{Stream: stream, Time: time.Now().UTC(), Log: string(line)}); werr != nil {
				return werr
			}
		}
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			continue // the rest of a long line comes as the next entry
		case errors.Is(err, io.EOF):
			return nil
		case err != nil:
			return err
		}
	}
}

// ReadLog reads the complete entries of a log from offset on, and returns
// them with the offset after the last complete line: a line the monitor
// is still writing is left for the next call. A missing log (a container
// that never ran) has no entries.
func ReadLog(path string, offset int64) ([]LogEntry, int64, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, offset, nil
	}
	if err != nil {
		return nil, offset, fmt.Errorf("read log: %w", err)
	}
	defer f.Close()
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return nil, offset, fmt.Errorf("read log %s: %w", path, err)
	}
	b, err := io.ReadAll(f)
	if err != nil {
		return nil, offset, fmt.Errorf("read log %s: %w", path, err)
	}
	entries, n, err := ParseLog(b)
	return entries, offset + int64(n), err
}

// ParseLog parses the complete lines of b and says how many bytes they
// took: a last line without its newline is not complete yet.
func ParseLog(b []byte) ([]LogEntry, int, error) {
	var out []LogEntry
	n := 0
	for {
		i := bytes.IndexByte(b[n:], '\n')
		if i < 0 {
			return out, n, nil
		}
		var e LogEntry
		if err := json.Unmarshal(b[n:n+i], &e); err != nil {
			return out, n, fmt.Errorf("read log: line %d: %w", len(out)+1, err)
		}
		out = append(out, e)
		n += i + 1
	}
}
