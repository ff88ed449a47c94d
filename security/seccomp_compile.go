package security

import (
	"cmp"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"

	"golang.org/x/net/bpf"
)

// A seccomp filter is a classic BPF program (the packet-filter language of
// tcpdump) that the kernel runs on every syscall of the thread. Its input is
// not a packet but struct seccomp_data (<linux/seccomp.h>):
//
//	offset 0   int   nr                   the syscall number
//	offset 4   u32   arch                 AUDIT_ARCH_*: which syscall table nr is from
//	offset 8   u64   instruction_pointer
//	offset 16  u64   args[6]              little-endian on x86_64 and aarch64
//
// and its result is an action: SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO|errno,
// SECCOMP_RET_KILL_PROCESS, ... Classic BPF has 32-bit loads and
// comparisons only, so a 64-bit argument is compared in two halves.

// seccomp_data offsets.
const (
	offNr   = 0
	offArch = 4
	offArgs = 16
)

// Return values of a filter (seccomp(2)); the low 16 bits carry the errno of
// SECCOMP_RET_ERRNO or the data of SECCOMP_RET_TRACE.
const (
	retKillProcess = 0x80000000
	retKillThread  = 0x00000000
	retTrap        = 0x00030000
	retErrno       = 0x00050000
	retTrace       = 0x7ff00000
	retLog         = 0x7ffc0000
	retAllow       = 0x7fff0000
)

// bpfMaxInsns is BPF_MAXINSNS: the kernel refuses longer programs.
const bpfMaxInsns = 4096

// archInfo is what the filter needs to know about one architecture.
type archInfo struct {
	audit   uint32            // AUDIT_ARCH_* (<linux/audit.h>), the value of seccomp_data.arch
	scmp    string            // its name in a profile's architectures
	sysnum  map[string]uint32 // syscall numbers
	x32Mask bool              // x86_64: refuse x32 syscalls, which set bit 30 of nr
}

//go:generate go run gen_sysnum.go

var arches = map[string]archInfo{
	"amd64": {audit: 0xc000003e, scmp: "SCMP_ARCH_X86_64", sysnum: sysnumX86_64, x32Mask: true},
	"arm64": {audit: 0xc00000b7, scmp: "SCMP_ARCH_AARCH64", sysnum: sysnumAarch64},
}

// x32SyscallBit is __X32_SYSCALL_BIT: x32 programs (32-bit pointers on
// x86_64) enter the kernel with the same AUDIT_ARCH_X86_64 but nr | bit 30.
const x32SyscallBit = 0x40000000

// Target is what a filter is built for: the architecture of the host
// (runtime.GOARCH), the container's capabilities (for the rules'
// includes.caps and excludes.caps) and the running kernel's release (for
// includes.minKernel; "" counts as new enough).
type Target struct {
	Arch   string
	Caps   []string
	Kernel string
}

// Program is a compiled seccomp filter for one architecture: the classic
// BPF instructions to hand to seccomp(2). It travels to the container's
// init as JSON ({"arch":"amd64","bpf":"<base64 of the sock_filter array>"}).
type Program struct {
	Arch  string
	Insns []bpf.RawInstruction
}

// Compile builds the filter for t from p, once per container start:
//
//  1. Check seccomp_data.arch: a syscall made through another table (a
//     32-bit int 0x80 on x86_64, aarch32 on arm64) kills the process, as
//     does an x32 syscall on x86_64. Without this check, syscall 59 (execve
//     on x86_64) would be read as number 59 of the i386 table. Unlike docker,
//     minictr does not allow the 32-bit compat tables at all.
//  2. Find nr among the syscalls the profile lets through for t with a
//     binary search (jge on the middle number, about 9 steps for docker's
//     370 syscalls rather than up to 370 comparisons in a row: the filter
//     runs on every syscall).
//  3. At its syscall, try the argument rules in order, then the rule
//     without arguments, else the default action. A number not listed
//     gets the default action.
func Compile(p *Profile, t Target) (*Program, error) {
	arch, ok := arches[t.Arch]
	if !ok {
		return nil, fmt.Errorf("seccomp: architecture %q is not supported (minictr builds filters for amd64 and arm64)", t.Arch)
	}
	if !p.lists(arch.scmp) {
		return nil, fmt.Errorf("seccomp profile: architectures: %s is not listed, so every syscall would be refused", arch.scmp)
	}
	def, err := retValue(p.DefaultAction, p.DefaultErrnoRet)
	if err != nil {
		return nil, fmt.Errorf("seccomp profile: defaultAction: %w", err)
	}
	groups, err := p.rulesFor(t, arch)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(groups, func(a, b *group) int { return cmp.Compare(a.nr, b.nr) })
	tree, err := search(groups, def)
	if err != nil {
		return nil, err
	}
	raw, err := bpf.Assemble(append(header(arch), tree...))
	if err != nil {
		return nil, fmt.Errorf("seccomp: assemble filter: %w", err)
	}
	if len(raw) > bpfMaxInsns {
		return nil, fmt.Errorf("seccomp: filter has %d instructions, the kernel takes at most %d", len(raw), bpfMaxInsns)
	}
	return &Program{Arch: t.Arch, Insns: raw}, nil
}

// leafSize is how many syscalls the search compares one by one.
const leafSize = 4

// search emits the binary search over groups, sorted by number, with A
// holding nr. A range of more than leafSize syscalls becomes
//
//	jge #<first nr of the upper half>, 0, 1
//	ja <upper half>
//	<lower half>     (every path in it ends in a ret)
//	<upper half>
//
// The "ja" is there because a conditional jump skips at most 255
// instructions, and a half can be longer.
func search(groups []*group, def uint32) ([]bpf.Instruction, error) {
	if len(groups) <= leafSize {
		var out []bpf.Instruction
		for _, g := range groups {
			block, err := g.code(def)
			if err != nil {
				return nil, err
			}
			out = append(out, block...)
		}
		return append(out, bpf.RetConstant{Val: def}), nil
	}
	mid := len(groups) / 2
	lower, err := search(groups[:mid], def)
	if err != nil {
		return nil, err
	}
	upper, err := search(groups[mid:], def)
	if err != nil {
		return nil, err
	}
	out := []bpf.Instruction{
		bpf.JumpIf{Cond: bpf.JumpGreaterOrEqual, Val: groups[mid].nr, SkipFalse: 1},
		bpf.Jump{Skip: uint32(len(lower))},
	}
	out = append(out, lower...)
	return append(out, upper...), nil
}

// lists reports whether the profile names arch; a profile that names no
// architecture at all is for the native one.
func (p *Profile) lists(scmp string) bool {
	if len(p.Architectures) == 0 && len(p.ArchMap) == 0 {
		return true
	}
	if slices.Contains(p.Architectures, scmp) {
		return true
	}
	return slices.ContainsFunc(p.ArchMap, func(a Architecture) bool { return a.Arch == scmp })
}

// header is steps 1 and the load of nr: the arch check comes first.
func header(arch archInfo) []bpf.Instruction {
	h := []bpf.Instruction{
		bpf.LoadAbsolute{Off: offArch, Size: 4},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: arch.audit, SkipTrue: 1},
		bpf.RetConstant{Val: retKillProcess},
		bpf.LoadAbsolute{Off: offNr, Size: 4},
	}
	if arch.x32Mask {
		h = append(h,
			bpf.JumpIf{Cond: bpf.JumpGreaterOrEqual, Val: x32SyscallBit, SkipFalse: 1},
			bpf.RetConstant{Val: retKillProcess})
	}
	return h
}

// retValue is the filter's return value for an action.
func retValue(a Action, errno *uint) (uint32, error) {
	data := uint32(1) // EPERM, docker's default errno
	if errno != nil {
		if *errno > 0xffff {
			return 0, fmt.Errorf("errno %d does not fit in 16 bits", *errno)
		}
		data = uint32(*errno)
	}
	switch a {
	case ActKill, ActKillThread:
		return retKillThread, nil
	case ActKillProcess:
		return retKillProcess, nil
	case ActTrap:
		return retTrap, nil
	case ActErrno:
		return retErrno | data, nil
	case ActTrace:
		return retTrace | data, nil
	case ActLog:
		return retLog, nil
	case ActAllow:
		return retAllow, nil
	}
	return 0, fmt.Errorf("unknown action %q", a)
}

// MarshalJSON packs the instructions as the kernel's struct sock_filter
// array (8 bytes each, little-endian), which encoding/json writes in base64:
// a default filter is about 6 KB instead of 30 KB of JSON objects.
func (p Program) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 8*len(p.Insns))
	for _, in := range p.Insns {
		b = binary.LittleEndian.AppendUint16(b, in.Op)
		b = append(b, in.Jt, in.Jf)
		b = binary.LittleEndian.AppendUint32(b, in.K)
	}
	return json.Marshal(struct {
		Arch string `json:"arch"`
		BPF  []byte `json:"bpf"`
	}{p.Arch, b})
}

// UnmarshalJSON is the inverse of MarshalJSON.
func (p *Program) UnmarshalJSON(data []byte) error {
	var v struct {
		Arch string `json:"arch"`
		BPF  []byte `json:"bpf"`
	}
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	if len(v.BPF)%8 != 0 {
		return fmt.Errorf("seccomp program: %d bytes is not a whole number of 8-byte instructions", len(v.BPF))
	}
	p.Arch, p.Insns = v.Arch, make([]bpf.RawInstruction, len(v.BPF)/8)
	for i := range p.Insns {
		b := v.BPF[8*i:]
		p.Insns[i] = bpf.RawInstruction{Op: binary.LittleEndian.Uint16(b), Jt: b[2], Jf: b[3], K: binary.LittleEndian.Uint32(b[4:])}
	}
	return nil
}
