package build

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/minictr/minictr/internal/testutil"
)

// ociConfig is the part of an image config the metadata instructions set.
type ociConfig struct {
	Env        []string          `json:"Env"`
	Cmd        []string          `json:"Cmd"`
	Entrypoint []string          `json:"Entrypoint"`
	WorkingDir string            `json:"WorkingDir"`
	User       string            `json:"User"`
	StopSignal string            `json:"StopSignal"`
	Labels     map[string]string `json:"Labels"`
}

// buildahPath is the Env buildah gives a scratch image.
const buildahPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// TestParseAgainstBuildah builds metadata-only Dockerfiles (FROM scratch,
// nothing runs) with Debian's buildah, whose parser is docker's (through
// openshift/imagebuilder), and checks that this package parses and expands
// them to the same config: Env, Labels, Cmd, Entrypoint, WorkingDir, User,
// StopSignal.
func TestParseAgainstBuildah(t *testing.T) {
	testutil.RequireRoot(t)
	buildah := testutil.RequireTool(t, "buildah", "buildah")
	tests := []struct {
		name, file string
		args       map[string]string
	}{
		{"continuations with comments and empty lines", "FROM scratch\nLABEL a=1 \\\n# comment\n\n  b=2 \\\n    # indented comment\n  c=\"x \\\n y\"\nENV E=1\\\n2\n", nil},
		// buildah 1.28 honours `# escape=` in the parser but not in its
		// shell lexer (BuildKit does in both: TestExpandBacktickEscape), so
		// only continuations and word splitting are compared here.
		{"escape directive", "# escape=`\nFROM scratch\nLABEL x=\"one two\" `\n  y=2 `\n# c\n  z=3\nENV P=a`\n\n Q=b\n", nil},
		{"ENV both forms and quoting", "FROM scratch\nENV A a  b\nENV B=\"q \\\"r\\\"\" C='$A' D=\"$A\" E=x\\ y\nENV F=${A:+set} G=${NOPE:-dflt} H=${NOPE:+x}\n", nil},
		// ${A-x} and ${A+x} (no colon) are BuildKit's; buildah 1.28 refuses
		// them ("Missing ':' in substitution"), so TestExpandWord covers them.
		{"ARG scoping and build args", "ARG G=global\nARG V=1\nFROM scratch\nLABEL before=\"[$G]\"\nARG G\nARG V\nARG W=w\nLABEL g=$G v=$V w=$W\nENV V=env\nLABEL v2=$V\n", map[string]string{"V": "2"}},
		{"JSON forms with odd quoting", "FROM scratch\nCMD [\"a\", \"b \\\"q\\\"\", \"\\u00e9\"]\nENTRYPOINT [ \"sh\" , \"-c\" ]\n", nil},
		{"malformed JSON is shell form", "FROM scratch\nCMD [\"a\", 'b']\nENTRYPOINT echo $HOME\n", nil},
		{"USER STOPSIGNAL WORKDIR expanded", "FROM scratch\nARG U=app\nENV S=SIGTERM D=/srv\nUSER $U:${U}\nSTOPSIGNAL $S\nWORKDIR $D\n", nil},
		{"instruction names in any case", "from scratch\nlabel A=1\nEnV B=2\n", nil},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := buildahConfig(t, buildah, tt.file, tt.args, i)
			got := ourConfig(t, tt.file, tt.args)
			delete(want.Labels, "io.buildah.version")
			if len(want.Labels) == 0 {
				want.Labels = nil
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Dockerfile:\n%s\nours:    %+v\nbuildah: %+v", tt.file, got, want)
			}
		})
	}
}

func buildahConfig(t *testing.T, buildah, file string, args map[string]string, i int) ociConfig {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(file), 0o644); err != nil {
		t.Fatal(err)
	}
	store := []string{"--storage-driver", "vfs", "--root", filepath.Join(dir, "root"), "--runroot", filepath.Join(dir, "run")}
	t.Cleanup(func() { // vfs layers are plain directories; rm -rf by the TempDir cleanup
		testutil.Run(t, buildah, append(store, "rmi", "--all", "--force")...)
	})
	bud := append(append([]string(nil), store...), "bud", "-q", "-t", "oracle:"+string(rune('a'+i)))
	for k, v := range args {
		bud = append(bud, "--build-arg", k+"="+v)
	}
	testutil.Run(t, buildah, append(bud, filepath.Join(dir))...)
	out := testutil.Run(t, buildah, append(store, "inspect", "--type", "image", "oracle:"+string(rune('a'+i)))...)
	var img struct {
		OCIv1 struct {
			Config ociConfig `json:"config"`
		} `json:"OCIv1"`
	}
	if err := json.Unmarshal([]byte(out), &img); err != nil {
		t.Fatal(err)
	}
	return img.OCIv1.Config
}

// ourConfig applies the metadata instructions as an executor would.
func ourConfig(t *testing.T, file string, args map[string]string) ociConfig {
	t.Helper()
	df := mustParse(t, file)
	global, err := GlobalArgs(df.MetaArgs, args, nil, df.Escape)
	if err != nil {
		t.Fatal(err)
	}
	s := NewScope(global, args, []string{buildahPath}, df.Escape)
	var c ociConfig
	shell := func(x Instruction) []string {
		if x.JSON {
			return x.Args
		}
		return []string{"/bin/sh", "-c", strings.Join(x.Args, " ")}
	}
	for _, ins := range df.Stages[0].Instructions {
		x, err := s.Apply(ins)
		if err != nil {
			t.Fatal(err)
		}
		switch x.Name {
		case "label":
			if c.Labels == nil {
				c.Labels = map[string]string{}
			}
			for i := 0; i+1 < len(x.Args); i += 2 {
				c.Labels[x.Args[i]] = x.Args[i+1]
			}
		case "cmd":
			c.Cmd = shell(x)
		case "entrypoint":
			c.Entrypoint = shell(x)
		case "workdir":
			c.WorkingDir = x.Args[0]
		case "user":
			c.User = x.Args[0]
		case "stopsignal":
			c.StopSignal = x.Args[0]
		}
	}
	c.Env = s.Env()
	return c
}

// TestParseErrorsAgainstBuildah: what buildah (docker's classic parser)
// rejects, this parser rejects too, naming the line. buildah 1.28 is
// laxer than BuildKit in a few places this parser follows BuildKit:
// RUN before FROM, `ARG =x`, `LABEL =x`, `FROM a AS 1x` (TestParseErrors).
func TestParseErrorsAgainstBuildah(t *testing.T) {
	testutil.RequireRoot(t)
	buildah := testutil.RequireTool(t, "buildah", "buildah")
	for _, file := range []string{
		"FROM scratch\nFOO bar\n",
		"FROM scratch\nENV x\n",
		"FROM scratch a\n",
		"FROM scratch\nSHELL bash -c\n",
		"FROM scratch\nCMD [1, 2]\n",
		"FROM scratch\nONBUILD ONBUILD RUN x\n",
		"FROM scratch\nENV a=1 b\n",
		"FROM scratch\nCOPY x\n",
		"# escape=x\nFROM scratch\n",
		"FROM scratch\nCOPY --foo=1 a b\n",
		"FROM scratch\nHEALTHCHECK RUN x\n",
	} {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(file), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(buildah, "--storage-driver", "vfs", "--root", filepath.Join(dir, "root"),
			"--runroot", filepath.Join(dir, "run"), "bud", "-q", dir)
		out, err := cmd.CombinedOutput()
		if err == nil {
			t.Errorf("%q: buildah accepted it (%s): the table is wrong", file, out)
		}
		_, ours := Parse(strings.NewReader(file))
		if ours == nil {
			t.Errorf("%q: buildah rejects it (%s) but Parse accepts it", file, strings.TrimSpace(string(out)))
		} else if !strings.HasPrefix(ours.Error(), "dockerfile line ") {
			t.Errorf("%q: %v does not name the line", file, ours)
		}
	}
}
