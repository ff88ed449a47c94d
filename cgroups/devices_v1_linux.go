package cgroups

import (
	"fmt"
	"path/filepath"
)

// SetDevices writes the rules, in order, to the group's devices.deny and
// devices.allow files (Documentation/admin-guide/cgroup-v1/devices.rst).
// "a" written to devices.deny empties the group's list and makes it deny by
// default; each "c 1:3 rwm" written to devices.allow then adds an exception.
// Call it before the container's process runs: a process already holding
// an open device keeps it.
func (c *v1) SetDevices(rules []DeviceRule) error {
	dir, ok := c.paths["devices"]
	if !ok {
		return fmt.Errorf("%w: this v1 group has no devices hierarchy (made by an older minictr?)", ErrControllerMissing)
	}
	writes, err := V1DeviceWrites(rules)
	if err != nil {
		return err
	}
	for _, w := range writes {
		if err := writeFile(filepath.Join(dir, w[0]), w[1]); err != nil {
			return err
		}
	}
	return nil
}
