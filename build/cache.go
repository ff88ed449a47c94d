package build

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// KeyInputs are the plain inputs of one step's cache key. The builder
// stores them as JSON beside the cache entry, so that on a miss it can say
// what changed (Explain) instead of only that something did.
//
// The rule (doc.go has it with its sources): a step's key covers
//   - its parent: the chain ID of the layers so far ("" on scratch) and a
//     digest of the image config so far;
//   - the instruction after expansion (Instruction.String of what
//     Scope.Apply returned);
//   - for RUN only, the build args in scope (Scope.RunArgs): a RUN sees
//     them in its environment even if it never names them. Other
//     instructions are affected by an ARG only through their expansion;
//   - for COPY and ADD, every source file's content and metadata (path,
//     type, mode, owner, xattrs, link target; never the mtime), after
//     .dockerignore; for COPY --from, also the chain ID it reads from.
type KeyInputs struct {
	// Step is this step's number in its stage (1 is the first after
	// FROM); ParentStep is the step whose result it builds on, 0 for the
	// base image. Neither is part of the key: they only word Explain.
	Step       int `json:"step"`
	ParentStep int `json:"parentStep"`

	Parent      string       `json:"parent"` // chain ID, "" for scratch
	Config      string       `json:"config"` // ConfigDigest of the config so far
	Instruction string       `json:"instruction"`
	BuildArgs   []string     `json:"buildArgs,omitempty"` // NAME=value, sorted
	Sources     []SourceFile `json:"sources,omitempty"`   // sorted by Path
	// From is, for COPY --from, the chain ID of the stage or image the
	// files come from (with Sources listing them when the executor reads
	// them; the chain ID alone is the conservative key).
	From string `json:"from,omitempty"`
}

// SourceFile is what the cache sees of one file a COPY or ADD reads.
type SourceFile struct {
	Path   string            `json:"path"` // slash-separated, relative to the context (or stage)
	Type   string            `json:"type"` // "file", "dir", "symlink", "fifo", "char", "block", "socket"
	Mode   uint32            `json:"mode"` // permission bits plus setuid, setgid, sticky (07777)
	UID    int               `json:"uid"`
	GID    int               `json:"gid"`
	Digest string            `json:"digest,omitempty"` // sha256 of a regular file's content
	Link   string            `json:"link,omitempty"`   // a symlink's target
	Xattrs map[string][]byte `json:"xattrs,omitempty"`
}

// Key is the step's cache key: sha256 over the canonical JSON of the
// inputs that count (Step and ParentStep do not).
func (k KeyInputs) Key() string {
	k.Step, k.ParentStep = 0, 0
	k.BuildArgs = sortedCopy(k.BuildArgs)
	src := append([]SourceFile(nil), k.Sources...)
	sort.Slice(src, func(i, j int) bool { return src[i].Path < src[j].Path })
	k.Sources = src
	j, _ := json.Marshal(k) // plain strings, ints and maps: cannot fail
	sum := sha256.Sum256(j)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// ConfigDigest digests any JSON-able config value (the image config so
// far): two configs with the same JSON have the same digest.
func ConfigDigest(config any) (string, error) {
	j, err := json.Marshal(config)
	if err != nil {
		return "", fmt.Errorf("digest config: %w", err)
	}
	sum := sha256.Sum256(j)
	return "sha256:" + hex.EncodeToString(sum[:]), nil
}

func sortedCopy(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	c := append([]string(nil), s...)
	sort.Strings(c)
	return c
}

// Explain says why current's key differs from previous's, the stored
// inputs of the nearest earlier build of the step, in one line for the
// "cache miss: ..." note. A zero previous means there was none.
func Explain(previous, current KeyInputs) string {
	if previous.Instruction == "" && previous.Parent == "" && previous.Config == "" {
		return "no earlier build of this step"
	}
	var why []string
	if previous.Parent != current.Parent || previous.Config != current.Config {
		why = append(why, parentChange(previous, current))
	}
	if previous.Instruction != current.Instruction {
		why = append(why, fmt.Sprintf("instruction changed: %q → %q", previous.Instruction, current.Instruction))
	}
	if previous.From != current.From {
		why = append(why, fmt.Sprintf("the --from source changed (%s → %s)", short(previous.From), short(current.From)))
	}
	why = append(why, argChanges(previous.BuildArgs, current.BuildArgs)...)
	why = append(why, sourceChanges(previous.Sources, current.Sources)...)
	if len(why) == 0 {
		return "inputs unchanged"
	}
	if len(why) > 4 {
		why = append(why[:3], fmt.Sprintf("and %d more changes", len(why)-3))
	}
	return strings.Join(why, "; ")
}

func parentChange(prev, cur KeyInputs) string {
	switch {
	case cur.ParentStep > 0:
		return fmt.Sprintf("step %d was rebuilt", cur.ParentStep)
	case prev.Parent != cur.Parent:
		return fmt.Sprintf("base image changed (layers %s → %s)", short(prev.Parent), short(cur.Parent))
	default:
		return fmt.Sprintf("base image config changed (%s → %s)", short(prev.Config), short(cur.Config))
	}
}

// argChanges names each build arg that appeared, went, or changed value.
func argChanges(prev, cur []string) []string {
	p, c := kvMap(prev), kvMap(cur)
	var out []string
	for _, name := range unionKeys(p, c) {
		pv, inP := p[name]
		cv, inC := c[name]
		switch {
		case !inP:
			out = append(out, fmt.Sprintf("build arg %s set to %q", name, cv))
		case !inC:
			out = append(out, fmt.Sprintf("build arg %s (was %q) no longer set", name, pv))
		case pv != cv:
			out = append(out, fmt.Sprintf("build arg %s %s → %s", name, pv, cv))
		}
	}
	return out
}

func kvMap(kvs []string) map[string]string {
	m := map[string]string{}
	for _, kv := range kvs {
		k, v, _ := strings.Cut(kv, "=")
		m[k] = v
	}
	return m
}

func unionKeys[V any](a, b map[string]V) []string {
	var keys []string
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}

// shortPair writes "sha256:1f2c3d4e5f60…→9ab0c1d2e3f4…", the second
// digest without the algorithm the first one named.
func shortPair(a, b string) string {
	sb := short(b)
	if algo, _, ok := strings.Cut(a, ":"); ok && a != "" {
		sb = strings.TrimPrefix(sb, algo+":")
	}
	return short(a) + "→" + sb
}

// short abbreviates a digest for a message: sha256:1f2c3d4e5f60…
func short(d string) string {
	if d == "" {
		return "scratch"
	}
	algo, hex, ok := strings.Cut(d, ":")
	if ok && len(hex) > 12 {
		return algo + ":" + hex[:12] + "…"
	}
	return d
}

// Nearest picks, among the stored inputs of earlier builds (oldest first),
// the one to explain a miss against: an entry on the same parent with the
// same instruction first (then build args or sources changed), then one
// on the same parent (the instruction changed), then one with the same
// instruction (an earlier step was rebuilt); the latest wins a tie. It
// returns false when none is related: "no earlier build of this step".
func Nearest(stored []KeyInputs, current KeyInputs) (KeyInputs, bool) {
	best, bestScore := KeyInputs{}, 0
	for _, k := range stored {
		score := 0
		if k.Parent == current.Parent && k.Config == current.Config {
			score += 2
		}
		if k.Instruction == current.Instruction {
			score++
		}
		if score > 0 && score >= bestScore {
			best, bestScore = k, score
		}
	}
	return best, bestScore > 0
}
