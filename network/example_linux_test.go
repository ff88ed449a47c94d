package network_test

import (
	"fmt"
	"net/netip"

	"github.com/minictr/minictr/network"
)

func ExamplePortRules() {
	p, _ := network.ParsePublish("127.0.0.1:18080:8080")
	for _, r := range network.PortRules("4f1c0b2e9a7d", netip.MustParseAddr("10.77.0.2"), []network.Port{p}) {
		fmt.Println(r.Chain+":", r.Text)
	}
	// Output:
	// ports: ip daddr 127.0.0.1 tcp dport 18080 counter dnat to 10.77.0.2:8080 comment "minictr container 4f1c0b2e9a7d"
}
