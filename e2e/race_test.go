package e2e

import (
	"encoding/json"
	"fmt"
	"sync"
	"testing"

	"github.com/minictr/minictr/cli"
	"github.com/minictr/minictr/internal/testutil"
)

// The store stays whole while commands race (issue "layers going out"):
// one loop runs containers, one pulls and removes another image, one
// prunes every unused image, all at once. Afterwards `images` works and
// every image it lists runs. Before blobs were published under the store
// lock, prune removed the config a pull had written but not yet recorded,
// and from then on every command on that image failed with "read blob".
func TestStoreRace(t *testing.T) {
	c := newCLI(t)
	host := testutil.StartRegistry(t)
	testutil.BusyboxImage(t).Push(t, host, "race/busybox", "v1", testutil.OCI)
	testutil.MultiLayerImage(t).Push(t, host, "race/multi", "v1", testutil.Docker)
	img := host + "/race/busybox:v1" // pulled again from the loopback registry when pruned
	const rounds = 15
	var wg sync.WaitGroup
	loop := func(name string, f func(i int) result, ok func(r result) bool) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range rounds {
				if r := f(i); !ok(r) {
					t.Errorf("%s, round %d: exit %d: %s", name, i, r.code, r.stderr)
				}
			}
		}()
	}
	any := func(result) bool { return true } // losing a race is fine; breaking the store is not
	loop("run", func(int) result { return c.run("run", "--rm", "--net", "none", img, "true") }, any)
	loop("pull+rmi", func(i int) result {
		ref := fmt.Sprintf("%s/race/%s:v1", host, []string{"busybox", "multi"}[i%2])
		if r := c.run("pull", "-q", ref); r.code != 0 {
			return r
		}
		return c.run("rmi", ref)
	}, any)
	loop("prune", func(int) result { return c.run("image", "prune", "-a", "-f") }, any)
	wg.Wait()

	var rows []cli.ImageSummary
	if err := json.Unmarshal([]byte(c.ok("images", "--json")), &rows); err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		c.ok("inspect", r.ID)
		name := r.Repository + ":" + r.Tag
		if r.Repository == "<none>" {
			name = r.ID
		}
		c.ok("run", "--rm", "--net", "none", name, "true")
	}
	c.ok("pull", "-q", host+"/race/multi:v1")
	c.ok("run", "--rm", "--net", "none", host+"/race/multi:v1", "true")
}
