package cli

import (
	"time"

	"github.com/minictr/minictr/container"
	"github.com/minictr/minictr/image"
	"github.com/minictr/minictr/layers"
)

// The JSON that minictr prints is a contract: other tools and the
// end-to-end tests (e2e/) decode these types. Field names follow docker's
// where docker prints the same fact; change them only with that in mind.

// ImageSummary is one line of `images --json`: one per name, as docker
// shows them ("<none>" for an image without a name).
type ImageSummary struct {
	Repository string    `json:"repository"`
	Tag        string    `json:"tag"`
	ID         string    `json:"id"` // sha256:<hex> of the image config
	Created    time.Time `json:"created"`
	Size       int64     `json:"size"` // bytes of its layers, unpacked
}

// ContainerSummary is one container of `ps --json`.
type ContainerSummary struct {
	ID      string          `json:"id"`
	Name    string          `json:"name,omitempty"`
	Image   string          `json:"image"` // as the user named it
	Command string          `json:"command"`
	Created time.Time       `json:"created"`
	State   container.State `json:"state"`           // checked against the kernel
	Ports   string          `json:"ports,omitempty"` // published, as ps shows them: 0.0.0.0:18080->8080/tcp
}

// ImageInspect is `inspect IMAGE`: docker's fields, plus where each layer
// lives on disk, which docker keeps behind GraphDriver.
type ImageInspect struct {
	ID           string                `json:"Id"`
	RepoTags     []string              `json:"RepoTags"`
	RepoDigests  []string              `json:"RepoDigests"`
	Created      *time.Time            `json:"Created,omitempty"`
	Architecture string                `json:"Architecture"`
	Os           string                `json:"Os"`
	Variant      string                `json:"Variant,omitempty"`
	Config       image.ContainerConfig `json:"Config"`
	RootFS       RootFS                `json:"RootFS"`
	Layers       []layers.Layer        `json:"Layers"` // bottom first, each with its directory
	Size         int64                 `json:"Size"`
	History      []image.History       `json:"History,omitempty"`
}

// RootFS is an image's layers by diff ID (the config's rootfs.diff_ids,
// docker's "Layers") and by chain ID (the names of their directories).
type RootFS struct {
	Type     string   `json:"Type"`
	DiffIDs  []string `json:"Layers"`
	ChainIDs []string `json:"ChainIDs"`
}

// ContainerInspect is `inspect CONTAINER`: docker's field names where
// docker has the same fact, and where its files are on disk.
type ContainerInspect struct {
	ID          string            `json:"Id"`
	Name        string            `json:"Name"`
	Created     time.Time         `json:"Created"`
	Path        string            `json:"Path"`
	Args        []string          `json:"Args"`
	State       container.State   `json:"State"`
	Image       string            `json:"Image"`
	ImageName   string            `json:"ImageName"`
	Config      container.Config  `json:"Config"`
	GraphDriver GraphDriver       `json:"GraphDriver"`
	Cgroup      map[string]string `json:"Cgroup,omitempty"`
	Mounts      []MountPoint      `json:"Mounts"`
	LogPath     string            `json:"LogPath"`
	Dir         string            `json:"Dir"`
	Security    SecurityInspect   `json:"Security"`
	// NetworkSettings is the container's place on the bridge (--net
	// bridge, while it runs).
	NetworkSettings *NetworkSettings `json:"NetworkSettings,omitempty"`
}

// NetworkSettings is docker's inspect section of that name: the bridge
// address, MAC and gateway of eth0, the host end of its veth, its ports.
type NetworkSettings struct {
	Bridge     string                   `json:"Bridge"`
	IPAddress  string                   `json:"IPAddress"`
	PrefixLen  int                      `json:"IPPrefixLen"`
	Gateway    string                   `json:"Gateway"`
	MacAddress string                   `json:"MacAddress"`
	HostVeth   string                   `json:"HostVeth"`
	Ports      map[string][]PortBinding `json:"Ports"` // "8080/tcp": [{127.0.0.1 18080}], docker's shape
}

// PortBinding is where on the host one container port is published.
type PortBinding struct {
	HostIP   string `json:"HostIp"`
	HostPort string `json:"HostPort"`
}

// SecurityInspect is what guards a container's processes (docs/12-security.md):
// the flags as given, and what they resolved to.
type SecurityInspect struct {
	CapAdd          []string `json:"CapAdd"`
	CapDrop         []string `json:"CapDrop"`
	Privileged      bool     `json:"Privileged"`
	Capabilities    []string `json:"Capabilities"`        // bounding set; permitted and effective for uid 0
	Seccomp         string   `json:"Seccomp"`             // default, unconfined or the profile's path
	SeccompInsns    int      `json:"SeccompInstructions"` // length of the compiled filter
	NoNewPrivileges bool     `json:"NoNewPrivileges"`     // --security-opt no-new-privileges
	DeviceRules     []string `json:"DeviceRules"`         // in order, "allow c 1:3 rwm"
	Devices         []string `json:"Devices"`             // --device HOST:CTR:PERMS
}

// MountPoint is one -v of the container, as docker's inspect shows it.
type MountPoint struct {
	Type        string `json:"Type"`           // bind: a host directory; volume: one in the store
	Name        string `json:"Name,omitempty"` // the volume's name
	Source      string `json:"Source"`         // for a volume, its _data directory
	Destination string `json:"Destination"`
	RW          bool   `json:"RW"`
}

// GraphDriver says where the container's root filesystem comes from: the
// image layers (LowerDir, top first, as overlayfs takes them) and its own
// writable layer.
type GraphDriver struct {
	Name string            `json:"Name"`
	Data map[string]string `json:"Data"`
}

// VolumeInspect is a volume as `volume inspect` and `volume ls --json`
// show it: docker's fields, plus Anonymous and the containers that use it.
type VolumeInspect struct {
	Name       string    `json:"Name"`
	Driver     string    `json:"Driver"` // always "local": a directory in the store
	Mountpoint string    `json:"Mountpoint"`
	CreatedAt  time.Time `json:"CreatedAt"`
	Scope      string    `json:"Scope"`
	Anonymous  bool      `json:"Anonymous"`
	Containers []string  `json:"Containers"` // full IDs, running or not
}

// DiskUsage is `system df --json`.
type DiskUsage struct {
	Summary    []UsageRow       `json:"summary"`
	Images     []ImageUsage     `json:"images"`
	Containers []ContainerUsage `json:"containers"`
	Volumes    []VolumeUsage    `json:"volumes"`
}

// UsageRow is one TYPE line of `system df`.
type UsageRow struct {
	Type        string `json:"type"`
	Total       int    `json:"total"`
	Active      int    `json:"active"`
	Size        int64  `json:"size"`
	Reclaimable int64  `json:"reclaimable"`
}

// ImageUsage is one image of `system df -v`: its size, the part of it in
// layers other images share, and the part that is its own.
type ImageUsage struct {
	ID         string   `json:"id"`
	RepoTags   []string `json:"repoTags"`
	Size       int64    `json:"size"`
	Shared     int64    `json:"shared"`
	Unique     int64    `json:"unique"`
	Containers int      `json:"containers"`
}

// ContainerUsage is one container with the size of its writable layer.
type ContainerUsage struct {
	ContainerSummary
	Size int64 `json:"size"`
}

// VolumeUsage is one volume: how many containers use it (docker's LINKS)
// and the bytes in its _data.
type VolumeUsage struct {
	Name  string `json:"name"`
	Links int    `json:"links"`
	Size  int64  `json:"size"`
}
