package build

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Apply expands ins with the variables in scope (if it is one of Expands)
// and then applies its effect on the scope: ARG declares, ENV sets. It
// returns the expanded instruction, which is what the step runs and what
// its cache key holds. Errors name the line.
func (s *Scope) Apply(ins Instruction) (Instruction, error) {
	out, err := s.expand(ins)
	if err != nil {
		return Instruction{}, &ParseError{Line: ins.Line, Text: ins.Original, Err: err}
	}
	switch out.Name {
	case "arg":
		s.declare(out)
	case "env":
		for i := 0; i+1 < len(out.Args); i += 2 {
			s.env = envSet(s.env, out.Args[i], out.Args[i+1])
		}
	}
	return out, nil
}

// declare adds the ARGs of one ARG line. Each takes the --build-arg value
// if one is given, else its default, else (with no default) the global
// ARG's value, else it is declared but unset.
func (s *Scope) declare(expanded Instruction) {
	for _, w := range expanded.Args {
		name, def, hasDef := strings.Cut(w, "=")
		a := scopedArg{name: name, value: def, set: hasDef}
		if v, ok := s.buildArgs[name]; ok {
			a.value, a.set = v, true
		} else if v, ok := s.global[name]; ok && !hasDef {
			a.value, a.set = v, true
		}
		s.args = append(s.args, a)
	}
}

func (s *Scope) expand(ins Instruction) (Instruction, error) {
	if !Expands[ins.Name] {
		return ins, nil
	}
	out := ins
	out.Args = nil
	var err error
	if out.Flags, err = s.expandFlags(ins.Flags); err != nil {
		return Instruction{}, err
	}
	word := func(w string) (string, error) { return ExpandWord(w, s.Lookup, s.escape) }
	switch ins.Name {
	case "arg":
		for _, w := range ins.Args {
			name, def, hasDef := strings.Cut(w, "=")
			name, err := word(name)
			if err == nil && hasDef {
				def, err = word(def)
				name += "=" + def
			}
			if err != nil {
				return Instruction{}, err
			}
			out.Args = append(out.Args, name)
		}
	case "expose":
		for _, w := range ins.Args {
			ws, err := ExpandWords(w, s.Lookup, s.escape)
			if err != nil {
				return Instruction{}, err
			}
			out.Args = append(out.Args, ws...)
		}
	default: // every argument one word: ENV/LABEL keys and values, paths
		for _, w := range ins.Args {
			v, err := word(w)
			if err != nil {
				return Instruction{}, err
			}
			out.Args = append(out.Args, v)
		}
	}
	return out, checkExpanded(out)
}

// expandFlags expands the flags whose values may hold variables:
// --chown, --chmod, --from and --platform.
func (s *Scope) expandFlags(flags map[string]string) (map[string]string, error) {
	out := make(map[string]string, len(flags))
	for k, v := range flags {
		if k == "chown" || k == "chmod" || k == "from" || k == "platform" {
			var err error
			if v, err = ExpandWord(v, s.Lookup, s.escape); err != nil {
				return nil, err
			}
		}
		out[k] = v
	}
	return out, nil
}

func checkExpanded(ins Instruction) error {
	switch ins.Name {
	case "volume":
		for _, v := range ins.Args {
			if strings.TrimSpace(v) == "" {
				return errors.New("VOLUME specified can not be an empty string")
			}
		}
	case "env", "label":
		for i := 0; i < len(ins.Args); i += 2 {
			if ins.Args[i] == "" {
				return fmt.Errorf("%s names can not be blank", strings.ToUpper(ins.Name))
			}
		}
	case "workdir", "user", "stopsignal":
		if ins.Args[0] == "" {
			return fmt.Errorf("%s requires a non-empty argument after expansion", strings.ToUpper(ins.Name))
		}
	}
	return nil
}

// String is the instruction in one canonical line: the name in upper
// case, its flags sorted, its arguments (a JSON array for the exec form,
// quoted values for ENV and LABEL). After Apply it is what the cache key
// holds and what `history` shows.
func (ins Instruction) String() string {
	var b strings.Builder
	b.WriteString(strings.ToUpper(ins.Name))
	keys := make([]string, 0, len(ins.Flags))
	for k := range ins.Flags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, " --%s=%s", k, ins.Flags[k])
	}
	switch {
	case ins.JSON:
		j, _ := json.Marshal(ins.Args) // []string always marshals
		if ins.Name == "healthcheck" {
			j, _ = json.Marshal(ins.Args[1:])
			b.WriteString(" CMD")
		}
		b.WriteString(" " + string(j))
	case ins.Name == "env" || ins.Name == "label":
		for i := 0; i+1 < len(ins.Args); i += 2 {
			fmt.Fprintf(&b, " %s=%s", ins.Args[i], strconv.Quote(ins.Args[i+1]))
		}
	case len(ins.Args) > 0:
		b.WriteString(" " + strings.Join(ins.Args, " "))
	}
	return b.String()
}
