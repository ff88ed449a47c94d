package cli

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/minictr/minictr/image"
)

// progress draws `pull`'s per-layer lines. On a terminal each layer has one
// line that is redrawn in place with a bar; anywhere else (a pipe, a log
// file) a line is printed only when a layer changes status, so logs stay short.
type progress struct {
	w      io.Writer
	tty    bool
	order  []string
	state  map[string]image.Progress
	drawn  int
	status map[string]string
}

func newProgress(f *os.File) *progress {
	fi, err := f.Stat()
	tty := err == nil && fi.Mode()&os.ModeCharDevice != 0
	return &progress{w: f, tty: tty, state: map[string]image.Progress{}, status: map[string]string{}}
}

func (p *progress) update(ev image.Progress) {
	if _, ok := p.state[ev.ID]; !ok {
		p.order = append(p.order, ev.ID)
	}
	p.state[ev.ID] = ev
	if p.tty {
		p.redraw()
		return
	}
	if p.status[ev.ID] != ev.Status {
		p.status[ev.ID] = ev.Status
		fmt.Fprintf(p.w, "%s: %s\n", ev.ID, ev.Status)
	}
}

// redraw moves the cursor up over the lines drawn last time and draws them
// all again (ANSI escapes: ESC[nA cursor up, ESC[2K erase line).
func (p *progress) redraw() {
	var b strings.Builder
	if p.drawn > 0 {
		fmt.Fprintf(&b, "\x1b[%dA", p.drawn)
	}
	for _, id := range p.order {
		fmt.Fprintf(&b, "\x1b[2K%s\n", progressLine(p.state[id]))
	}
	p.drawn = len(p.order)
	io.WriteString(p.w, b.String())
}

// progressLine is "abc123def456: Downloading [=====>     ]  1.2MB/3.4MB"
// (or Pushing, for push).
func progressLine(ev image.Progress) string {
	if (ev.Status != "Downloading" && ev.Status != "Pushing") || ev.Total <= 0 {
		return ev.ID + ": " + ev.Status
	}
	const width = 40
	n := int(ev.Current * width / ev.Total)
	if n > width {
		n = width
	}
	bar := strings.Repeat("=", n)
	if n < width {
		bar += ">" + strings.Repeat(" ", width-n-1)
	}
	return fmt.Sprintf("%s: %s [%s] %8s/%s", ev.ID, ev.Status, bar, HumanSize(ev.Current), HumanSize(ev.Total))
}
