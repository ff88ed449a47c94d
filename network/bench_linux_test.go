package network

import (
	"fmt"
	"testing"
)

// BenchmarkAttach measures what `--net bridge` adds to a container's
// start and removal: Allocate+Connect on the host, ConfigureInside in the
// child (a round trip to it), Detach after the container has exited.
// Starting and killing the child, which `run` does anyway, is not counted.
//
// Measured here (2 cores, kernel 6.18): ~30 ms in all, of which Allocate
// ~1-2 ms, Connect ~1 ms, ConfigureInside ~1-3 ms, and Detach ~20 ms: right
// after the container's death its namespace is still being torn down
// (asynchronously, by the kernel's netns cleanup worker), the host veth
// still exists, and deleting it waits for RCU grace periods in
// unregister_netdevice. A Detach that runs after the kernel has removed
// the veth by itself (`rm` of a container stopped earlier) takes ~0.2 ms. The first attach, which creates the bridge
// and the table, is done before the timer starts.
//
//	sudo go test -run '^$' -bench Attach -benchtime 50x ./network/
func BenchmarkAttach(b *testing.B) {
	m := newManager(b)
	if err := m.SetConfig(DefaultConfig()); err != nil { // warm up: bridge and table
		b.Fatal(err)
	}
	warm := startChild(b)
	if _, err := m.Attach("warm", warm.pid(), nil, nil); err != nil {
		b.Fatal(err)
	}
	if err := m.Detach("warm"); err != nil {
		b.Fatal(err)
	}
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		c := startChild(b)
		b.StartTimer()
		id := fmt.Sprintf("bench-%d", i)
		ep, err := m.Attach(id, c.pid(), nil, nil)
		if err != nil {
			b.Fatal(err)
		}
		c.configure(b, ep)
		b.StopTimer()
		c.kill() // the container exits before `rm` or --rm's Detach
		b.StartTimer()
		if err := m.Detach(id); err != nil {
			b.Fatal(err)
		}
	}
}
