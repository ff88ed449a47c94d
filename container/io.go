package container

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"time"

	"github.com/minictr/minictr/tty"
	"golang.org/x/sys/unix"
)

// A container's stdin, stdout and stderr are wired here, once for all the
// ways a container lives: in the foreground (`run`, `start -a`) or
// detached (`run -d`, `start`, through a monitor: monitor.go).

// procIO is where a container's stdio and minictr's own messages about it
// go: this terminal and its log for a foreground run (foregroundIO), the
// log alone for a detached one (detachedIO).
type procIO struct {
	stdin          *os.File              // with -i; nil: /dev/null
	stdout, stderr *os.File              // nil: this process's own
	msgs           io.Writer             // minictr's messages (why it exited); nil: os.Stderr
	childEnds      []*os.File            // closed once the child has its copies
	started        func()                // called once the container's process runs
	drain          func()                // waits for the last output after it exited
	monitor        int                   // PID of the monitor, recorded in state.json
	term           io.Writer             // with -t: where the terminal's output goes
	detached       bool                  // no terminal here: nobody types, no raw mode, no resize
	stdinKeep      *os.File              // detached -i: the write end of stdin, held open until the end
	onTerminal     func(master *os.File) // detached -t: told the pty master once init sent it
	interactive    bool                  // stdin goes to the container (-i)
	size           *unix.Winsize         // detached -t: the attached terminal's size, if one is there
}

// foregroundIO is where the stdio of a container in the foreground (`run`,
// `start -a`) goes: to this terminal, and to its log as well, as docker
// keeps a log of every container, so `minictr logs` shows it later. With
// -t the terminal's output goes both ways, else each stream through a pipe.
func foregroundIO(tty bool, log *LogWriter) (procIO, error) {
	// Go kills a process that writes to a closed stdout or stderr with
	// SIGPIPE, unless the signal is caught: caught, the write returns
	// EPIPE, which copyStream turns into a closed pipe for the container.
	signal.Notify(make(chan os.Signal, 1), unix.SIGPIPE)
	if tty {
		return procIO{stdin: os.Stdin, msgs: os.Stderr, term: io.MultiWriter(os.Stdout, logStream{log, "stdout"})}, nil
	}
	p, err := logIO(log, os.Stderr, os.Stdout, os.Stderr)
	p.stdin = os.Stdin
	return p, err
}

// detachedIO is where a detached container's stdio goes. Its output goes to
// the log: through the pty master with -t (one stream, as a terminal has),
// else through one pipe per stream. With -i (and no -t) its stdin is a
// pipe whose write end the monitor holds open and never writes to, so a
// `sh` or `cat` waits for input instead of reading end-of-file and exiting,
// as with docker's -di. (With -t the terminal itself stays open.)
//
// Everything it prints also goes to the clients of `minictr attach`
// (attach.go), and what they type goes to the terminal or
// to that stdin pipe.
func detachedIO(cfg Config, log *LogWriter, msgs io.Writer, attach *attachServer) (procIO, error) {
	p := procIO{msgs: msgs, term: io.MultiWriter(logStream{log, "stdout"}, attach), detached: true}
	p.onTerminal = func(master *os.File) {
		attach.setInput(master, func(ws *unix.Winsize) { tty.SetSize(int(master.Fd()), ws) })
	}
	if !cfg.Tty {
		var err error
		if p, err = logIO(log, msgs, attach, attach); err != nil {
			return p, err
		}
	}
	if cfg.OpenStdin && !cfg.Tty {
		r, w, err := os.Pipe()
		if err != nil {
			return p, fmt.Errorf("stdin pipe: %w", err)
		}
		p.stdin, p.stdinKeep = r, w
		p.childEnds = append(p.childEnds, r)
		attach.setInput(w, nil)
	}
	p.interactive = cfg.OpenStdin
	return p, nil
}

// logIO connects a container's stdout and stderr to its log: one pipe
// each, read until the last writer in the container has closed it. With
// echo (a foreground run: this process's stdout and stderr) each stream is
// also copied there as it is read, not line by line, so a prompt without a
// newline shows at once.
func logIO(log *LogWriter, msgs io.Writer, echo ...io.Writer) (procIO, error) {
	var wg sync.WaitGroup
	p := procIO{msgs: msgs, drain: wg.Wait}
	for i, stream := range []string{"stdout", "stderr"} {
		r, w, err := os.Pipe()
		if err != nil {
			return p, fmt.Errorf("log pipe: %w", err)
		}
		p.childEnds = append(p.childEnds, w)
		var tee *echoWriter
		if i < len(echo) {
			tee = &echoWriter{w: echo[i]}
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer r.Close()
			copyStream(log, stream, r, tee, msgs)
		}()
	}
	p.stdout, p.stderr = p.childEnds[0], p.childEnds[1]
	return p, nil
}

// copyStream copies one stream of the container into the log, and to tee
// if there is one. If tee fails, its reader went away (`minictr run IMG yes
// | head -1`): copyStream returns, the caller closes the pipe, and the
// container's next write fails with EPIPE, exactly as if it had written to
// that pipe itself. If the log fails (a full disk), the output still goes
// on to tee, or is read and dropped: a container must never block on a
// full pipe.
func copyStream(log *LogWriter, stream string, r io.Reader, tee *echoWriter, msgs io.Writer) {
	src := r
	if tee != nil {
		src = io.TeeReader(r, tee)
	}
	err := log.Copy(stream, src)
	switch {
	case err == nil:
	case tee != nil && tee.err != nil:
	default:
		fmt.Fprintln(msgs, "minictr: log: "+err.Error())
		out := io.Discard
		if tee != nil {
			out = tee
		}
		io.Copy(out, r)
	}
}

// echoWriter remembers that a write failed, to tell its error from the log's.
type echoWriter struct {
	w   io.Writer
	err error
}

func (e *echoWriter) Write(b []byte) (int, error) {
	n, err := e.w.Write(b)
	if err != nil {
		e.err = err
	}
	return n, err
}

// logStream writes each Write as one entry of a stream of the log.
type logStream struct {
	log    *LogWriter
	stream string
}

func (l logStream) Write(b []byte) (int, error) {
	return len(b), l.log.Write(LogEntry{Stream: l.stream, Time: time.Now().UTC(), Log: string(b)})
}
