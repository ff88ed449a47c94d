package build

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// PlannedStage is one stage the target needs, with what it reads: its base
// (an image, "scratch", or an earlier stage) and the earlier stages and
// images its `COPY --from` lines copy from.
type PlannedStage struct {
	Index      int      // position in Dockerfile.Stages
	Name       string   // the `AS name`, or "" (then only the index names it)
	Base       string   // image reference after expansion; "scratch"; "" when BaseStage >= 0
	BaseStage  int      // index of the earlier stage FROM names, else -1
	Platform   string   // --platform after expansion ("" if none)
	FromStages []int    // earlier stages COPY --from reads, ascending
	FromImages []string // images COPY --from reads (pulled if missing)
}

// Plan picks the stages a build of target needs, in the order to build
// them (dependencies first; the target last). target is a stage name or
// "" for the last stage. As docker does, stages the target does not reach
// through FROM or COPY --from are not built at all.
//
// The names in FROM and COPY --from are expanded here with the ARGs only;
// a --from value taken from a base image's ENV is not known before the
// build and is read as an image reference.
func Plan(df *Dockerfile, target string, buildArgs, auto map[string]string) ([]PlannedStage, error) {
	global, err := GlobalArgs(df.MetaArgs, buildArgs, auto, df.Escape)
	if err != nil {
		return nil, err
	}
	all := make([]PlannedStage, len(df.Stages))
	for i, st := range df.Stages {
		if all[i], err = planStage(df, i, st, global, buildArgs); err != nil {
			return nil, err
		}
	}
	t := len(df.Stages) - 1
	if target != "" {
		if t = stageByName(df, strings.ToLower(target), len(df.Stages)); t < 0 {
			return nil, fmt.Errorf("target stage %q could not be found", target)
		}
	}
	need := map[int]bool{}
	var visit func(int)
	visit = func(i int) { // edges only point to earlier stages: no cycles
		if need[i] {
			return
		}
		need[i] = true
		if all[i].BaseStage >= 0 {
			visit(all[i].BaseStage)
		}
		for _, j := range all[i].FromStages {
			visit(j)
		}
	}
	visit(t)
	var out []PlannedStage
	for i := range all {
		if need[i] {
			out = append(out, all[i])
		}
	}
	return out, nil
}

func planStage(df *Dockerfile, i int, st Stage, global, buildArgs map[string]string) (PlannedStage, error) {
	base, platform, err := ExpandFrom(st, global, df.Escape)
	if err != nil {
		return PlannedStage{}, err
	}
	p := PlannedStage{Index: i, Name: st.Name, Base: base, BaseStage: stageByName(df, strings.ToLower(base), i), Platform: platform}
	if p.BaseStage >= 0 {
		p.Base = ""
	}
	s := NewScope(global, buildArgs, nil, df.Escape)
	stages := map[int]bool{}
	for _, ins := range st.Instructions {
		x, err := s.Apply(ins)
		if err != nil {
			return PlannedStage{}, err
		}
		from, ok := x.Flags["from"]
		if x.Name != "copy" || !ok {
			continue
		}
		j, err := copyFromStage(df, from, i)
		if err != nil {
			return PlannedStage{}, &ParseError{Line: ins.Line, Text: ins.Original, Err: err}
		}
		if j >= 0 {
			stages[j] = true
		} else if !contains(p.FromImages, from) {
			p.FromImages = append(p.FromImages, from)
		}
	}
	for j := range stages {
		p.FromStages = append(p.FromStages, j)
	}
	sort.Ints(p.FromStages)
	return p, nil
}

// copyFromStage resolves `COPY --from=ref` in stage cur: a stage index, an
// earlier stage's name, or -1 for an image reference.
func copyFromStage(df *Dockerfile, ref string, cur int) (int, error) {
	if ref == "" {
		return 0, fmt.Errorf("COPY --from needs a stage name, index or image")
	}
	if n, err := strconv.Atoi(ref); err == nil {
		if n < 0 || n >= cur {
			return 0, fmt.Errorf("COPY --from=%d: there is no earlier build stage %d (this is stage %d)", n, n, cur)
		}
		return n, nil
	}
	if j := stageByName(df, strings.ToLower(ref), len(df.Stages)); j >= cur {
		return 0, fmt.Errorf("COPY --from=%s refers to the current or a later stage (circular dependency)", ref)
	}
	return stageByName(df, strings.ToLower(ref), cur), nil
}

// stageByName finds the first stage named name among the first n stages.
func stageByName(df *Dockerfile, name string, n int) int {
	for i := 0; i < n && i < len(df.Stages); i++ {
		if name != "" && df.Stages[i].Name == name {
			return i
		}
	}
	return -1
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
