package cli

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/minictr/minictr/container"
)

// LogsCmd is `minictr logs`: the output of a detached container, from the
// log.json its monitor writes (container/log.go). It works while the
// container runs and after it exited, until it is removed.
type LogsCmd struct {
	Follow     bool   `short:"f" help:"Keep printing new output until the container exits."`
	Tail       string `default:"all" help:"Print only the last N lines (default: all)." placeholder:"N"`
	Timestamps bool   `short:"t" help:"Prefix each line with the time it was written (RFC 3339)."`
	Container  string `arg:"" help:"Container name or ID (a unique prefix will do)."`
}

// followPoll is how often -f looks for new lines. Polling a file is
// simple and enough for a human reader; inotify(7) would wake us at once.
const followPoll = 100 * time.Millisecond

func (c *LogsCmd) Run(g *Globals) error {
	tail := -1
	if c.Tail != "all" {
		n, err := strconv.Atoi(c.Tail)
		if err != nil || n < 0 {
			return fmt.Errorf("invalid --tail %q: give a number of lines, or all", c.Tail)
		}
		tail = n
	}
	ctr, err := container.Find(g.Root, c.Container)
	if err != nil {
		return err
	}
	entries, off, err := container.ReadLog(ctr.LogPath(), 0)
	if err != nil {
		return err
	}
	if tail >= 0 && len(entries) > tail {
		entries = entries[len(entries)-tail:]
	}
	c.print(entries)
	for c.Follow {
		// Read the state before the log: the monitor writes the last
		// line before it records the exit, so once we see "exited" one
		// more read of the log has everything.
		st, err := ctr.State()
		if err != nil {
			return err
		}
		entries, off, err = container.ReadLog(ctr.LogPath(), off)
		if err != nil {
			return err
		}
		c.print(entries)
		if st.Status != container.Running {
			return nil
		}
		if len(entries) == 0 {
			time.Sleep(followPoll)
		}
	}
	return nil
}

// print writes stdout entries to stdout and stderr ones to stderr, as
// docker does, so `logs 2>/dev/null` keeps only what went to stdout.
func (c *LogsCmd) print(entries []container.LogEntry) {
	for _, e := range entries {
		var w io.Writer = os.Stdout
		if e.Stream == "stderr" {
			w = os.Stderr
		}
		if c.Timestamps {
			fmt.Fprint(w, e.Time.Format(time.RFC3339Nano)+" ")
		}
		fmt.Fprint(w, e.Log)
	}
}
