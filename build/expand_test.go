package build

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func lookupMap(m map[string]string) Lookup {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

// Cases from the Dockerfile reference's "Environment replacement" and from
// docker's shell-lexer behaviour.
func TestExpandWord(t *testing.T) {
	env := lookupMap(map[string]string{"FOO": "/bar", "E": "", "SP": "a  b"})
	tests := []struct{ in, want, err string }{
		{in: "$FOO", want: "/bar"},
		{in: "${FOO}/x", want: "/bar/x"},
		{in: "$FOO_x", want: ""}, // the name is FOO_x, unset
		{in: "${FOO}_x", want: "/bar_x"},
		{in: `\$FOO`, want: "$FOO"},
		{in: `'$FOO'`, want: "$FOO"},
		{in: `"$FOO"`, want: "/bar"},
		{in: `"\$FOO"`, want: "$FOO"},
		{in: `"a\nb"`, want: `a\nb`}, // only $ " \ are escaped inside ""
		{in: `a\ b`, want: "a b"},
		{in: `"x"'y'z`, want: "xyz"},
		{in: "${NOPE:-default}", want: "default"},
		{in: "${E:-default}", want: "default"},
		{in: "${E-default}", want: ""},
		{in: "${NOPE-default}", want: "default"},
		{in: "${FOO:+set}", want: "set"},
		{in: "${E:+set}", want: ""},
		{in: "${E+set}", want: "set"},
		{in: "${NOPE+set}", want: ""},
		{in: "${NOPE:-$FOO/x}", want: "/bar/x"},
		{in: `${NOPE:-"a b"}`, want: "a b"},
		{in: "$", want: "$"},
		{in: "a$-b", want: "a$-b"},
		{in: "$SP", want: "a  b"},
		{in: "${NOPE:?must be set}", err: "NOPE: must be set"},
		{in: "${E:?}", err: "E: is not allowed to be empty"},
		{in: "${FOO", err: "missing '}'"},
		{in: "${FOO%x}", err: "unsupported modifier (%)"},
		{in: "${}", err: "bad substitution"},
		{in: "'abc", err: "matching single-quote"},
		{in: `"abc`, err: "matching double-quote"},
	}
	for _, tt := range tests {
		got, err := ExpandWord(tt.in, env, '\\')
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%q: err = %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%q: got %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestExpandBacktickEscape(t *testing.T) {
	got, err := ExpandWord("C:\\dir `$X", lookupMap(map[string]string{"X": "y"}), '`')
	if err != nil || got != `C:\dir $X` {
		t.Errorf("got %q, %v", got, err)
	}
}

func TestExpandWords(t *testing.T) {
	env := lookupMap(map[string]string{"P": "80/tcp 443", "E": ""})
	got, err := ExpandWords(`$P "a b" $E ''`, env, '\\')
	want := []string{"80/tcp", "443", "a b", ""}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, %v; want %q", got, err, want)
	}
}

// The reference's ENV example: every pair of one ENV line sees the values
// from before that line.
func TestScopeEnvExample(t *testing.T) {
	df := mustParse(t, "FROM busybox\nENV abc=hello\nENV abc=bye def=$abc\nENV ghi=$abc\n")
	s := NewScope(nil, nil, nil, df.Escape)
	for _, ins := range df.Stages[0].Instructions {
		if _, err := s.Apply(ins); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"abc=bye", "def=hello", "ghi=bye"}
	if got := s.Env(); !reflect.DeepEqual(got, want) {
		t.Errorf("env = %q, want %q", got, want)
	}
}

func mustParse(t *testing.T, s string) *Dockerfile {
	t.Helper()
	df, err := Parse(strings.NewReader(s))
	if err != nil {
		t.Fatal(err)
	}
	return df
}

// applyAll runs a stage through a scope and returns the expanded lines.
func applyAll(t *testing.T, file string, buildArgs map[string]string, baseEnv []string) ([]string, *Scope) {
	t.Helper()
	df := mustParse(t, file)
	global, err := GlobalArgs(df.MetaArgs, buildArgs, nil, df.Escape)
	if err != nil {
		t.Fatal(err)
	}
	base, _, err := ExpandFrom(df.Stages[0], global, df.Escape)
	if err != nil {
		t.Fatal(err)
	}
	out := []string{"FROM " + base}
	s := NewScope(global, buildArgs, baseEnv, df.Escape)
	for _, ins := range df.Stages[0].Instructions {
		x, err := s.Apply(ins)
		if err != nil {
			t.Fatal(err)
		}
		line := x.String()
		if x.Name == "run" {
			line += fmt.Sprintf(" %q", s.RunArgs())
		}
		out = append(out, line)
	}
	return out, s
}

func TestScopeRules(t *testing.T) {
	tests := []struct {
		name, file string
		args       map[string]string
		env        []string
		want       []string
	}{
		{"global ARG only in FROM unless redeclared",
			"ARG V=3.19\nFROM alpine:$V\nUSER u$V\nARG V\nUSER u$V\n", nil, nil,
			[]string{"FROM alpine:3.19", "USER u", "ARG V", "USER u3.19"}},
		{"build arg overrides defaults and globals",
			"ARG V=1\nFROM a:$V\nARG V\nARG W=x\nWORKDIR /$V/$W\n", map[string]string{"V": "2", "W": "y"}, nil,
			[]string{"FROM a:2", "ARG V", "ARG W=x", "WORKDIR /2/y"}},
		{"an ARG is visible from its line on (reference example)",
			"FROM busybox\nUSER ${user:-some_user}\nARG user\nUSER $user\n", map[string]string{"user": "what_user"}, nil,
			[]string{"FROM busybox", "USER some_user", "ARG user", "USER what_user"}},
		{"ENV overrides ARG (reference example)",
			"FROM ubuntu\nARG CONT_IMG_VER\nENV CONT_IMG_VER=v1.0.0\nRUN echo $CONT_IMG_VER\n", map[string]string{"CONT_IMG_VER": "v2.0.1"}, nil,
			[]string{"FROM ubuntu", "ARG CONT_IMG_VER", `ENV CONT_IMG_VER="v1.0.0"`, `RUN echo $CONT_IMG_VER []`}},
		{"ENV from ARG with a default (reference example)",
			"FROM ubuntu\nARG CONT_IMG_VER\nENV CONT_IMG_VER=${CONT_IMG_VER:-v1.0.0}\n", nil, nil,
			[]string{"FROM ubuntu", "ARG CONT_IMG_VER", `ENV CONT_IMG_VER="v1.0.0"`}},
		{"RUN sees the ARGs in scope with a value; RUN text is not expanded",
			"FROM a\nARG A=1\nARG B\nARG C\nRUN echo $A\n", map[string]string{"C": "3", "HTTP_PROXY": "http://p"}, nil,
			[]string{"FROM a", "ARG A=1", "ARG B", "ARG C", `RUN echo $A ["A=1" "C=3"]`}},
		{"base image ENV is visible",
			"FROM a\nWORKDIR $HOME/x\n", nil, []string{"HOME=/root"},
			[]string{"FROM a", "WORKDIR /root/x"}},
		{"COPY flags, EXPOSE words, LABEL pairs",
			"FROM a\nARG U=1000 P=\"80 443\"\nCOPY --chown=$U:$U --from=s$U src/$U /d\nEXPOSE $P\nLABEL \"k $U\"=\"v $U\"\n", nil, nil,
			[]string{"FROM a", `ARG U=1000 P=80 443`, "COPY --chown=1000:1000 --from=s1000 src/1000 /d", "EXPOSE 80 443", `LABEL k 1000="v 1000"`}},
		{"ONBUILD, CMD, HEALTHCHECK are not expanded",
			"FROM a\nENV X=1\nONBUILD RUN $X\nCMD $X\n", nil, nil,
			[]string{"FROM a", `ENV X="1"`, "ONBUILD RUN $X", "CMD $X"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _ := applyAll(t, tt.file, tt.args, tt.env)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestRunEnvProxyArgs(t *testing.T) {
	_, s := applyAll(t, "FROM a\nARG A=1\nENV E=2\n", map[string]string{"https_proxy": "http://p", "X": "unused"}, nil)
	want := []string{"E=2", "A=1", "https_proxy=http://p"}
	if got := s.RunEnv(); !reflect.DeepEqual(got, want) {
		t.Errorf("RunEnv = %q, want %q", got, want)
	}
	if got := s.RunArgs(); !reflect.DeepEqual(got, []string{"A=1"}) {
		t.Errorf("RunArgs = %q: the proxy arg must stay out of the cache key", got)
	}
	if got := Unused(map[string]string{"https_proxy": "x", "X": "y", "A": "z"}, s); !reflect.DeepEqual(got, []string{"X"}) {
		t.Errorf("Unused = %q", got)
	}
}

func TestExpandErrorsNameTheLine(t *testing.T) {
	df := mustParse(t, "FROM a\n\nWORKDIR ${X:?set X}\n")
	_, err := NewScope(nil, nil, nil, '\\').Apply(df.Stages[0].Instructions[0])
	if err == nil || !strings.HasPrefix(err.Error(), "dockerfile line 3: ") || !strings.Contains(err.Error(), "X: set X") {
		t.Errorf("err = %v", err)
	}
}

func ExampleExpandWord() {
	env := func(name string) (string, bool) {
		v, ok := map[string]string{"VERSION": "1.2"}[name]
		return v, ok
	}
	for _, w := range []string{"app-$VERSION", "${TAG:-latest}", `'$VERSION'`, `"v${VERSION:+$VERSION}"`} {
		s, _ := ExpandWord(w, env, '\\')
		fmt.Println(s)
	}
	// Output:
	// app-1.2
	// latest
	// $VERSION
	// v1.2
}

func TestExpandedEmptyIsAnError(t *testing.T) {
	for _, tt := range []struct{ file, want string }{
		{"FROM a\nVOLUME $E\n", "dockerfile line 2: VOLUME specified can not be an empty string"},
		{"FROM a\nWORKDIR $NOPE\n", "dockerfile line 2: WORKDIR requires a non-empty argument after expansion"},
		{"FROM a\nENV $NOPE=1\n", "dockerfile line 2: ENV names can not be blank"},
		{"FROM a\nUSER ${X:?}\n", "dockerfile line 2: expand \"${X:?}\": X: is not allowed to be empty"},
	} {
		df := mustParse(t, tt.file)
		_, err := NewScope(nil, nil, []string{"E="}, df.Escape).Apply(df.Stages[0].Instructions[0])
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: err = %v, want %q", tt.file, err, tt.want)
		}
	}
}

func TestPlatformArgs(t *testing.T) {
	df := mustParse(t, "FROM --platform=$BUILDPLATFORM golang AS b\nARG TARGETARCH\nENV A=$TARGETARCH/$TARGETOS\n")
	auto := PlatformArgs("linux", "arm64", "v8")
	global, err := GlobalArgs(df.MetaArgs, nil, auto, df.Escape)
	if err != nil {
		t.Fatal(err)
	}
	if _, platform, _ := ExpandFrom(df.Stages[0], global, df.Escape); platform != "linux/arm64/v8" {
		t.Errorf("FROM --platform=$BUILDPLATFORM gave %q", platform)
	}
	s := NewScope(global, nil, nil, df.Escape)
	for _, ins := range df.Stages[0].Instructions {
		if _, err := s.Apply(ins); err != nil {
			t.Fatal(err)
		}
	}
	// TARGETOS was not redeclared in the stage: empty there.
	if got := s.Env(); !reflect.DeepEqual(got, []string{"A=arm64/"}) {
		t.Errorf("env = %q", got)
	}
}
