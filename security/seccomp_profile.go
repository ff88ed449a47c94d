package security

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
)

// Profile is a seccomp profile in docker's JSON format (moby/profiles'
// seccomp/default.json, `docker run --security-opt seccomp=FILE`), so a
// profile written for docker or podman works unchanged. [DefaultProfile]
// is docker's default as Go data; [ParseProfile] reads a file's bytes.
type Profile struct {
	DefaultAction   Action         `json:"defaultAction"`
	DefaultErrnoRet *uint          `json:"defaultErrnoRet,omitempty"` // errno of an ERRNO default; EPERM when absent
	Architectures   []string       `json:"architectures,omitempty"`   // older files: SCMP_ARCH_* names
	ArchMap         []Architecture `json:"archMap,omitempty"`         // newer files: a native arch and its sub-arches
	Syscalls        []Syscall      `json:"syscalls"`
}

// Architecture is one entry of archMap: a native architecture and the
// compat ones its kernel also runs (x86 and x32 on x86_64, arm on aarch64).
type Architecture struct {
	Arch      string   `json:"architecture"`
	SubArches []string `json:"subArchitectures"`
}

// Syscall is one rule: the action for the syscalls in Names, when all Args
// match, for containers that pass Includes and Excludes.
type Syscall struct {
	Names    []string `json:"names,omitempty"`
	Name     string   `json:"name,omitempty"` // the oldest format: one name
	Action   Action   `json:"action"`
	ErrnoRet *uint    `json:"errnoRet,omitempty"`
	Args     []Arg    `json:"args,omitempty"`
	Comment  string   `json:"comment,omitempty"`
	Includes *Filter  `json:"includes,omitempty"`
	Excludes *Filter  `json:"excludes,omitempty"`
}

// Arg compares one of the six syscall arguments, as a 64-bit unsigned
// number, with Value (and ValueTwo for MASKED_EQ: arg & Value == ValueTwo).
type Arg struct {
	Index    uint     `json:"index"`
	Value    uint64   `json:"value"`
	ValueTwo uint64   `json:"valueTwo,omitempty"`
	Op       Operator `json:"op"`
}

// Filter says which containers a rule is for. In Includes every listed
// capability must be held and the architecture must be listed; in Excludes
// any listed capability held, or the architecture listed, drops the rule.
type Filter struct {
	Caps      []string `json:"caps,omitempty"`
	Arches    []string `json:"arches,omitempty"` // GOARCH-like names: amd64, arm64, x86, x32, arm, ...
	MinKernel string   `json:"minKernel,omitempty"`
}

// Action is what the filter returns for a syscall (seccomp(2), "Filter
// return values").
type Action string

const (
	ActKill        Action = "SCMP_ACT_KILL" // kill the thread
	ActKillThread  Action = "SCMP_ACT_KILL_THREAD"
	ActKillProcess Action = "SCMP_ACT_KILL_PROCESS"
	ActTrap        Action = "SCMP_ACT_TRAP" // send SIGSYS
	ActErrno       Action = "SCMP_ACT_ERRNO"
	ActTrace       Action = "SCMP_ACT_TRACE" // tell a ptrace(2) tracer
	ActLog         Action = "SCMP_ACT_LOG"   // allow, and log it
	ActAllow       Action = "SCMP_ACT_ALLOW"
)

// Operator compares a syscall argument.
type Operator string

const (
	OpEqual        Operator = "SCMP_CMP_EQ"
	OpNotEqual     Operator = "SCMP_CMP_NE"
	OpLess         Operator = "SCMP_CMP_LT"
	OpLessEqual    Operator = "SCMP_CMP_LE"
	OpGreater      Operator = "SCMP_CMP_GT"
	OpGreaterEqual Operator = "SCMP_CMP_GE"
	OpMaskedEqual  Operator = "SCMP_CMP_MASKED_EQ"
)

var (
	knownActions   = []Action{ActKill, ActKillThread, ActKillProcess, ActTrap, ActErrno, ActTrace, ActLog, ActAllow}
	knownOperators = []Operator{OpEqual, OpNotEqual, OpLess, OpLessEqual, OpGreater, OpGreaterEqual, OpMaskedEqual}
)

// LoadProfile reads and parses a profile file (`--security-opt seccomp=FILE`).
func LoadProfile(path string) (*Profile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("seccomp profile: %w", err)
	}
	p, err := ParseProfile(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return p, nil
}

// ParseProfile decodes docker's JSON profile format and checks it. Errors
// name the field, e.g. `seccomp profile: syscalls[3].args[0].op: unknown
// operator "SCMP_CMP_FOO"`.
func ParseProfile(data []byte) (*Profile, error) {
	var p Profile
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&p); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return nil, fmt.Errorf("seccomp profile: %s: want a JSON %s, got %s (at byte %d)", te.Field, te.Type, te.Value, te.Offset)
		}
		return nil, fmt.Errorf("seccomp profile: %w", err)
	}
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("seccomp profile: %w", err)
	}
	return &p, nil
}

// Validate checks the fields a filter is built from.
func (p *Profile) Validate() error {
	if p.DefaultAction == "" {
		return errors.New("defaultAction: missing")
	}
	if !slices.Contains(knownActions, p.DefaultAction) {
		return fmt.Errorf("defaultAction: unknown action %q (known: %s)", p.DefaultAction, joinStr(knownActions))
	}
	for i, s := range p.Syscalls {
		field := "syscalls[" + strconv.Itoa(i) + "]"
		if len(s.Names) == 0 && s.Name == "" {
			return fmt.Errorf("%s.names: missing", field)
		}
		if !slices.Contains(knownActions, s.Action) {
			return fmt.Errorf("%s.action: unknown action %q (known: %s)", field, s.Action, joinStr(knownActions))
		}
		for j, a := range s.Args {
			if a.Index > 5 {
				return fmt.Errorf("%s.args[%d].index: %d, a syscall has arguments 0 to 5", field, j, a.Index)
			}
			if !slices.Contains(knownOperators, a.Op) {
				return fmt.Errorf("%s.args[%d].op: unknown operator %q (known: %s)", field, j, a.Op, joinStr(knownOperators))
			}
		}
		for _, f := range []*Filter{s.Includes, s.Excludes} {
			if f == nil || f.MinKernel == "" {
				continue
			}
			if _, err := parseKernel(f.MinKernel); err != nil {
				return fmt.Errorf("%s.includes.minKernel: %w", field, err)
			}
		}
	}
	return nil
}

// names returns the syscall names of a rule in either format.
func (s Syscall) names() []string {
	if s.Name != "" {
		return append([]string{s.Name}, s.Names...)
	}
	return s.Names
}

// parseKernel reads "4.8" or "5.10.12" as {major, minor}.
func parseKernel(v string) ([2]int, error) {
	parts := strings.SplitN(v, ".", 3)
	var out [2]int
	for i := 0; i < 2 && i < len(parts); i++ {
		n, err := strconv.Atoi(strings.TrimFunc(parts[i], func(r rune) bool { return r < '0' || r > '9' }))
		if err != nil {
			return out, fmt.Errorf("kernel version %q: want MAJOR.MINOR", v)
		}
		out[i] = n
	}
	return out, nil
}

func joinStr[T ~string](xs []T) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = string(x)
	}
	return strings.Join(s, ", ")
}
