package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	sync2 "sync"
	"syscall"
	"testing"
	"time"

	"github.com/minictr/minictr/container"
	"github.com/minictr/minictr/internal/testutil"
	"github.com/minictr/minictr/network"
)

// Traffic in these tests goes only between the host and the containers
// the tests start, on minictr's bridge, and to the host's loopback.

// freePort is a TCP port nothing listens on now, on 127.0.0.1.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// ipOf is a running container's address on the bridge, from inspect.
func (c *harness) ipOf(name string) string {
	c.t.Helper()
	ns := c.ctrInspect(name).NetworkSettings
	if ns == nil || ns.IPAddress == "" {
		c.t.Fatalf("inspect %s: no NetworkSettings", name)
	}
	return ns.IPAddress
}

// The default network is the bridge: a container gets eth0 with an
// address, reaches the gateway and another container, the host reaches
// it, a published port answers on the host's 127.0.0.1, and rm gives
// everything back.
func TestNetworkBridge(t *testing.T) {
	c := newCLI(t)
	img := c.busybox()
	port := freePort(t)
	c.ok("run", "-d", "--name", "web", "-p", fmt.Sprintf("127.0.0.1:%d:8080", port), img, "httpd", "-f", "-p", "8080", "-h", "/etc")
	waitListening(t, c, "web", 8080)
	ip := c.ipOf("web")
	if !network.DefaultSubnet.Contains(mustAddr(t, ip)) {
		t.Errorf("web has %s, not in %s", ip, network.DefaultSubnet)
	}
	// container -> gateway and container -> container
	out := c.ok("run", "--rm", img, "sh", "-c", "ping -c1 -W5 10.77.0.1 >/dev/null && wget -q -O - http://"+ip+":8080/hostname")
	if want := c.ctrInspect("web").ID[:12] + "\n"; out != want {
		t.Errorf("wget from a second container: %q, want web's hostname %q", out, want)
	}
	// host -> container, and the published port on the host's loopback
	for _, url := range []string{"http://" + ip + ":8080/hostname", fmt.Sprintf("http://127.0.0.1:%d/hostname", port)} {
		if body := httpGet(t, url); body != c.ctrInspect("web").ID[:12]+"\n" {
			t.Errorf("GET %s from the host: %q", url, body)
		}
	}
	if out := c.ok("port", "web"); out != fmt.Sprintf("8080/tcp -> 127.0.0.1:%d\n", port) {
		t.Errorf("port web: %q", out)
	}
	if ps := c.ok("ps"); !strings.Contains(ps, fmt.Sprintf("127.0.0.1:%d->8080/tcp", port)) {
		t.Errorf("ps does not show the published port:\n%s", ps)
	}
	veth := c.ctrInspect("web").NetworkSettings.HostVeth
	c.ok("rm", "-f", "web")
	c.waitDrained()
	if _, err := net.InterfaceByName(veth); err == nil {
		t.Errorf("veth %s left after rm", veth)
	}
	if recs, _ := os.ReadDir(netAddresses); len(recs) != 0 {
		t.Errorf("address records left after rm: %v", recs)
	}
	if body, err := tryGet(fmt.Sprintf("http://127.0.0.1:%d/hostname", port)); err == nil {
		t.Errorf("the published port still answers after rm: %q", body)
	}
}

func mustAddr(t *testing.T, s string) netip.Addr {
	t.Helper()
	ip, err := netip.ParseAddr(s)
	if err != nil {
		t.Fatal(err)
	}
	return ip
}

func httpGet(t *testing.T, url string) string {
	t.Helper()
	body, err := tryGet(url)
	if err != nil {
		t.Errorf("GET %s: %v", url, err)
	}
	return body
}

func tryGet(url string) (string, error) {
	resp, err := (&http.Client{Transport: &http.Transport{Proxy: nil}}).Get(url)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

// --net none has lo only; --net host sees the host's devices (the bridge
// among them); --net container:X shares X's address; joining a stopped
// container is refused.
func TestNetworkModes(t *testing.T) {
	c := newCLI(t)
	img := c.busybox()
	if out := c.ok("run", "--rm", "--net", "none", img, "ls", "/sys/class/net"); out != "lo\n" {
		t.Errorf("--net none: devices %q, want lo only", out)
	}
	c.ok("run", "-d", "--name", "a", img, "sleep", "1000")
	if out := c.ok("run", "--rm", "--net", "host", img, "ls", "/sys/class/net"); !strings.Contains(out, "minictr0") {
		t.Errorf("--net host does not see the host's bridge: %q", out)
	}
	ip := c.ipOf("a")
	if out := c.ok("run", "--rm", "--net", "container:a", img, "ip", "-4", "-o", "addr", "show", "eth0"); !strings.Contains(out, ip+"/") {
		t.Errorf("--net container:a: %q, want a's address %s", out, ip)
	}
	c.ok("run", "--name", "stopped", img, "true")
	c.fails("not running", "run", "--rm", "--net", "container:stopped", img, "true")
}

// Bad input: one line, exit 125, nothing left behind.
func TestNetworkBadInput(t *testing.T) {
	c := newCLI(t)
	img := c.busybox()
	port := freePort(t)
	c.ok("run", "-d", "--name", "holder", "-p", fmt.Sprintf("%d:80", port), img, "sleep", "1000")
	c.ok("run", "--name", "stopped", img, "true")
	c.waitDrained()
	before := c.snapshot()
	for _, tc := range []struct {
		want string
		args []string
	}{
		{`container port "x" is not a number`, []string{"run", "--rm", "-p", "80:x", img, "true"}},
		{`container port "99999" is not a number from 1 to 65535`, []string{"run", "--rm", "-p", "99999", img, "true"}},
		{"already published by container " + c.ctrInspect("holder").ID, []string{"run", "--rm", "-p", fmt.Sprintf("%d:81", port), img, "true"}},
		{"not running", []string{"run", "--rm", "--net", "container:stopped", img, "true"}},
		{`invalid --net "bogus"`, []string{"run", "--rm", "--net", "bogus", img, "true"}},
		{"does not go with --net none", []string{"run", "--rm", "--net", "none", "-p", "80", img, "true"}},
	} {
		t.Log(c.fails(tc.want, tc.args...))
	}
	if after := c.snapshot(); after != before {
		t.Errorf("failed runs changed the store:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

// Many containers at once get distinct addresses, all reach the gateway,
// and nothing of them is left afterwards: no veth, no address record.
func TestNetworkParallel(t *testing.T) {
	c := newCLI(t)
	img := c.busybox()
	const n = 30
	sync := t.TempDir()
	// Each container writes its address, then waits until all n have:
	// the n addresses are held at the same time.
	script := fmt.Sprintf(`ip -4 -o addr show eth0 > /sync/$(hostname); ping -c3 -W5 10.77.0.1 >/dev/null || exit 3
i=0; while [ $(ls /sync | wc -l) -lt %d ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done`, n)
	var wg sync2.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if r := c.run("run", "--rm", "-v", sync+":/sync", img, "sh", "-c", script); r.code != 0 {
				t.Errorf("run %d: exit %d: %s", i, r.code, r.stderr)
			}
		}()
	}
	wg.Wait()
	files, _ := os.ReadDir(sync)
	seen := map[string]bool{}
	for _, f := range files {
		b, _ := os.ReadFile(filepath.Join(sync, f.Name()))
		if fs := strings.Fields(string(b)); len(fs) >= 4 {
			if seen[fs[3]] {
				t.Errorf("address %s given twice at once", fs[3])
			}
			seen[fs[3]] = true
		}
	}
	if len(seen) != n {
		t.Errorf("%d distinct addresses for %d containers running at once", len(seen), n)
	}
	var nw []network.Network
	json.Unmarshal([]byte(c.ok("network", "inspect")), &nw)
	if len(nw) != 1 || len(nw[0].Endpoints) != 0 {
		t.Errorf("network inspect after the runs: %+v", nw)
	}
	// The veths die with the containers' namespaces, which the kernel
	// tears down a moment after their last process; until then their
	// addresses are "draining", and `network inspect` frees each one whose
	// veth is gone (a guard, not a timing assertion: it waits up to 30 s).
	var left []string
	var recs []os.DirEntry
	for i := 0; i < 600; i++ {
		c.ok("network", "inspect")
		left = hostVeths()
		recs, _ = os.ReadDir(netAddresses)
		if len(left) == 0 && len(recs) == 0 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if len(left) > 0 || len(recs) > 0 {
		t.Errorf("left: veths %v, %d address records", left, len(recs))
	}
}

// hostVeths are the host ends of minictr's veth pairs ("mv" + 8 hex).
func hostVeths() []string {
	var out []string
	ifs, _ := net.Interfaces()
	for _, i := range ifs {
		if strings.HasPrefix(i.Name, "mv") && len(i.Name) == 10 {
			out = append(out, i.Name)
		}
	}
	return out
}

// waitListening waits until a server in the container listens on port
// (a guard against a race with its start, not a timing assertion).
func waitListening(t *testing.T, c *harness, name string, port int) {
	t.Helper()
	ip := c.ipOf(name)
	for i := 0; i < 600; i++ {
		if conn, err := net.Dial("tcp", net.JoinHostPort(ip, fmt.Sprint(port))); err == nil {
			conn.Close()
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("nothing listens on %s:%d in %s", ip, port, name)
}

// outside is a network namespace the test makes to play a machine on the
// host's LAN: a veth pair, 198.51.100.1/24 (TEST-NET-2) on the host's end,
// 198.51.100.2/24 on its own. It is removed at cleanup, even on failure.
func outside(t *testing.T) (ns string) {
	t.Helper()
	testutil.RequireTool(t, "ip", "iproute2")
	if err := exec.Command("ip", "netns", "list").Run(); err != nil {
		// busybox's ip (the cgroup v2 VM's) has no netns: the package's
		// own tests cover outside traffic there.
		t.Skip("ip netns not supported by this ip(8): install iproute2 (the network package's tests cover outside traffic)")
	}
	ns = fmt.Sprintf("mctr-out-%d", os.Getpid())
	hostEnd, nsEnd := "mo"+fmt.Sprint(os.Getpid()%100000), "mi"+fmt.Sprint(os.Getpid()%100000)
	t.Cleanup(func() {
		exec.Command("ip", "netns", "pids", ns).Run()
		exec.Command("ip", "link", "del", hostEnd).Run()
		exec.Command("ip", "netns", "del", ns).Run()
	})
	for _, args := range [][]string{
		{"netns", "add", ns},
		{"link", "add", hostEnd, "type", "veth", "peer", "name", nsEnd, "netns", ns},
		{"addr", "add", "198.51.100.1/24", "dev", hostEnd},
		{"link", "set", hostEnd, "up"},
		{"-n", ns, "addr", "add", "198.51.100.2/24", "dev", nsEnd},
		{"-n", ns, "link", "set", nsEnd, "up"},
		{"-n", ns, "link", "set", "lo", "up"},
	} {
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			t.Fatalf("ip %v: %v\n%s", args, err, out)
		}
	}
	return ns
}

// From outside: a port published on every address answers on the host's
// address; a container's connection out reaches a server outside with the
// host's address as its source (masquerade); after rm the port is closed.
func TestNetworkOutside(t *testing.T) {
	c := newCLI(t)
	img := c.busybox()
	ns := outside(t)
	port := freePort(t)
	c.ok("run", "-d", "--name", "web", "-p", fmt.Sprintf("%d:8080", port), img, "httpd", "-f", "-p", "8080", "-h", "/etc")
	waitListening(t, c, "web", 8080)
	want := c.ctrInspect("web").ID[:12]
	if body := outsideGet(ns, "198.51.100.1", port); !strings.HasSuffix(body, "\r\n\r\n"+want+"\n") {
		t.Errorf("GET /hostname on 198.51.100.1:%d from outside: %q, want the page %q", port, body, want)
	}
	// A server outside; a container connects and holds the connection;
	// the server's side of it shows who connected.
	srv := exec.Command("ip", "netns", "exec", ns, "busybox", "nc", "-l", "-p", "9000")
	hold, err := srv.StdinPipe() // open until cleanup: nc keeps the connection while its stdin is
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { hold.Close(); srv.Process.Kill(); srv.Wait() })
	c.ok("run", "-d", "--name", "client", img, "sh", "-c", "sleep 30 | nc 198.51.100.2 9000")
	var conns string
	for i := 0; i < 200 && !strings.Contains(conns, ":9000"); i++ {
		out, _ := exec.Command("ip", "netns", "exec", ns, "ss", "-tnH", "state", "established").Output()
		conns = string(out)
		time.Sleep(25 * time.Millisecond)
	}
	// ss shows the peer as 198.51.100.1:PORT, or [::ffff:198.51.100.1]:PORT
	// for a dual-stack listener.
	fromHost := strings.Contains(conns, " 198.51.100.1:") || strings.Contains(conns, ":198.51.100.1]:")
	if !fromHost || strings.Contains(conns, "10.77.") {
		t.Errorf("the outside server's connections (want from the host's 198.51.100.1, never 10.77.x.x):\n%s", conns)
	}
	c.ok("rm", "-f", "client", "web")
	if body := outsideGet(ns, "198.51.100.1", port); body != "" {
		t.Errorf("after rm the port still answers from outside: %q", body)
	}
}

// outsideGet fetches /hostname from ip:port inside the outside namespace
// with busybox nc (an HTTP/1.0 request by hand), "" if nothing answers.
func outsideGet(ns, ip string, port int) string {
	cmd := exec.Command("ip", "netns", "exec", ns, "busybox", "nc", "-w", "5", ip, fmt.Sprint(port))
	cmd.Stdin = strings.NewReader("GET /hostname HTTP/1.0\r\n\r\n")
	out, _ := cmd.Output()
	return string(out)
}

// kill -9 of a detached container's monitor and process: nobody gives its
// address back, so the next run reclaims it (nothing stale is reused: the
// new container gets a working address), and rm cleans what is left.
func TestNetworkKilled(t *testing.T) {
	c := newCLI(t)
	img := c.busybox()
	c.ok("run", "-d", "--name", "victim", img, "sleep", "1000")
	st := c.ctrInspect("victim").State
	ip := c.ipOf("victim")
	syscall.Kill(st.Monitor, syscall.SIGKILL)
	syscall.Kill(st.Pid, syscall.SIGKILL)
	for i := 0; i < 200 && c.ctrInspect("victim").State.Status == "running"; i++ {
		time.Sleep(50 * time.Millisecond)
	}
	out := c.ok("run", "--rm", img, "sh", "-c", "ping -c1 -W5 10.77.0.1 >/dev/null && ip -4 -o addr show eth0")
	if !strings.Contains(out, ip+"/") {
		t.Logf("the next run got %q (the dead container had %s)", strings.TrimSpace(out), ip)
	}
	c.waitDrained()
	if recs, _ := os.ReadDir(netAddresses); len(recs) != 0 {
		t.Errorf("address records left after the next run: %v", recs)
	}
	c.ok("rm", "victim")
	var nw []network.Network
	json.Unmarshal([]byte(c.ok("network", "inspect")), &nw)
	if len(nw) != 1 || len(nw[0].Endpoints) != 0 {
		t.Errorf("endpoints left after rm: %+v", nw)
	}
}

// waitDrained waits until no address of the store is draining: the
// kernel has removed the veths of exited containers, and `network
// inspect` (which sweeps) has freed their addresses. A guard against a
// race with the kernel's teardown, not a timing assertion: up to 30 s.
func (c *harness) waitDrained() {
	c.t.Helper()
	dir := netAddresses
	for i := 0; i < 600; i++ {
		c.ok("network", "inspect")
		draining := 0
		recs, _ := os.ReadDir(dir)
		for _, r := range recs {
			if b, _ := os.ReadFile(filepath.Join(dir, r.Name())); strings.HasPrefix(string(b), "draining ") {
				draining++
			}
		}
		if draining == 0 {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	c.t.Fatalf("addresses still draining after 30 s: %v", hostVeths())
}

// netAddresses is where the host's bridge keeps one record per address
// (container.NetworkRoot: one place for every store, as the bridge is).
var netAddresses = filepath.Join(container.NetworkRoot, "network", "addresses")
