package cgroups

import (
	"fmt"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/link"
	"golang.org/x/sys/unix"
)

// SetDevices builds a BPF_PROG_TYPE_CGROUP_DEVICE program from the rules,
// loads it with bpf(2) BPF_PROG_LOAD and attaches it to the group's
// directory with BPF_PROG_ATTACH (attach type BPF_CGROUP_DEVICE). The
// attachment holds the program: it stays in force after this process closes
// its descriptor, and goes away with the group's directory.
//
// BPF_F_ALLOW_MULTI lets a parent's program (systemd's, for a unit) and
// this one both run: a device is allowed only if every program allows it.
func (c *v2) SetDevices(rules []DeviceRule) error {
	return attachDeviceProgram(c.fd, c.dir, rules)
}

// attachDeviceProgram loads the program for rules and attaches it to the
// cgroup2 directory open as dirFD.
func attachDeviceProgram(dirFD int, dir string, rules []DeviceRule) error {
	insns, err := DeviceProgram(rules)
	if err != nil {
		return err
	}
	prog, err := ebpf.NewProgram(&ebpf.ProgramSpec{
		Name:         "minictr_devices",
		Type:         ebpf.CGroupDevice,
		Instructions: insns,
		License:      "Apache-2.0", // the program calls no GPL-only kernel helper
	})
	if err != nil {
		return fmt.Errorf("bpf prog load cgroup_device for %s: %w", dir, err)
	}
	defer prog.Close()
	err = link.RawAttachProgram(link.RawAttachProgramOptions{
		Target:  dirFD,
		Program: prog,
		Attach:  ebpf.AttachCGroupDevice,
		Flags:   unix.BPF_F_ALLOW_MULTI,
	})
	if err != nil {
		return fmt.Errorf("bpf prog attach cgroup_device %s: %w", dir, err)
	}
	return nil
}

// DeviceProgram translates rules into eBPF instructions. The kernel calls
// the program with r1 pointing at struct bpf_cgroup_dev_ctx:
//
//	u32 access_type   device type (1 block, 2 char) | access bits << 16
//	u32 major
//	u32 minor
//
// The program loads the four values into r2..r5, then tests the rules last
// first, so the last matching rule decides (as in [DeviceAllowed]); each
// rule is a few compare-and-skip instructions followed by "r0 = 1 or 0;
// exit". No rule matching returns 0: denied.
func DeviceProgram(rules []DeviceRule) (asm.Instructions, error) {
	insns := asm.Instructions{
		asm.LoadMem(asm.R2, asm.R1, 0, asm.Word), // r2 = access_type
		asm.And.Imm32(asm.R2, 0xffff),            // r2 = device type
		asm.LoadMem(asm.R3, asm.R1, 0, asm.Word), // r3 = access_type
		asm.RSh.Imm32(asm.R3, 16),                // r3 = access bits
		asm.LoadMem(asm.R4, asm.R1, 4, asm.Word), // r4 = major
		asm.LoadMem(asm.R5, asm.R1, 8, asm.Word), // r5 = minor
	}
	for i := len(rules) - 1; i >= 0; i-- {
		r := rules[i]
		if err := r.Validate(); err != nil {
			return nil, err
		}
		next := fmt.Sprintf("rule_%d", i-1) // label of the next block
		var block asm.Instructions
		switch r.Type {
		case CharDevice:
			block = append(block, asm.JNE.Imm(asm.R2, devTypeChar, next))
		case BlockDevice:
			block = append(block, asm.JNE.Imm(asm.R2, devTypeBlk, next))
		}
		if acc := accessBits(r.Access); acc != devAccMknod|devAccRead|devAccWrite {
			block = append(block,
				asm.Mov.Reg32(asm.R1, asm.R3),        // r1 = access bits asked for
				asm.And.Imm32(asm.R1, int32(^acc&7)), // those the rule does not cover
				asm.JNE.Imm(asm.R1, 0, next))
		}
		if r.Major != Wildcard {
			block = append(block, asm.JNE.Imm(asm.R4, int32(r.Major), next))
		}
		if r.Minor != Wildcard {
			block = append(block, asm.JNE.Imm(asm.R5, int32(r.Minor), next))
		}
		block = append(block, asm.Mov.Imm32(asm.R0, boolInt(r.Allow)), asm.Return())
		block[0] = block[0].WithSymbol(fmt.Sprintf("rule_%d", i))
		insns = append(insns, block...)
		if len(block) == 2 {
			// "a *:* rwm" matches everything: the rules before it, and the
			// default, can never be reached (and the verifier refuses
			// unreachable instructions).
			return insns, nil
		}
	}
	insns = append(insns,
		asm.Mov.Imm32(asm.R0, 0).WithSymbol("rule_-1"), // nothing matched: deny
		asm.Return())
	return insns, nil
}

func boolInt(b bool) int32 {
	if b {
		return 1
	}
	return 0
}
