package cli

import (
	"fmt"

	"github.com/minictr/minictr/container"
	"github.com/minictr/minictr/ns"
)

// ExecCmd is `minictr exec`: run one more process in a running container
// (container/exec.go has both ends: this process and its helper inside).
type ExecCmd struct {
	Interactive bool     `short:"i" help:"Keep stdin open and connect it to the process."`
	Tty         bool     `short:"t" help:"Give the process a terminal (a pty from the container's /dev/pts)."`
	Env         []string `short:"e" sep:"none" help:"Set an environment variable (K=V, or K to copy it from here)." placeholder:"K=V"`
	Workdir     string   `short:"w" help:"Working directory inside the container (default: the container's)." placeholder:"DIR"`
	User        string   `short:"u" help:"User to run as: name, uid, name:group or uid:gid (names from the container's /etc/passwd)." placeholder:"USER[:GROUP]"`
	Privileged  bool     `help:"Give the process every capability (the container's seccomp filter and devices stay)."`
	// As with run, everything from the container on is the command's;
	// flags before it are exec's own, and an unknown one is an error.
	ContainerAndCommand []string `arg:"" passthrough:"partial" name:"container command" help:"Container (name, ID or unique ID prefix), then the command and its arguments."`
}

func (c *ExecCmd) Run(g *Globals) error {
	// First of all: from now on /proc/self/exe, of this process and of the
	// helper, is a sealed copy of minictr (see ns.SealedExe): CVE-2019-5736.
	container.SetTracing(g.Debug)
	if err := ns.ReexecSealed(); err != nil {
		return err
	}
	if len(c.ContainerAndCommand) < 2 {
		return fmt.Errorf("exec needs a container and a command: minictr exec CONTAINER CMD [ARG...]")
	}
	name := c.ContainerAndCommand[0]
	ctr, err := container.Find(g.Root, name)
	if err != nil {
		return err
	}
	env, err := envFromFlags(nil, c.Env)
	if err != nil {
		return err
	}
	code, err := container.Exec(ctr, name, container.ExecOptions{
		Args: c.ContainerAndCommand[1:], Env: env, Workdir: c.Workdir, User: c.User,
		Tty: c.Tty, Interactive: c.Interactive, Privileged: c.Privileged, Debug: g.Debug,
	})
	if err != nil {
		return err
	}
	return codeOrNil(code)
}
