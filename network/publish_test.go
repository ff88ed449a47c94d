package network

import (
	"net/netip"
	"strings"
	"testing"
)

func TestParsePublish(t *testing.T) {
	lo := netip.MustParseAddr("127.0.0.1")
	for _, tc := range []struct {
		in   string
		want Port
		err  string // a part of the error, "" for none
	}{
		{in: "8080", want: Port{ContainerPort: 8080, Protocol: "tcp"}},
		{in: "53/udp", want: Port{ContainerPort: 53, Protocol: "udp"}},
		{in: "18080:8080", want: Port{HostPort: 18080, ContainerPort: 8080, Protocol: "tcp"}},
		{in: "127.0.0.1:18080:8080", want: Port{HostIP: lo, HostPort: 18080, ContainerPort: 8080, Protocol: "tcp"}},
		{in: "127.0.0.1:18080:8080/udp", want: Port{HostIP: lo, HostPort: 18080, ContainerPort: 8080, Protocol: "udp"}},
		{in: "127.0.0.1::80", want: Port{HostIP: lo, ContainerPort: 80, Protocol: "tcp"}},
		{in: "0.0.0.0:80:80", want: Port{HostPort: 80, ContainerPort: 80, Protocol: "tcp"}},
		{in: "", err: `container port ""`},
		{in: "http", err: `container port "http" is not a number`},
		{in: "0", err: "from 1 to 65535"},
		{in: "65536", err: "from 1 to 65535"},
		{in: "80/sctp", err: `protocol "sctp"`},
		{in: "80:", err: `container port ""`},
		{in: "8000-8010:80", err: "ranges are not supported"},
		{in: "localhost:80:80", err: `"localhost" is not an IPv4 address`},
		{in: "[::1]:80:80", err: "want [IP:]HOSTPORT:CTRPORT"},
		{in: "1.2.3.4:5:6:7", err: "want [IP:]HOSTPORT:CTRPORT"},
	} {
		got, err := ParsePublish(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) || strings.Contains(err.Error(), "\n") {
				t.Errorf("ParsePublish(%q) = %v, %v; want one-line error with %q", tc.in, got, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParsePublish(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
}

func TestPortStringRoundTrip(t *testing.T) {
	for _, s := range []string{"127.0.0.1:18080:8080/tcp", "8080:80/udp", "53/udp", "127.0.0.1::80/tcp"} {
		p, err := ParsePublish(s)
		if err != nil || p.String() != s {
			t.Errorf("ParsePublish(%q).String() = %q, %v", s, p.String(), err)
		}
	}
}

func TestPortConflicts(t *testing.T) {
	all := Port{HostPort: 80, Protocol: "tcp"}
	lo := Port{HostIP: netip.MustParseAddr("127.0.0.1"), HostPort: 80, Protocol: "tcp"}
	other := Port{HostIP: netip.MustParseAddr("127.0.0.2"), HostPort: 80, Protocol: "tcp"}
	udp := Port{HostPort: 80, Protocol: "udp"}
	for _, tc := range []struct {
		a, b Port
		want bool
	}{
		{all, lo, true}, {lo, all, true}, {lo, lo, true}, {lo, other, false},
		{all, udp, false}, {all, Port{HostPort: 81, Protocol: "tcp"}, false},
	} {
		if got := tc.a.conflicts(tc.b); got != tc.want {
			t.Errorf("%v conflicts %v = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}
