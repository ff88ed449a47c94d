package build

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseInstructions(t *testing.T) {
	tests := []struct {
		name, file string
		want       []Instruction // of the first (only) stage
	}{
		{"shell and exec forms, any case", "from busybox\nrun echo hi\nCmd [\"sh\", \"-c\", \"x\"]\n",
			[]Instruction{{Line: 2, Name: "run", Args: []string{"echo hi"}}, {Line: 3, Name: "cmd", Args: []string{"sh", "-c", "x"}, JSON: true}}},
		{"continuation joins lines", "FROM busybox\nRUN a \\\n  b \\\n  c\n",
			[]Instruction{{Line: 2, Name: "run", Args: []string{"a   b   c"}}}},
		{"comment and empty lines inside a continuation are dropped", "FROM busybox\nRUN a \\\n# a comment\n\n    b\nRUN c\n",
			[]Instruction{{Line: 2, Name: "run", Args: []string{"a     b"}}, {Line: 6, Name: "run", Args: []string{"c"}}}},
		{"blanks after the escape still continue", "FROM busybox\nRUN a \\  \t\nb\n",
			[]Instruction{{Line: 2, Name: "run", Args: []string{"a b"}}}},
		{"escape directive changes the continuation", "# escape=`\nFROM busybox\nRUN dir C:\\ `\n  /w\n",
			[]Instruction{{Line: 3, Name: "run", Args: []string{"dir C:\\   /w"}}}},
		{"malformed JSON falls back to shell form", "FROM busybox\nCMD [\"a\", 'b']\n",
			[]Instruction{{Line: 2, Name: "cmd", Args: []string{`["a", 'b']`}}}},
		{"JSON with escaped quotes and unicode", "FROM busybox\nENTRYPOINT [\"echo\", \"a \\\"q\\\" \\u00e9\"]\n",
			[]Instruction{{Line: 2, Name: "entrypoint", Args: []string{"echo", `a "q" é`}, JSON: true}}},
		{"COPY splits at whitespace even in quotes", "FROM busybox\nCOPY --chown=1:2 \"a b\" /d/\n",
			[]Instruction{{Line: 2, Name: "copy", Args: []string{`"a`, `b"`, "/d/"}, Flags: map[string]string{"chown": "1:2"}}}},
		{"COPY JSON form keeps spaces", "FROM busybox\nCOPY [\"a b\", \"/d/\"]\n",
			[]Instruction{{Line: 2, Name: "copy", Args: []string{"a b", "/d/"}, JSON: true}}},
		{"ENV new form keeps quotes for the lexer", "FROM busybox\nENV a=\"x y\" b=c\\ d\n",
			[]Instruction{{Line: 2, Name: "env", Args: []string{"a", `"x y"`, "b", `c\ d`}}}},
		{"ENV legacy form", "FROM busybox\nENV a b  c\n",
			[]Instruction{{Line: 2, Name: "env", Args: []string{"a", "b  c"}}}},
		{"ARG with and without default", "FROM busybox\nARG a b=2\n",
			[]Instruction{{Line: 2, Name: "arg", Args: []string{"a", "b=2"}}}},
		{"HEALTHCHECK flags and exec form", "FROM busybox\nHEALTHCHECK --interval=5s CMD [\"true\"]\n",
			[]Instruction{{Line: 2, Name: "healthcheck", Args: []string{"CMD", "true"}, JSON: true, Flags: map[string]string{"interval": "5s"}}}},
		{"ONBUILD keeps its trigger", "FROM busybox\nONBUILD RUN make\n",
			[]Instruction{{Line: 2, Name: "onbuild", Args: []string{"RUN make"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			df, err := Parse(strings.NewReader(tt.file))
			if err != nil {
				t.Fatal(err)
			}
			got := df.Stages[0].Instructions
			for i := range got {
				got[i].Original = ""
				if len(got[i].Flags) == 0 {
					got[i].Flags = nil
				}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %#v\nwant %#v", got, tt.want)
			}
		})
	}
}

func TestParseStages(t *testing.T) {
	df, err := Parse(strings.NewReader("\xEF\xBB\xBF# syntax=docker/dockerfile:1\nARG V=1\n# c\nFROM --platform=linux/amd64 alpine:$V AS Build\nRUN x\nFROM scratch\nCOPY --from=build /x /x\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(df.MetaArgs) != 1 || df.MetaArgs[0].Args[0] != "V=1" {
		t.Errorf("meta args = %+v", df.MetaArgs)
	}
	want := []Stage{{Name: "build", BaseName: "alpine:$V", Platform: "linux/amd64", Line: 4}, {BaseName: "scratch", Line: 6}}
	for i := range df.Stages {
		if n := len(df.Stages[i].Instructions); n != 1 {
			t.Errorf("stage %d has %d instructions", i, n)
		}
		df.Stages[i].Instructions = nil
	}
	if !reflect.DeepEqual(df.Stages, want) {
		t.Errorf("stages = %+v, want %+v", df.Stages, want)
	}
	if len(df.Notes) != 1 || !strings.Contains(df.Notes[0], "syntax directive ignored") {
		t.Errorf("notes = %q", df.Notes)
	}
}

func TestParseDirectives(t *testing.T) {
	tests := []struct {
		file   string
		escape rune
	}{
		{"# escape=`\nFROM a\n", '`'},
		{"#ESCAPE = `\nFROM a\n", '`'},
		{"# unknown=x\n# escape=`\nFROM a\n", '\\'}, // after a comment: a comment
		{"\n# escape=`\nFROM a\n", '\\'},            // after an empty line: a comment
		{"FROM a\n# escape=`\n", '\\'},
	}
	for _, tt := range tests {
		df, err := Parse(strings.NewReader(tt.file))
		if err != nil {
			t.Fatalf("%q: %v", tt.file, err)
		}
		if df.Escape != tt.escape {
			t.Errorf("%q: escape %q, want %q", tt.file, df.Escape, tt.escape)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, file, want string
		notSupported     bool
	}{
		{"empty", "# only a comment\n", "line 1: file with no instructions", false},
		{"no FROM", "ARG a\n", "no FROM instruction", false},
		{"instruction before FROM", "\nRUN x\nFROM a\n", "line 2: no build stage in current context: RUN before the first FROM (only ARG may come before FROM): RUN x", false},
		{"unknown instruction", "FROM a\nFOO bar\n", "line 2: unknown instruction: FOO: FOO bar", false},
		{"FROM two args", "FROM a b\n", "line 1: FROM requires either one or three arguments", false},
		{"FROM bad AS", "FROM a FOR b\n", "line 1: FROM requires", false},
		{"bad stage name", "FROM a AS 1x\n", `line 1: invalid name for build stage: "1x"`, false},
		{"RUN without args", "FROM a\nRUN\n", "line 2: RUN requires at least one argument: RUN", false},
		{"COPY one arg", "FROM a\nCOPY x\n", "line 2: COPY requires at least two arguments", false},
		{"ENV legacy one word", "FROM a\nENV x\n", "line 2: ENV must have two arguments: ENV x", false},
		{"ENV missing =", "FROM a\nENV a=1 b\n", `line 2: syntax error - can't find = in "b"`, false},
		{"ENV blank name", "FROM a\nENV =x\n", "line 2: ENV names can not be blank", false},
		{"ARG blank name", "FROM a\nARG =x\n", "line 2: ARG names can not be blank", false},
		{"SHELL not JSON", "FROM a\nSHELL bash -c\n", "line 2: SHELL requires the arguments to be in JSON form", false},
		{"JSON of numbers", "FROM a\nCMD [1, 2]\n", "line 2: when using JSON array syntax, arrays must be comprised of strings only", false},
		{"unknown flag", "FROM a\nCOPY --foo=1 a b\n", "line 2: unknown flag: foo", false},
		{"flag on RUN continuation", "FROM a\nRUN \\\n --mount=type=cache,target=/c make\n", "line 2: RUN --mount is a BuildKit extension: not supported", true},
		{"heredoc", "FROM a\nRUN <<EOF\necho hi\nEOF\n", "line 2: heredoc <<EOF is a BuildKit extension", true},
		{"heredoc to a file", "FROM a\nRUN cat <<-'END' >/x\n", "heredoc <<-'END'", true},
		{"heredoc glued to a redirection", "FROM a\nRUN cat <<EOF>/x\n", "heredoc <<EOF>/x", true},
		{"COPY heredoc", "FROM a\nCOPY <<EOF /x\n", "line 2: heredoc", true},
		{"COPY --link", "FROM a\nCOPY --link a b\n", "COPY --link is a BuildKit extension", true},
		{"ONBUILD ONBUILD", "FROM a\nONBUILD ONBUILD RUN x\n", "line 2: chaining ONBUILD", false},
		{"ONBUILD FROM", "FROM a\nONBUILD FROM b\n", "FROM isn't allowed as an ONBUILD trigger", false},
		{"ONBUILD bad trigger", "FROM a\nONBUILD FOO\n", "line 2: ONBUILD trigger: unknown instruction: FOO", false},
		{"bad escape", "# escape=x\nFROM a\n", "line 1: invalid escape token", false},
		{"two escapes", "# escape=`\n# escape=\\\nFROM a\n", "line 2: only one escape parser directive", false},
		{"HEALTHCHECK bad type", "FROM a\nHEALTHCHECK RUN x\n", `unknown type "RUN" in HEALTHCHECK`, false},
		{"duplicate flag", "FROM a\nCOPY --chown=1 --chown=2 a b\n", "duplicate flag specified: chown", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(tt.file))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "dockerfile line ") {
				t.Errorf("err %q does not start with its line", err)
			}
			if errors.Is(err, ErrNotSupported) != tt.notSupported {
				t.Errorf("errors.Is(err, ErrNotSupported) = %v", !tt.notSupported)
			}
		})
	}
}

func TestEmptyContinuationNote(t *testing.T) {
	df, err := Parse(strings.NewReader("FROM a\nRUN a \\\n\n b\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(df.Notes) != 1 || !strings.Contains(df.Notes[0], "line 2: empty continuation line") {
		t.Errorf("notes = %q", df.Notes)
	}
}

func TestInstructionString(t *testing.T) {
	for _, tt := range []struct {
		ins  Instruction
		want string
	}{
		{Instruction{Name: "run", Args: []string{"echo hi"}}, "RUN echo hi"},
		{Instruction{Name: "cmd", Args: []string{"a", "b c"}, JSON: true}, `CMD ["a","b c"]`},
		{Instruction{Name: "env", Args: []string{"A", "x y"}}, `ENV A="x y"`},
		{Instruction{Name: "copy", Args: []string{"a", "/b"}, Flags: map[string]string{"from": "s", "chown": "1"}}, "COPY --chown=1 --from=s a /b"},
		{Instruction{Name: "healthcheck", Args: []string{"CMD", "true"}, JSON: true}, `HEALTHCHECK CMD ["true"]`},
	} {
		if got := tt.ins.String(); got != tt.want {
			t.Errorf("%+v: got %q, want %q", tt.ins, got, tt.want)
		}
	}
}
