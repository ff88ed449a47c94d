package build

import (
	"fmt"
	"sort"
	"strings"
)

// ProxyArgs are the build args docker predefines: usable in RUN without an
// ARG line, but left out of the cache key and the history unless the
// Dockerfile declares them (Dockerfile reference, "Predefined ARGs").
var ProxyArgs = []string{"HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy",
	"FTP_PROXY", "ftp_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"}

// Expands lists the instructions whose arguments the builder expands
// (Dockerfile reference, "Environment replacement": ADD COPY ENV EXPOSE
// FROM LABEL STOPSIGNAL USER VOLUME WORKDIR, and ONBUILD triggers of those
// when they run), plus ARG defaults, which docker and BuildKit expand too.
var Expands = map[string]bool{"add": true, "copy": true, "env": true, "expose": true,
	"from": true, "label": true, "stopsignal": true, "user": true, "volume": true,
	"workdir": true, "arg": true}

// GlobalArgs evaluates the ARGs before the first FROM: each takes its
// --build-arg value if given, else its default (expanded with the global
// ARGs above it). auto are the automatic platform ARGs (PlatformArgs),
// defined in the global scope without an ARG line; nil for none. The
// result is what FROM lines see, and what `ARG name` in a stage takes.
func GlobalArgs(meta []Instruction, buildArgs, auto map[string]string, escape rune) (map[string]string, error) {
	s := &Scope{escape: escape, buildArgs: buildArgs, global: map[string]string{}}
	for _, k := range sortedKeys(auto) {
		s.args = append(s.args, scopedArg{name: k, value: auto[k], set: true})
	}
	for _, ins := range meta {
		if _, err := s.Apply(ins); err != nil {
			return nil, err
		}
	}
	out := map[string]string{}
	for _, a := range s.args {
		if a.set {
			out[a.name] = a.value
		}
	}
	return out, nil
}

// ExpandFrom resolves a stage's base name and --platform with the global
// ARGs, the only variables a FROM line can see.
func ExpandFrom(st Stage, global map[string]string, escape rune) (base, platform string, err error) {
	look := func(k string) (string, bool) { v, ok := global[k]; return v, ok }
	if base, err = ExpandWord(st.BaseName, look, escape); err != nil {
		return "", "", &ParseError{Line: st.Line, Err: err}
	}
	if platform, err = ExpandWord(st.Platform, look, escape); err != nil {
		return "", "", &ParseError{Line: st.Line, Err: err}
	}
	if base == "" {
		return "", "", &ParseError{Line: st.Line, Err: fmt.Errorf("base name (%s) should not be blank", st.BaseName)}
	}
	return base, platform, nil
}

// PlatformArgs are BuildKit's automatic platform ARGs for a build on and
// for one platform (minictr builds for the host only, so BUILD* and
// TARGET* agree): TARGETPLATFORM=linux/arm64/v8, TARGETOS=linux,
// TARGETARCH=arm64, TARGETVARIANT=v8, and the same with BUILD. A stage
// sees them after `ARG TARGETARCH` (Dockerfile reference, "Automatic
// platform ARGs in the global scope").
func PlatformArgs(goos, goarch, variant string) map[string]string {
	platform := goos + "/" + goarch
	if variant != "" {
		platform += "/" + variant
	}
	m := map[string]string{}
	for _, side := range []string{"BUILD", "TARGET"} {
		m[side+"PLATFORM"], m[side+"OS"], m[side+"ARCH"], m[side+"VARIANT"] = platform, goos, goarch, variant
	}
	return m
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

type scopedArg struct {
	name, value string
	set         bool // has a value (a default or a --build-arg)
}

// Scope is what a stage's instructions can see, line by line: the ENV of
// the config so far (the base image's, then each ENV instruction's) and the
// ARGs declared so far in this stage. The rules (Dockerfile reference,
// "ARG", "Scope" and "Using ARG variables"):
//   - an ARG is visible from its line on, to the end of its stage;
//   - a global ARG (before the first FROM) is visible in a stage only
//     after `ARG name` redeclares it there, and then has the global value;
//   - a --build-arg overrides an ARG's default, only where an ARG declares it;
//   - an ENV of the same name overrides an ARG.
type Scope struct {
	escape    rune
	buildArgs map[string]string
	global    map[string]string
	env       []string // KEY=value, the config's Env so far
	args      []scopedArg
}

// NewScope starts a stage whose base image has env (its config's Env).
func NewScope(global, buildArgs map[string]string, env []string, escape rune) *Scope {
	return &Scope{escape: escape, buildArgs: buildArgs, global: global,
		env: append([]string(nil), env...)}
}

// Lookup is the variables expansion sees: ENV first, then ARGs.
func (s *Scope) Lookup(name string) (string, bool) {
	if v, ok := envGet(s.env, name); ok {
		return v, true
	}
	for i := len(s.args) - 1; i >= 0; i-- {
		if s.args[i].name == name {
			return s.args[i].value, s.args[i].set
		}
	}
	return "", false
}

// Env is the config's Env so far (the base's, then ENV instructions').
func (s *Scope) Env() []string { return append([]string(nil), s.env...) }

// RunEnv is the environment a RUN step gets: the config's Env, then every
// ARG in scope that has a value and is not overridden by an ENV, then the
// proxy build args given on the command line and not declared.
func (s *Scope) RunEnv() []string {
	env := s.Env()
	for _, kv := range s.RunArgs() {
		env = append(env, kv)
	}
	for _, p := range ProxyArgs {
		if v, ok := s.buildArgs[p]; ok && !s.declared(p) {
			if _, inEnv := envGet(env, p); !inEnv {
				env = append(env, p+"="+v)
			}
		}
	}
	return env
}

// RunArgs are the ARGs a RUN step gets and its cache key includes:
// declared in scope, with a value, not overridden by ENV; sorted NAME=value.
func (s *Scope) RunArgs() []string {
	seen := map[string]string{}
	for _, a := range s.args {
		if _, inEnv := envGet(s.env, a.name); a.set && !inEnv {
			seen[a.name] = a.value
		}
	}
	out := make([]string, 0, len(seen))
	for k, v := range seen {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}

// Unused lists the --build-arg names no ARG declared (docker warns "One or
// more build-args [...] were not consumed"), proxy args excepted. Call it
// with every stage's scope after the build.
func Unused(buildArgs map[string]string, scopes ...*Scope) []string {
	var out []string
	for k := range buildArgs {
		used := isProxy(k)
		for _, s := range scopes {
			used = used || s.declared(k)
		}
		if !used {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

func (s *Scope) declared(name string) bool {
	for _, a := range s.args {
		if a.name == name {
			return true
		}
	}
	return false
}

func isProxy(name string) bool {
	for _, p := range ProxyArgs {
		if p == name {
			return true
		}
	}
	return false
}

// envGet finds KEY in a KEY=value list; the last one wins.
func envGet(env []string, key string) (string, bool) {
	for i := len(env) - 1; i >= 0; i-- {
		if k, v, _ := strings.Cut(env[i], "="); k == key {
			return v, true
		}
	}
	return "", false
}

// envSet replaces KEY in place or appends it, as docker keeps Env's order.
func envSet(env []string, key, value string) []string {
	for i, kv := range env {
		if k, _, _ := strings.Cut(kv, "="); k == key {
			env[i] = key + "=" + value
			return env
		}
	}
	return append(env, key+"="+value)
}
