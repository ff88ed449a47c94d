package cgroups

import "strings"

// Freezing a cgroup stops every process in it where it stands, without a
// signal the processes could see or handle, until it is thawed: `docker
// pause`, and what `docker commit` does (by default) while it reads the
// container's files, so that the layer is one moment's state and not a
// mix of before and after.
//
// cgroup v2 (Documentation/admin-guide/cgroup-v2.rst, "Core Interface
// Files"): write "1" to cgroup.freeze; the kernel stops the tasks one by
// one, and when all are stopped cgroup.events says "frozen 1". Writing "0"
// thaws, and cgroup.events goes back to "frozen 0".
//
// cgroup v1 (Documentation/admin-guide/cgroup-v1/freezer-subsystem.rst):
// a controller of its own with its own hierarchy. Write "FROZEN" to
// freezer.state; reading it says "FREEZING" until every task is stopped,
// then "FROZEN". Writing "THAWED" thaws.
//
// Either way the write only starts the change; a caller that wants the
// processes really stopped reads the status file until it says so.
// freezeFile and frozenIn are that protocol as pure values.

// freezeFile returns the file to write and the value to write to it to
// freeze (frozen true) or thaw a group of the given cgroup version, and
// the file that reports when the change is done.
func freezeFile(version int, frozen bool) (file, value, status string) {
	if version == 2 {
		if frozen {
			return "cgroup.freeze", "1", "cgroup.events"
		}
		return "cgroup.freeze", "0", "cgroup.events"
	}
	if frozen {
		return "freezer.state", "FROZEN", "freezer.state"
	}
	return "freezer.state", "THAWED", "freezer.state"
}

// frozenIn reads the content of the status file freezeFile named and says
// whether the group has reached the wanted state. A v1 group on its way
// there reads "FREEZING".
func frozenIn(version int, status string, frozen bool) bool {
	if version == 2 {
		v, ok := parseKeyed(status)["frozen"]
		return ok && (v == 1) == frozen
	}
	state := strings.TrimSpace(status)
	if frozen {
		return state == "FROZEN"
	}
	return state == "THAWED"
}
