package cgroups

import (
	"fmt"
	"strconv"
	"strings"
)

// The device cgroup decides which device nodes a group's processes may
// create (mknod, "m"), read ("r") and write ("w"). It is the guard that
// keeps a container's root -- who may mknod any node, since CAP_MKNOD is one
// of docker's default capabilities -- from opening the host's disk: the
// node can be made, but open(2) is refused with EPERM.
//
// cgroup v1 has a "devices" controller with three files: devices.deny and
// devices.allow take rules in the form "TYPE MAJOR:MINOR ACCESS" ("c 1:3
// rwm", "a *:* rwm"), devices.list shows the result. cgroup v2 has no such
// files: the kernel runs a BPF program of type BPF_PROG_TYPE_CGROUP_DEVICE
// attached to the group for every device access, and its return value (1
// allow, 0 deny) decides. [DeviceRule] is the plain value both are built from.

// DeviceRule is one line of a device cgroup: allow or deny Access to the
// devices of Type with numbers Major:Minor. Rules apply in order, a later
// rule overriding an earlier one; a first rule "a *:* rwm" deny (or allow)
// sets what happens to devices no later rule names.
type DeviceRule struct {
	Type   DeviceType `json:"type"`   // 'c' char, 'b' block, 'a' all
	Major  int64      `json:"major"`  // Wildcard: any
	Minor  int64      `json:"minor"`  // Wildcard: any
	Access string     `json:"access"` // a subset of "rwm"
	Allow  bool       `json:"allow"`
}

// DeviceType is the kind of device a rule is about.
type DeviceType byte

const (
	CharDevice  DeviceType = 'c'
	BlockDevice DeviceType = 'b'
	AllDevices  DeviceType = 'a' // char and block; Major and Minor must be Wildcard
)

// Wildcard stands for any major or minor number ("*" in v1 files).
const Wildcard = -1

// DefaultDeviceRules are docker's and runc's defaults: deny everything, then
// allow mknod of any node (a node is only a name until it is opened) and
// read, write and mknod of the harmless pseudo-devices every program
// expects: null, zero, full, random, urandom, tty, console, ptmx, the
// pseudo-terminals 136:*, and tun/tap 10:200 (runc adds it; it only lets a
// process create interfaces in its own network namespace).
func DefaultDeviceRules() []DeviceRule {
	rules := []DeviceRule{
		{Type: AllDevices, Major: Wildcard, Minor: Wildcard, Access: "rwm", Allow: false},
		{Type: CharDevice, Major: Wildcard, Minor: Wildcard, Access: "m", Allow: true},
		{Type: BlockDevice, Major: Wildcard, Minor: Wildcard, Access: "m", Allow: true},
	}
	for _, n := range [][2]int64{
		{1, 3},          // /dev/null
		{1, 5},          // /dev/zero
		{1, 7},          // /dev/full
		{1, 8},          // /dev/random
		{1, 9},          // /dev/urandom
		{5, 0},          // /dev/tty
		{5, 1},          // /dev/console
		{5, 2},          // /dev/ptmx
		{136, Wildcard}, // /dev/pts/*
		{10, 200},       // /dev/net/tun
	} {
		rules = append(rules, DeviceRule{Type: CharDevice, Major: n[0], Minor: n[1], Access: "rwm", Allow: true})
	}
	return rules
}

// AllowAllDevices is `--privileged`: every device, every access.
func AllowAllDevices() []DeviceRule {
	return []DeviceRule{{Type: AllDevices, Major: Wildcard, Minor: Wildcard, Access: "rwm", Allow: true}}
}

// String is the rule in the v1 file syntax: "c 1:3 rwm", "a *:* rwm".
func (r DeviceRule) String() string {
	num := func(n int64) string {
		if n == Wildcard {
			return "*"
		}
		return strconv.FormatInt(n, 10)
	}
	return fmt.Sprintf("%c %s:%s %s", r.Type, num(r.Major), num(r.Minor), r.Access)
}

// Validate checks a rule before it reaches the kernel.
func (r DeviceRule) Validate() error {
	switch r.Type {
	case CharDevice, BlockDevice:
	case AllDevices:
		if r.Major != Wildcard || r.Minor != Wildcard {
			return fmt.Errorf("device rule %q: type a (all) takes *:* only", r)
		}
	default:
		return fmt.Errorf("device rule %q: type %q, want c, b or a", r, rune(r.Type))
	}
	if r.Major < Wildcard || r.Minor < Wildcard || r.Major > 0xfff || r.Minor > 0xfffff {
		return fmt.Errorf("device rule %q: device numbers out of range", r)
	}
	if r.Access == "" || strings.Trim(r.Access, "rwm") != "" {
		return fmt.Errorf("device rule %q: access %q, want letters of rwm", r, r.Access)
	}
	return nil
}

// V1DeviceWrites is what the v1 driver writes, in order: each rule as a
// line, to devices.allow or devices.deny (file name -> line pairs).
func V1DeviceWrites(rules []DeviceRule) ([][2]string, error) {
	var out [][2]string
	for _, r := range rules {
		if err := r.Validate(); err != nil {
			return nil, err
		}
		file := "devices.deny"
		if r.Allow {
			file = "devices.allow"
		}
		out = append(out, [2]string{file, r.String()})
	}
	return out, nil
}

// Access bits of a device request, as the kernel passes them to a v2 device
// program (BPF_DEVCG_ACC_* in <linux/bpf.h>), and the device types
// (BPF_DEVCG_DEV_*).
const (
	devAccMknod = 1
	devAccRead  = 2
	devAccWrite = 4
	devTypeBlk  = 1
	devTypeChar = 2
)

// accessBits turns "rwm" into BPF_DEVCG_ACC_* bits.
func accessBits(access string) uint32 {
	var bits uint32
	for _, c := range access {
		switch c {
		case 'm':
			bits |= devAccMknod
		case 'r':
			bits |= devAccRead
		case 'w':
			bits |= devAccWrite
		}
	}
	return bits
}

// DeviceAllowed evaluates rules for one request the way the v2 program
// does: the last rule that matches decides, nothing matching is a deny. A
// rule matches when type and numbers match and it covers every access bit
// asked for. It is the reference the generated program is tested against.
func DeviceAllowed(rules []DeviceRule, typ DeviceType, major, minor int64, access string) bool {
	want := accessBits(access)
	for i := len(rules) - 1; i >= 0; i-- {
		r := rules[i]
		if r.Type != AllDevices && r.Type != typ ||
			r.Major != Wildcard && r.Major != major ||
			r.Minor != Wildcard && r.Minor != minor ||
			want&^accessBits(r.Access) != 0 {
			continue
		}
		return r.Allow
	}
	return false
}
