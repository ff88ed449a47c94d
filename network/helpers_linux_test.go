package network

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"net/netip"

	"github.com/google/nftables"
	"github.com/minictr/minictr/internal/testutil"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// nsChild is a testChild running in a network namespace of its own.
type nsChild struct {
	cmd *exec.Cmd
	in  *os.File
	out *bufio.Reader
}

// startChild starts a testChild in a new network namespace; it is killed
// when the test ends (its namespace, and any veth end in it, go with it).
func startChild(t testing.TB) *nsChild {
	t.Helper()
	cmd := exec.Command("/proc/self/exe", childArg)
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: unix.CLONE_NEWNET, Pdeathsig: unix.SIGKILL}
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start child: %v", err)
	}
	c := &nsChild{cmd: cmd, in: in.(*os.File), out: bufio.NewReader(out)}
	t.Cleanup(c.kill)
	return c
}

func (c *nsChild) pid() int { return c.cmd.Process.Pid }

// kill ends the child (and so its network namespace) and reaps it.
func (c *nsChild) kill() {
	if c.cmd.ProcessState == nil {
		c.cmd.Process.Kill()
		c.cmd.Wait()
	}
}

// do sends one command and returns the answer after "ok " or "err ".
func (c *nsChild) do(t testing.TB, line string) (string, bool) {
	t.Helper()
	if _, err := c.in.WriteString(line + "\n"); err != nil {
		t.Fatalf("child %d: %s: %v", c.pid(), line, err)
	}
	s, err := c.out.ReadString('\n')
	if err != nil {
		t.Fatalf("child %d: %s: no answer: %v", c.pid(), line, err)
	}
	s = strings.TrimSuffix(s, "\n")
	if rest, ok := strings.CutPrefix(s, "ok "); ok {
		return rest, true
	}
	return strings.TrimPrefix(s, "err "), false
}

// must is do that fails the test on "err".
func (c *nsChild) must(t testing.TB, line string) string {
	t.Helper()
	s, ok := c.do(t, line)
	if !ok {
		t.Fatalf("child %d: %s: %s", c.pid(), line, s)
	}
	return s
}

func (c *nsChild) configure(t testing.TB, ep Endpoint) {
	t.Helper()
	b, err := json.Marshal(ep)
	if err != nil {
		t.Fatal(err)
	}
	c.must(t, "configure "+string(b))
}

// newManager opens a network store in a temporary directory, in the
// test's private network namespace, and removes the bridge and minictr's
// table when the test ends, whatever happened.
func newManager(t testing.TB) *Manager {
	t.Helper()
	testutil.RequireRoot(t)
	if os.Getenv(privateEnv) == "" {
		t.Fatal("root tests must run in the private network namespace TestMain makes")
	}
	m, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := deleteFirewall(); err != nil {
			t.Errorf("cleanup: %v", err)
		}
		if err := deleteLink(m.cfg.Bridge); err != nil {
			t.Errorf("cleanup: %v", err)
		}
	})
	return m
}

// attach starts a container stand-in and attaches it, configured inside.
func attach(t *testing.T, m *Manager, id string, ports ...Port) (*nsChild, Endpoint) {
	t.Helper()
	c := startChild(t)
	ep, err := m.Attach(id, c.pid(), ports, nil)
	if err != nil {
		t.Fatalf("Attach %s: %v", id, err)
	}
	c.configure(t, ep)
	return c, ep
}

// outside makes a second "outside" namespace, as a machine on the host's
// LAN: a veth whose host end has 198.51.100.1/24 (TEST-NET-2, RFC 5737,
// which no real network uses) and whose far end, inside, has .2 with a
// default route via the host.
func outside(t *testing.T) *nsChild {
	t.Helper()
	c := startChild(t)
	la := netlink.NewLinkAttrs()
	la.Name = "mtout0"
	veth := &netlink.Veth{LinkAttrs: la, PeerName: "mtoutp", PeerNamespace: netlink.NsPid(c.pid())}
	if err := netlink.LinkAdd(veth); err != nil {
		t.Fatalf("add veth mtout0: %v", err)
	}
	t.Cleanup(func() { deleteLink("mtout0") })
	addr, _ := netlink.ParseAddr("198.51.100.1/24")
	if err := netlink.AddrAdd(veth, addr); err != nil {
		t.Fatal(err)
	}
	if err := netlink.LinkSetUp(veth); err != nil {
		t.Fatal(err)
	}
	c.configure(t, Endpoint{PeerName: "mtoutp", IP: netip.MustParseAddr("198.51.100.2"), PrefixLen: 24,
		Gateway: netip.MustParseAddr("198.51.100.1"), MAC: "02:00:c6:33:64:02"})
	return c
}

// serveHost runs serveEcho on the host (the test's namespace).
func serveHost(t *testing.T, addr string) {
	t.Helper()
	if err := serveEcho(addr); err != nil {
		t.Fatal(err)
	}
}

// ourRules lists every rule with a minictr comment: in minictr's table
// and in `ip filter FORWARD`.
func ourRules(t *testing.T) []string {
	t.Helper()
	conn, err := nftables.New()
	if err != nil {
		t.Fatal(err)
	}
	chains, err := conn.ListChainsOfTableFamily(nftables.TableFamilyIPv4)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, c := range chains {
		rules, err := conn.GetRules(c.Table, c)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rules {
			if s := comment(r); strings.HasPrefix(s, "minictr") {
				out = append(out, c.Table.Name+" "+c.Name+": "+s)
			}
		}
	}
	return out
}

// containerRules are the rules tagged with one container's ID.
func containerRules(t *testing.T, id string) []string {
	var out []string
	for _, r := range ourRules(t) {
		if strings.HasSuffix(r, containerComment(id)) {
			out = append(out, r)
		}
	}
	return out
}

// checkNothingLeft fails unless no container veth, no container rule and
// no address or endpoint record is left.
func checkNothingLeft(t *testing.T, m *Manager) {
	t.Helper()
	links, err := netlink.LinkList()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range links {
		if strings.HasPrefix(l.Attrs().Name, "mv") {
			t.Errorf("veth %s is left", l.Attrs().Name)
		}
	}
	for _, r := range ourRules(t) {
		if strings.Contains(r, containerTag) {
			t.Errorf("rule left: %s", r)
		}
	}
	for _, d := range []string{"addresses", "endpoints"} {
		ents, _ := os.ReadDir(filepath.Join(m.dir, d))
		for _, e := range ents {
			t.Errorf("record left: %s/%s", d, e.Name())
		}
	}
}

func netlinkLink(name string) (netlink.Link, error) { return netlink.LinkByName(name) }
