package build_test

import (
	"fmt"
	"strings"

	"github.com/minictr/minictr/build"
)

// Parse joins continuation lines, drops the comments between them, and
// keeps each instruction's arguments as its grammar splits them.
func ExampleParse() {
	df, err := build.Parse(strings.NewReader(`# syntax=docker/dockerfile:1
ARG BASE=busybox
FROM $BASE AS app
RUN echo one \
    # this comment is not part of the command
    two
COPY ["a b.txt", "/srv/"]
CMD ["httpd", "-f"]
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(df.Notes[0])
	fmt.Println(df.Stages[0].Name, df.Stages[0].BaseName)
	for _, ins := range df.Stages[0].Instructions {
		fmt.Printf("line %d: %s %q json=%v\n", ins.Line, ins.Name, ins.Args, ins.JSON)
	}
	// Output:
	// syntax directive ignored: minictr has one built-in frontend, not docker/dockerfile:1
	// app $BASE
	// line 4: run ["echo one     two"] json=false
	// line 7: copy ["a b.txt" "/srv/"] json=true
	// line 8: cmd ["httpd" "-f"] json=true
}

// The pure half of a build, step by step: expand each instruction in its
// stage's scope, then key it. A RUN's key holds the ARGs in scope, so a
// new --build-arg value misses there even though the command never names
// the variable.
func ExampleScope() {
	df, _ := build.Parse(strings.NewReader("FROM busybox\nARG VERSION=1.2\nENV APP=/app\nWORKDIR $APP\nRUN make\n"))
	key := func(buildArgs map[string]string) []build.KeyInputs {
		global, _ := build.GlobalArgs(df.MetaArgs, buildArgs, nil, df.Escape)
		s := build.NewScope(global, buildArgs, []string{"PATH=/bin"}, df.Escape)
		var keys []build.KeyInputs
		for i, ins := range df.Stages[0].Instructions {
			x, _ := s.Apply(ins)
			k := build.KeyInputs{Step: i + 1, ParentStep: i, Instruction: x.String()}
			if x.Name == "run" {
				k.BuildArgs = s.RunArgs()
			}
			keys = append(keys, k)
		}
		return keys
	}
	first, second := key(nil), key(map[string]string{"VERSION": "1.3"})
	for i := range first {
		fmt.Printf("%-24s %s\n", first[i].Instruction, build.Explain(first[i], second[i]))
	}
	// Output:
	// ARG VERSION=1.2          inputs unchanged
	// ENV APP="/app"           inputs unchanged
	// WORKDIR /app             inputs unchanged
	// RUN make                 build arg VERSION 1.2 → 1.3
}
