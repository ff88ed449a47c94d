package security

import (
	"fmt"
	"slices"

	"golang.org/x/net/bpf"
)

// rule is one compiled-to-be rule of one syscall: all args must match.
type rule struct {
	args []Arg
	ret  uint32
}

// group is every rule of one syscall, in the order they are tried.
type group struct {
	name  string
	nr    uint32
	rules []rule
}

// rulesFor selects the rules that apply to t and groups them by syscall. Within a group the
// rules with arguments come first; the first rule without arguments ends the
// group (later ones could never be reached). Names the architecture does not
// have (e.g. "stat64" on x86_64, "open" on arm64) are skipped, as libseccomp
// does.
func (p *Profile) rulesFor(t Target, arch archInfo) ([]*group, error) {
	have, err := maskOf(t.Caps)
	if err != nil {
		return nil, fmt.Errorf("seccomp target: %w", err)
	}
	kernel, _ := parseKernel(t.Kernel) // "" parses as 0.0: then minKernel is not checked
	byName := map[string]*group{}
	var order []*group
	for i, s := range p.Syscalls {
		ok, err := s.appliesTo(t.Arch, have, kernel)
		if err != nil {
			return nil, fmt.Errorf("seccomp profile: syscalls[%d]: %w", i, err)
		}
		if !ok {
			continue
		}
		ret, err := retValue(s.Action, s.ErrnoRet)
		if err != nil {
			return nil, fmt.Errorf("seccomp profile: syscalls[%d].action: %w", i, err)
		}
		for _, name := range s.names() {
			nr, known := arch.sysnum[name]
			if !known {
				continue
			}
			g := byName[name]
			if g == nil {
				g = &group{name: name, nr: nr}
				byName[name] = g
				order = append(order, g)
			}
			g.rules = append(g.rules, rule{args: s.Args, ret: ret})
		}
	}
	for _, g := range order {
		// stable: argument rules keep their order, and go before the others
		slices.SortStableFunc(g.rules, func(a, b rule) int { return len(b.args) - len(a.args) })
		if i := slices.IndexFunc(g.rules, func(r rule) bool { return len(r.args) == 0 }); i >= 0 {
			g.rules = g.rules[:i+1]
		}
	}
	return order, nil
}

// appliesTo evaluates a rule's includes and excludes for a container.
func (s Syscall) appliesTo(goarch string, have capMask, kernel [2]int) (bool, error) {
	if in := s.Includes; in != nil {
		want, err := maskOf(in.Caps)
		if err != nil {
			return false, fmt.Errorf("includes.caps: %w", err)
		}
		if have&want != want || (len(in.Arches) > 0 && !slices.Contains(in.Arches, goarch)) {
			return false, nil
		}
		if in.MinKernel != "" && kernel != [2]int{} {
			min, err := parseKernel(in.MinKernel)
			if err != nil {
				return false, fmt.Errorf("includes.minKernel: %w", err)
			}
			if kernel[0] < min[0] || kernel[0] == min[0] && kernel[1] < min[1] {
				return false, nil
			}
		}
	}
	if ex := s.Excludes; ex != nil {
		drop, err := maskOf(ex.Caps)
		if err != nil {
			return false, fmt.Errorf("excludes.caps: %w", err)
		}
		if have&drop != 0 || slices.Contains(ex.Arches, goarch) {
			return false, nil
		}
	}
	return true, nil
}

// code is the block of one syscall:
//
//	jeq #nr, 0, <past the block>   (A holds nr)
//	rule 1: argument checks, ret action     (a failed check jumps to rule 2)
//	rule 2: ...
//	ret default                              (unless a rule had no arguments)
//
// Every block ends in a ret, because the argument checks overwrite A.
func (g *group) code(def uint32) ([]bpf.Instruction, error) {
	var body []bpf.Instruction
	for _, r := range g.rules {
		body = append(body, ruleCode(r)...)
	}
	if last := g.rules[len(g.rules)-1]; len(last.args) > 0 {
		body = append(body, bpf.RetConstant{Val: def})
	}
	if len(body) > 255 {
		return nil, fmt.Errorf("seccomp: the rules of %s take %d instructions, more than a BPF jump can skip (255)", g.name, len(body))
	}
	jump := bpf.JumpIf{Cond: bpf.JumpEqual, Val: g.nr, SkipFalse: uint8(len(body))}
	return append([]bpf.Instruction{jump}, body...), nil
}

// check is one instruction of a rule; failT/failF mark a jump whose true or
// false branch goes to the next rule, resolved once the rule's length is known.
type check struct {
	in           bpf.Instruction
	failT, failF bool
}

// ruleCode is the argument checks of a rule followed by its ret.
func ruleCode(r rule) []bpf.Instruction {
	var cs []check
	for _, a := range r.args {
		cs = append(cs, argChecks(a)...)
	}
	cs = append(cs, check{in: bpf.RetConstant{Val: r.ret}})
	out := make([]bpf.Instruction, len(cs))
	for i, c := range cs {
		if j, ok := c.in.(bpf.JumpIf); ok {
			toNext := uint8(len(cs) - i - 1) // to the first instruction after this rule's ret
			if c.failT {
				j.SkipTrue = toNext
			}
			if c.failF {
				j.SkipFalse = toNext
			}
			c.in = j
		}
		out[i] = c.in
	}
	return out
}

// argChecks compares args[a.Index] with a.Value as unsigned 64-bit numbers,
// high half first. On success it falls through to the next check.
func argChecks(a Arg) []check {
	lo := offArgs + 8*uint32(a.Index)
	ldHi := check{in: bpf.LoadAbsolute{Off: lo + 4, Size: 4}}
	ldLo := check{in: bpf.LoadAbsolute{Off: lo, Size: 4}}
	vh, vl := uint32(a.Value>>32), uint32(a.Value)
	jeq := func(v uint32) bpf.JumpIf { return bpf.JumpIf{Cond: bpf.JumpEqual, Val: v} }
	switch a.Op {
	case OpEqual:
		return []check{ldHi, {in: jeq(vh), failF: true}, ldLo, {in: jeq(vl), failF: true}}
	case OpNotEqual: // high halves differ: match; else the low halves must differ
		return []check{ldHi, {in: bpf.JumpIf{Cond: bpf.JumpEqual, Val: vh, SkipFalse: 2}}, ldLo, {in: jeq(vl), failT: true}}
	case OpMaskedEqual: // (arg & Value) == ValueTwo
		eh, el := uint32(a.ValueTwo>>32), uint32(a.ValueTwo)
		return []check{
			ldHi, {in: bpf.ALUOpConstant{Op: bpf.ALUOpAnd, Val: vh}}, {in: jeq(eh), failF: true},
			ldLo, {in: bpf.ALUOpConstant{Op: bpf.ALUOpAnd, Val: vl}}, {in: jeq(el), failF: true},
		}
	}
	// Ordering: decided by the high halves unless they are equal, then by
	// the low halves.
	strict, lowCond := map[Operator]bpf.JumpTest{
		OpGreater: bpf.JumpGreaterThan, OpGreaterEqual: bpf.JumpGreaterThan,
		OpLess: bpf.JumpLessThan, OpLessEqual: bpf.JumpLessThan,
	}[a.Op], map[Operator]bpf.JumpTest{
		OpGreater: bpf.JumpGreaterThan, OpGreaterEqual: bpf.JumpGreaterOrEqual,
		OpLess: bpf.JumpLessThan, OpLessEqual: bpf.JumpLessOrEqual,
	}[a.Op]
	return []check{
		ldHi,
		{in: bpf.JumpIf{Cond: strict, Val: vh, SkipTrue: 3}}, // high half decides: match
		{in: jeq(vh), failF: true},                           // high half decides: no match
		ldLo,
		{in: bpf.JumpIf{Cond: lowCond, Val: vl}, failF: true},
	}
}
