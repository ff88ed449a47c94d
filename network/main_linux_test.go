package network

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/minictr/minictr/ns"
	"golang.org/x/sys/unix"
)

// The root tests create bridges, veths and nftables tables. So that they
// can never disturb the machine they run on (its firewall, its routes, a
// docker that runs there), TestMain re-executes the test binary as root in
// a network namespace of its own, which plays "the host": the bridge, the
// table and every veth live and die with it, even if a test panics. The
// containers are children of the test binary in network namespaces of
// their own (childArg), as `minictr init` is.
const (
	childArg   = "__network_test_child__"
	privateEnv = "MINICTR_NETWORK_TEST_PRIVATE_NETNS"
)

func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == childArg {
		os.Exit(testChild())
	}
	if os.Geteuid() == 0 && os.Getenv(privateEnv) == "" {
		os.Exit(inPrivateNetns())
	}
	if os.Getenv(privateEnv) != "" {
		if err := ns.LoopbackUp(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	os.Exit(m.Run())
}

// inPrivateNetns runs this test binary again, with the same arguments, in
// a new network namespace, and returns its exit status.
func inPrivateNetns() int {
	cmd := exec.Command("/proc/self/exe", os.Args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = append(os.Environ(), privateEnv+"=1")
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: unix.CLONE_NEWNET, Pdeathsig: unix.SIGKILL}
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "run tests in a new network namespace: %v\n", err)
		return 1
	}
	return 0
}

// testChild is a stand-in for a container's init: it lives in a new
// network namespace and runs commands read from stdin, one per line,
// answering one line each ("ok ..." or "err ..."):
//
//	configure JSON   ConfigureInside(the Endpoint)
//	serve PORT       a TCP server on every address: it reads a line and
//	                 answers "LINE from PEER-IP"
//	dial ADDR        connect, send "ping", answer "ok REPLY"
//	userve, udial    the same over UDP, one datagram each way
func testChild() int {
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		cmd, arg, _ := strings.Cut(in.Text(), " ")
		var reply string
		var err error
		switch cmd {
		case "configure":
			var ep Endpoint
			if err = json.Unmarshal([]byte(arg), &ep); err == nil {
				err = ConfigureInside(ep)
			}
		case "serve":
			err = serveEcho(":" + arg)
		case "dial":
			reply, err = ping(arg)
		case "userve":
			err = serveEchoUDP(":" + arg)
		case "udial":
			reply, err = pingUDP(arg)
		default:
			err = fmt.Errorf("unknown command %q", cmd)
		}
		if err != nil {
			fmt.Printf("err %v\n", err)
		} else {
			fmt.Printf("ok %s\n", reply)
		}
	}
	return 0
}

// serveEcho listens on addr and answers each connection's first line with
// "LINE from PEER-IP": the peer's address is what the tests look at to see
// NAT happen (or not).
func serveEcho(addr string) error {
	l, err := net.Listen("tcp4", addr)
	if err != nil {
		return err
	}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				line, _ := bufio.NewReader(c).ReadString('\n')
				peer := c.RemoteAddr().(*net.TCPAddr).IP
				fmt.Fprintf(c, "%s from %v\n", strings.TrimSpace(line), peer)
			}()
		}
	}()
	return nil
}

// ping connects to addr, sends "ping" and returns the answer. The timeout
// is a safety net against a hang, not an assertion: a refused or
// unreachable destination fails at once.
func ping(addr string) (string, error) {
	c, err := net.DialTimeout("tcp4", addr, 20*time.Second)
	if err != nil {
		return "", err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(20 * time.Second))
	fmt.Fprintln(c, "ping")
	s, err := bufio.NewReader(c).ReadString('\n')
	return strings.TrimSpace(s), err
}

// serveEchoUDP answers each datagram "LINE from PEER-IP".
func serveEchoUDP(addr string) error {
	c, err := net.ListenPacket("udp4", addr)
	if err != nil {
		return err
	}
	go func() {
		buf := make([]byte, 1500)
		for {
			n, peer, err := c.ReadFrom(buf)
			if err != nil {
				return
			}
			ip := peer.(*net.UDPAddr).IP
			c.WriteTo(fmt.Appendf(nil, "%s from %v\n", strings.TrimSpace(string(buf[:n])), ip), peer)
		}
	}()
	return nil
}

// pingUDP sends "ping" to addr and returns the answer; the deadline is a
// safety net (UDP has no refusal to wait for), not an assertion.
func pingUDP(addr string) (string, error) {
	c, err := net.Dial("udp4", addr)
	if err != nil {
		return "", err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(20 * time.Second))
	if _, err := fmt.Fprintln(c, "ping"); err != nil {
		return "", err
	}
	buf := make([]byte, 1500)
	n, err := c.Read(buf)
	return strings.TrimSpace(string(buf[:n])), err
}
