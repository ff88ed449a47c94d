package e2e

import (
	"testing"

	"golang.org/x/sys/unix"
)

// `run -it` at a terminal, docker's way: Ctrl-P Ctrl-Q detaches and leaves
// the container running; `attach` joins it again, and its exit code comes
// back to whoever is attached at the end. With --rm the code still comes
// back, though the container is gone by then.
func TestRunItDetaches(t *testing.T) {
	c := newCLI(t)
	img := c.busybox()
	cmd := c.cmd("run", "-it", "--name", "d", img, "sh")
	master, term := startOnPty(t, cmd, &unix.Winsize{Row: 30, Col: 90})
	master.WriteString("echo $((6*7)); stty size\n")
	term.expect(t, "42")
	term.expect(t, "30 90")          // the size of the terminal that attached before the start
	master.Write([]byte{0x10, 0x11}) // Ctrl-P Ctrl-Q
	if err := cmd.Wait(); err != nil {
		t.Fatalf("run -it after Ctrl-P Ctrl-Q: %v\n%s", err, term)
	}
	term.expect(t, "read escape sequence")
	if st := c.ctrInspect("d").State; st.Status != "running" {
		t.Fatalf("after detaching, d is %s, want running:\n%s", st.Status, c.ok("ps", "-a"))
	}
	att := c.cmd("attach", "d")
	master2, term2 := startOnPty(t, att, &unix.Winsize{Row: 24, Col: 80})
	master2.WriteString("echo again; exit 5\n")
	term2.expect(t, "again")
	att.Wait()
	if code := att.ProcessState.ExitCode(); code != 5 {
		t.Errorf("attach after detach: exit %d, want the container's 5\n%s", code, term2)
	}

	rm := c.cmd("run", "--rm", "-it", img, "sh", "-c", "exit 7")
	_, term3 := startOnPty(t, rm, nil)
	rm.Wait()
	if code := rm.ProcessState.ExitCode(); code != 7 {
		t.Errorf("run --rm -it ... exit 7: minictr exited %d\n%s", code, term3)
	}
	notfound := c.cmd("run", "--rm", "-it", img, "nothere")
	_, term4 := startOnPty(t, notfound, nil)
	notfound.Wait()
	term4.expect(t, `"nothere"`) // the message, read from the pty
	if code := notfound.ProcessState.ExitCode(); code != 127 {
		t.Errorf("run -it nothere: exit %d, want 127\n%s", code, term4)
	}
	if ids := c.containerIDs(); len(ids) != 1 {
		t.Errorf("containers left: %v, want only d", ids)
	}
}
