package build

import (
	"fmt"
	"strings"
	"testing"
)

const multiStage = `ARG GO=1.22
FROM golang:$GO AS build
RUN go build -o /app .
FROM build AS test
RUN go test ./...
FROM alpine AS tools
ARG IMG=busybox
COPY --from=$IMG /bin/sh /sh
FROM scratch
COPY --from=build /app /app
COPY --from=0 /etc/ssl /etc/ssl
`

// summary prints a plan as "index:base<-from,..." for the table.
func summary(p []PlannedStage) string {
	var out []string
	for _, s := range p {
		base := s.Base
		if s.BaseStage >= 0 {
			base = fmt.Sprintf("stage%d", s.BaseStage)
		}
		out = append(out, fmt.Sprintf("%d:%s%v%v", s.Index, base, s.FromStages, s.FromImages))
	}
	return strings.Join(out, " ")
}

func TestPlan(t *testing.T) {
	df := mustParse(t, multiStage)
	tests := []struct {
		target string
		args   map[string]string
		want   string
	}{
		{"", nil, "0:golang:1.22[][] 3:scratch[0][]"},
		{"test", nil, "0:golang:1.22[][] 1:stage0[][]"},
		{"TOOLS", map[string]string{"IMG": "alpine:3", "GO": "1.23"}, "2:alpine[][alpine:3]"},
		{"build", map[string]string{"GO": "1.23"}, "0:golang:1.23[][]"},
	}
	for _, tt := range tests {
		p, err := Plan(df, tt.target, tt.args, nil)
		if err != nil {
			t.Fatalf("%q: %v", tt.target, err)
		}
		if got := summary(p); got != tt.want {
			t.Errorf("target %q: got %q, want %q", tt.target, got, tt.want)
		}
	}
}

func TestPlanErrors(t *testing.T) {
	tests := []struct{ file, target, want string }{
		{"FROM a AS x\n", "y", `target stage "y" could not be found`},
		{"FROM a AS x\nCOPY --from=1 / /\nFROM b\n", "", "dockerfile line 2: COPY --from=1: there is no earlier build stage 1"},
		{"FROM a AS x\nCOPY --from=x / /\n", "", "dockerfile line 2: COPY --from=x refers to the current or a later stage"},
		{"FROM a AS x\nCOPY --from=y / /\nFROM b AS y\n", "", "dockerfile line 2: COPY --from=y refers to the current or a later stage"},
		{"ARG B\nFROM $B\n", "", "dockerfile line 2: base name ($B) should not be blank"},
	}
	for _, tt := range tests {
		_, err := Plan(mustParse(t, tt.file), tt.target, nil, nil)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: err = %v, want %q", tt.file, err, tt.want)
		}
	}
}
