//go:build !linux

package mount

import "errors"

// Mounts, namespaces and pivot_root are Linux features. On other systems
// the pure parts of this package (Mount values, OverlayOptions, ParseBind,
// ParseMountInfo) work, so editors and `go vet` do, and every function
// that would make a Linux system call returns errors.ErrUnsupported.

var errUnsupported = errors.ErrUnsupported

func (m Mount) Apply() error                      { return errUnsupported }
func Unmount(target string) error                 { return errUnsupported }
func MountBinds(rootfs string, vols []Bind) error { return errUnsupported }
func BindConsole(rootfs, ptyPath string) error    { return errUnsupported }
func MountSpecial(rootfs string) error            { return errUnsupported }
func MakeDevices(rootfs string) error             { return errUnsupported }
func MakeDevLinks(rootfs string) error            { return errUnsupported }
func MountCgroupfs(rootfs string) error           { return errUnsupported }
func MakePrivate() error                          { return errUnsupported }
func PivotRoot(rootfs string) error               { return errUnsupported }
func ReadMountInfo() ([]MountInfo, error)         { return nil, errUnsupported }
func MaskPaths() error                            { return errUnsupported }
func ReadonlyPaths() error                        { return errUnsupported }
func ReadOnlyRoot() error                         { return errUnsupported }
func SetupRootfs(c RootfsConfig) error            { return errUnsupported }

// MakeDeviceNodes: see devices_linux.go.
func MakeDeviceNodes(rootfs string, nodes []DeviceNode) error { return errUnsupported }
