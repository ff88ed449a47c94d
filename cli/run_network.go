package cli

import (
	"fmt"
	"strings"

	"github.com/minictr/minictr/network"
)

// NetworkFlags are run's network flags, docker's names (docs/11-network.md).
type NetworkFlags struct {
	Net     string   `default:"bridge" aliases:"network" help:"Network: bridge (eth0 on minictr0, NAT out), none (lo only), host, or container:NAME (join another running container's)." placeholder:"MODE"`
	Publish []string `short:"p" sep:"none" help:"Publish a container port on the host (--net bridge)." placeholder:"[IP:]HOSTPORT:CTRPORT[/PROTO]"`
}

// parse checks --net and reads every -p, once, into config.json's values.
func (f NetworkFlags) parse() (string, []network.Port, error) {
	switch name, isCtr := strings.CutPrefix(f.Net, "container:"); {
	case f.Net == "bridge", f.Net == "none", f.Net == "host":
	case isCtr && name != "":
	default:
		return "", nil, fmt.Errorf("invalid --net %q: want bridge, none, host or container:NAME", f.Net)
	}
	var ports []network.Port
	for _, p := range f.Publish {
		port, err := network.ParsePublish(p)
		if err != nil {
			return "", nil, err
		}
		ports = append(ports, port)
	}
	if len(ports) > 0 && f.Net != "bridge" {
		return "", nil, fmt.Errorf("-p publishes ports through the bridge: it does not go with --net %s", f.Net)
	}
	return f.Net, ports, nil
}
