package security

import (
	"encoding/binary"
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/net/bpf"
)

// run executes a compiled filter in x/net/bpf's virtual machine on a
// synthetic struct seccomp_data. The VM loads 32-bit words big-endian
// (network order, for packets) while the kernel loads seccomp_data in the
// machine's order, so each 32-bit word is stored big-endian here: a load at
// offset 16 then yields the low half of args[0], as in the kernel.
func run(t *testing.T, p *Program, arch uint32, nr uint32, args ...uint64) uint32 {
	t.Helper()
	data := make([]byte, 64)
	binary.BigEndian.PutUint32(data[0:], nr)
	binary.BigEndian.PutUint32(data[4:], arch)
	for i, a := range args {
		binary.BigEndian.PutUint32(data[16+8*i:], uint32(a))
		binary.BigEndian.PutUint32(data[20+8*i:], uint32(a>>32))
	}
	vm := vms[p]
	if vm == nil {
		insns, ok := bpf.Disassemble(p.Insns)
		if !ok {
			t.Fatalf("program does not disassemble")
		}
		var err error
		if vm, err = bpf.NewVM(insns); err != nil {
			t.Fatalf("NewVM: %v", err)
		}
		vms[p] = vm
	}
	out, err := vm.Run(data)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return uint32(out)
}

// vms holds the VM of each program run has seen (tests do not run in parallel).
var vms = map[*Program]*bpf.VM{}

func compile(t *testing.T, p *Profile, tg Target) *Program {
	t.Helper()
	prog, err := Compile(p, tg)
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	return prog
}

const (
	auditX86_64  = 0xc000003e
	auditAarch64 = 0xc00000b7
	auditI386    = 0x40000003
	eperm        = retErrno | 1
	enosys       = retErrno | 38
)

func TestDefaultFilterAmd64(t *testing.T) {
	nr := func(name string) uint32 { return sysnumX86_64[name] }
	def := compile(t, DefaultProfile(), Target{Arch: "amd64", Caps: DefaultCaps, Kernel: "6.1.0"})
	admin := compile(t, DefaultProfile(), Target{Arch: "amd64", Caps: append([]string{"CAP_SYS_ADMIN", "CAP_SYS_BOOT"}, DefaultCaps...)})
	const newUser, threadFlags = 0x10000000, 0x003d0f00 // CLONE_NEWUSER; what pthread_create passes
	for _, c := range []struct {
		name string
		p    *Program
		arch uint32
		nr   uint32
		args []uint64
		want uint32
	}{
		{"read", def, auditX86_64, nr("read"), nil, retAllow},
		{"execve", def, auditX86_64, nr("execve"), nil, retAllow},
		{"mount", def, auditX86_64, nr("mount"), nil, eperm},
		{"mount with SYS_ADMIN", admin, auditX86_64, nr("mount"), nil, retAllow},
		{"umount2", def, auditX86_64, nr("umount2"), nil, eperm},
		{"unshare", def, auditX86_64, nr("unshare"), []uint64{newUser}, eperm},
		{"setns", def, auditX86_64, nr("setns"), nil, eperm},
		{"reboot", def, auditX86_64, nr("reboot"), nil, eperm},
		{"reboot with SYS_BOOT", admin, auditX86_64, nr("reboot"), nil, retAllow},
		{"kexec_load", admin, auditX86_64, nr("kexec_load"), nil, eperm},
		{"init_module", def, auditX86_64, nr("init_module"), nil, eperm},
		{"clock_settime", def, auditX86_64, nr("clock_settime"), nil, eperm},
		{"keyctl", def, auditX86_64, nr("keyctl"), nil, eperm},
		{"swapon", def, auditX86_64, nr("swapon"), nil, eperm},
		{"clone of a thread", def, auditX86_64, nr("clone"), []uint64{threadFlags}, retAllow},
		{"clone of a user namespace", def, auditX86_64, nr("clone"), []uint64{newUser}, eperm},
		{"clone of a namespace with SYS_ADMIN", admin, auditX86_64, nr("clone"), []uint64{newUser}, retAllow},
		{"clone3 is ENOSYS", def, auditX86_64, nr("clone3"), nil, enosys},
		{"clone3 with SYS_ADMIN", admin, auditX86_64, nr("clone3"), nil, retAllow},
		{"socket AF_INET", def, auditX86_64, nr("socket"), []uint64{2}, retAllow},
		{"socket AF_VSOCK", def, auditX86_64, nr("socket"), []uint64{40}, eperm},
		{"socket 39", def, auditX86_64, nr("socket"), []uint64{39}, retAllow},
		{"socket 41", def, auditX86_64, nr("socket"), []uint64{41}, retAllow},
		{"personality PER_LINUX", def, auditX86_64, nr("personality"), []uint64{0}, retAllow},
		{"personality query", def, auditX86_64, nr("personality"), []uint64{0xffffffff}, retAllow},
		{"personality READ_IMPLIES_EXEC", def, auditX86_64, nr("personality"), []uint64{0x0400000}, eperm},
		{"personality high half", def, auditX86_64, nr("personality"), []uint64{1 << 32}, eperm},
		{"ptrace on 6.1", def, auditX86_64, nr("ptrace"), nil, retAllow},
		{"i386 table", def, auditI386, 11, nil, retKillProcess},
		{"aarch64 on x86_64", def, auditAarch64, 63, nil, retKillProcess},
		{"x32 read", def, auditX86_64, x32SyscallBit | 0, nil, retKillProcess},
		{"unknown number", def, auditX86_64, 999, nil, eperm},
	} {
		if got := run(t, c.p, c.arch, c.nr, c.args...); got != c.want {
			t.Errorf("%s: filter returns %#x, want %#x", c.name, got, c.want)
		}
	}
}

func TestDefaultFilterMinKernel(t *testing.T) {
	old := compile(t, DefaultProfile(), Target{Arch: "amd64", Caps: DefaultCaps, Kernel: "4.4.0-210-generic"})
	if got := run(t, old, auditX86_64, sysnumX86_64["ptrace"]); got != eperm {
		t.Errorf("ptrace on 4.4 (minKernel 4.8): %#x, want EPERM", got)
	}
}

func TestDefaultFilterArm64(t *testing.T) {
	p := compile(t, DefaultProfile(), Target{Arch: "arm64", Caps: DefaultCaps})
	for _, c := range []struct {
		arch, nr, want uint32
	}{
		{auditAarch64, sysnumAarch64["read"], retAllow},
		{auditAarch64, sysnumAarch64["mount"], eperm},
		{auditAarch64, sysnumAarch64["clone3"], enosys},
		{auditX86_64, sysnumX86_64["read"], retKillProcess},
	} {
		if got := run(t, p, c.arch, c.nr); got != c.want {
			t.Errorf("arch %#x nr %d: %#x, want %#x", c.arch, c.nr, got, c.want)
		}
	}
}

// TestArgOperators checks each comparison, on 64-bit values whose halves
// differ, against Go's own unsigned comparison.
func TestArgOperators(t *testing.T) {
	const v = 0x0000_0005_8000_0000
	values := []uint64{0, 1, v - 1, v, v + 1, 0x5_0000_0000, 0x4_ffff_ffff, 0x6_0000_0000, 0x8000_0000, 1<<64 - 1}
	ops := map[Operator]func(x uint64) bool{
		OpEqual:        func(x uint64) bool { return x == v },
		OpNotEqual:     func(x uint64) bool { return x != v },
		OpLess:         func(x uint64) bool { return x < v },
		OpLessEqual:    func(x uint64) bool { return x <= v },
		OpGreater:      func(x uint64) bool { return x > v },
		OpGreaterEqual: func(x uint64) bool { return x >= v },
		OpMaskedEqual:  func(x uint64) bool { return x&0xf_0000_00ff == 0x5_0000_0000 },
	}
	for op, want := range ops {
		a := Arg{Index: 2, Value: v, Op: op}
		if op == OpMaskedEqual {
			a = Arg{Index: 2, Value: 0xf_0000_00ff, ValueTwo: 0x5_0000_0000, Op: op}
		}
		p := &Profile{DefaultAction: ActErrno, Syscalls: []Syscall{{Names: []string{"read"}, Action: ActAllow, Args: []Arg{a}}}}
		prog := compile(t, p, Target{Arch: "amd64"})
		for _, x := range values {
			got := run(t, prog, auditX86_64, 0, 0, 0, x) == retAllow
			if got != want(x) {
				t.Errorf("%s %#x: filter allows=%v, want %v", op, x, got, want(x))
			}
		}
	}
}

// TestDefaultProfileIsDockers parses docker's own default.json (moby/profiles,
// testdata/docker-default.json) and compares it with the Go data.
func TestDefaultProfileIsDockers(t *testing.T) {
	b, err := os.ReadFile("testdata/docker-default.json")
	if err != nil {
		t.Fatal(err)
	}
	p, err := ParseProfile(b)
	if err != nil {
		t.Fatal(err)
	}
	ours := DefaultProfile()
	p.ArchMap = ours.ArchMap // docker lists mips, s390x, riscv64, ... too; minictr builds for two
	for i := range p.Syscalls {
		p.Syscalls[i].Comment = ""
	}
	for i := range ours.Syscalls {
		ours.Syscalls[i].Comment = ""
	}
	if !reflect.DeepEqual(p, ours) {
		a, _ := json.MarshalIndent(p, "", " ")
		b, _ := json.MarshalIndent(ours, "", " ")
		t.Errorf("DefaultProfile differs from docker's default.json:\n docker: %.2000s\n ours:   %.2000s", a, b)
	}
}

func TestParseProfileErrors(t *testing.T) {
	for _, c := range []struct{ json, want string }{
		{`{`, "unexpected EOF"},
		{`{"syscalls": []}`, "defaultAction: missing"},
		{`{"defaultAction": "SCMP_ACT_NOPE"}`, `defaultAction: unknown action "SCMP_ACT_NOPE"`},
		{`{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW"}, {"action": "SCMP_ACT_ALLOW"}]}`, "syscalls[1].names: missing"},
		{`{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "ALLOW"}]}`, `syscalls[0].action: unknown action "ALLOW"`},
		{`{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 6, "value": 1, "op": "SCMP_CMP_EQ"}]}]}`, "syscalls[0].args[0].index: 6"},
		{`{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 1, "op": "EQ"}]}]}`, `syscalls[0].args[0].op: unknown operator "EQ"`},
		{`{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": "read", "action": "SCMP_ACT_ALLOW"}]}`, "syscalls.names: want a JSON []string, got string"},
	} {
		_, err := ParseProfile([]byte(c.json))
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "seccomp profile: ") {
			t.Errorf("ParseProfile(%s): %v, want an error containing %q", c.json, err, c.want)
		}
	}
}

// TestProfileDenyMkdir is the "a profile file that denies mkdir":
// errnoRet is what the syscall returns.
func TestProfileDenyMkdir(t *testing.T) {
	p, err := ParseProfile([]byte(`{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
		{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]}`))
	if err != nil {
		t.Fatal(err)
	}
	prog := compile(t, p, Target{Arch: "amd64"})
	if got := run(t, prog, auditX86_64, sysnumX86_64["mkdirat"]); got != retErrno|13 {
		t.Errorf("mkdirat: %#x, want EACCES", got)
	}
	if got := run(t, prog, auditX86_64, sysnumX86_64["rmdir"]); got != retAllow {
		t.Errorf("rmdir: %#x, want allow", got)
	}
}

func TestCompileErrors(t *testing.T) {
	if _, err := Compile(DefaultProfile(), Target{Arch: "riscv64"}); err == nil {
		t.Error("riscv64: no error")
	}
	p := &Profile{DefaultAction: ActErrno, Architectures: []string{"SCMP_ARCH_AARCH64"}}
	if _, err := Compile(p, Target{Arch: "amd64"}); err == nil || !strings.Contains(err.Error(), "SCMP_ARCH_X86_64 is not listed") {
		t.Errorf("profile without the arch: %v", err)
	}
}

func TestProgramJSON(t *testing.T) {
	p := compile(t, DefaultProfile(), Target{Arch: "amd64", Caps: DefaultCaps})
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var back Program
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(*p, back) {
		t.Error("program changed in a JSON round trip")
	}
	t.Logf("default filter: %d instructions, %d bytes of JSON", len(p.Insns), len(b))
}

// TestFilterMatchesRules runs every syscall number through the compiled
// filter (its binary search, blocks and argument checks) and through a
// plain Go reading of the same rules; both must agree.
func TestFilterMatchesRules(t *testing.T) {
	for _, goarch := range []string{"amd64", "arm64"} {
		arch := arches[goarch]
		for _, caps := range [][]string{DefaultCaps, nil, append([]string{"CAP_SYS_ADMIN"}, DefaultCaps...)} {
			tg := Target{Arch: goarch, Caps: caps, Kernel: "6.1"}
			prog := compile(t, DefaultProfile(), tg)
			groups, err := DefaultProfile().rulesFor(tg, arch)
			if err != nil {
				t.Fatal(err)
			}
			for nr := uint32(0); nr < 500; nr++ {
				for _, arg0 := range []uint64{0, 8, 40, 0x10000000, 1 << 40} {
					want := evalRules(groups, nr, arg0, eperm)
					if got := run(t, prog, arch.audit, nr, arg0); got != want {
						t.Errorf("%s caps=%d nr %d arg0 %#x: filter %#x, rules %#x", goarch, len(caps), nr, arg0, got, want)
					}
				}
			}
		}
	}
}

// evalRules is the meaning of the rules, in Go: the first rule of nr whose
// arguments all match (args other than 0 are 0) decides.
func evalRules(groups []*group, nr uint32, arg0 uint64, def uint32) uint32 {
	for _, g := range groups {
		if g.nr != nr {
			continue
		}
	rules:
		for _, r := range g.rules {
			for _, a := range r.args {
				x := uint64(0)
				if a.Index == 0 {
					x = arg0
				}
				ok := map[Operator]bool{
					OpEqual: x == a.Value, OpNotEqual: x != a.Value, OpLess: x < a.Value,
					OpLessEqual: x <= a.Value, OpGreater: x > a.Value, OpGreaterEqual: x >= a.Value,
					OpMaskedEqual: x&a.Value == a.ValueTwo,
				}[a.Op]
				if !ok {
					continue rules
				}
			}
			return r.ret
		}
	}
	return def
}
