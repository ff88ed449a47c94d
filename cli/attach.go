package cli

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/minictr/minictr/container"
)

// AttachCmd is `minictr attach`: this terminal joins a detached container
// through its monitor (container/attach.go, container/attach_client.go).
// Ctrl-P Ctrl-Q detaches and leaves the container running; when the
// container ends, attach exits with its exit code, as docker's does.
type AttachCmd struct {
	NoStdin    bool   `name:"no-stdin" help:"Do not send this terminal's input to the container."`
	DetachKeys string `name:"detach-keys" default:"ctrl-p,ctrl-q" help:"Keys that detach, docker's syntax: ctrl-<letter>, or a character, comma-separated."`
	Container  string `arg:"" help:"Container name or ID (a unique prefix will do)."`
}

func (c *AttachCmd) Run(g *Globals) error {
	keys, err := parseDetachKeys(c.DetachKeys)
	if err != nil {
		return err
	}
	ctr, err := container.Find(g.Root, c.Container)
	if err != nil {
		return err
	}
	code, err := container.Attach(ctr, c.Container, keys, c.NoStdin)
	if errors.Is(err, container.ErrDetached) {
		fmt.Fprint(os.Stderr, "\r\nread escape sequence\r\n")
		return nil
	}
	if err != nil {
		return err
	}
	return codeOrNil(code)
}

// parseDetachKeys reads docker's --detach-keys: "ctrl-p,ctrl-q" is the
// bytes 0x10 0x11 (a control key is its letter's code with the top three
// bits cleared: 'p' 0x70 & 0x1f = 0x10), "a,ctrl-@" is 'a' 0x00.
func parseDetachKeys(s string) ([]byte, error) {
	var keys []byte
	for _, k := range strings.Split(s, ",") {
		switch {
		case len(k) == 1:
			keys = append(keys, k[0])
		case len(k) == 6 && strings.HasPrefix(strings.ToLower(k), "ctrl-") && k[5] >= '@' && k[5] <= '~':
			keys = append(keys, k[5]&0x1f)
		default:
			return nil, fmt.Errorf("invalid --detach-keys %q: %q is neither a character nor ctrl-<letter>", s, k)
		}
	}
	return keys, nil
}
