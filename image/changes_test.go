package image

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func TestApplyChanges(t *testing.T) {
	base := ContainerConfig{
		Env:        []string{"PATH=/bin", "A=1"},
		Cmd:        []string{"/bin/sh"},
		WorkingDir: "/app",
		Labels:     map[string]string{"old": "yes"},
	}
	tests := []struct {
		name    string
		changes []string
		check   func(ContainerConfig) bool
	}{
		{"CMD exec form", []string{`CMD ["echo", "hi there"]`}, func(c ContainerConfig) bool { return reflect.DeepEqual(c.Cmd, []string{"echo", "hi there"}) }},
		{"CMD shell form", []string{`CMD echo $HOME`}, func(c ContainerConfig) bool { return reflect.DeepEqual(c.Cmd, []string{"/bin/sh", "-c", "echo $HOME"}) }},
		{"cmd in lower case, broken JSON is the shell form", []string{`cmd [echo`}, func(c ContainerConfig) bool { return reflect.DeepEqual(c.Cmd, []string{"/bin/sh", "-c", "[echo"}) }},
		{"ENTRYPOINT clears the inherited CMD", []string{`ENTRYPOINT ["/app/run"]`}, func(c ContainerConfig) bool {
			return reflect.DeepEqual(c.Entrypoint, []string{"/app/run"}) && c.Cmd == nil
		}},
		{"ENTRYPOINT after CMD keeps it", []string{`CMD ["x"]`, `ENTRYPOINT /app/run`}, func(c ContainerConfig) bool {
			return reflect.DeepEqual(c.Entrypoint, []string{"/bin/sh", "-c", "/app/run"}) && reflect.DeepEqual(c.Cmd, []string{"x"})
		}},
		{"ENV pairs with quotes replace and add", []string{`ENV A=2 B="two words" C=a\ b D='$x'`}, func(c ContainerConfig) bool {
			return reflect.DeepEqual(c.Env, []string{"PATH=/bin", "A=2", "B=two words", "C=a b", "D=$x"})
		}},
		{"ENV old form", []string{`ENV GREETING hello world`}, func(c ContainerConfig) bool { return c.Env[2] == "GREETING=hello world" }},
		{"LABEL", []string{`LABEL version=1.0 "description"="a b"`}, func(c ContainerConfig) bool {
			return reflect.DeepEqual(c.Labels, map[string]string{"old": "yes", "version": "1.0", "description": "a b"})
		}},
		{"EXPOSE ports, protocols, ranges", []string{`EXPOSE 80 53/UDP 8000-8002`}, func(c ContainerConfig) bool {
			return fmt.Sprint(c.ExposedPorts) == "map[53/udp:{} 80/tcp:{} 8000/tcp:{} 8001/tcp:{} 8002/tcp:{}]"
		}},
		{"USER", []string{`USER app:app`}, func(c ContainerConfig) bool { return c.User == "app:app" }},
		{"VOLUME JSON and words", []string{`VOLUME ["/data"]`, `VOLUME /a /b`}, func(c ContainerConfig) bool { return len(c.Volumes) == 3 }},
		{"WORKDIR relative to the last", []string{`WORKDIR sub`, `WORKDIR ../other`}, func(c ContainerConfig) bool { return c.WorkingDir == "/app/other" }},
		{"WORKDIR absolute", []string{`WORKDIR /srv/./x/`}, func(c ContainerConfig) bool { return c.WorkingDir == "/srv/x" }},
		{"STOPSIGNAL", []string{`STOPSIGNAL SIGQUIT`}, func(c ContainerConfig) bool { return c.StopSignal == "SIGQUIT" }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ApplyChanges(base, tc.changes)
			if err != nil {
				t.Fatal(err)
			}
			if !tc.check(got) {
				t.Errorf("ApplyChanges(%q) = %+v", tc.changes, got)
			}
		})
	}
	if !reflect.DeepEqual(base.Env, []string{"PATH=/bin", "A=1"}) || len(base.Labels) != 1 {
		t.Errorf("ApplyChanges changed its input: %+v", base)
	}
}

func TestApplyChangesErrors(t *testing.T) {
	for _, tc := range []struct{ change, want string }{
		{"RUN rm -rf /", "RUN is not one of"},
		{"FROM busybox", "FROM is not one of"},
		{"CMD", "CMD needs an argument"},
		{"ENV A=1 =2", `"=2" is not KEY=value`},
		{`ENV A="unclosed`, "unmatched"},
		{"EXPOSE 80/icmp", "protocol must be"},
		{"EXPOSE 70000", "not a port"},
		{"EXPOSE 90-80", "not a port"},
		{"STOPSIGNAL SIGNOPE", "not a signal"},
		{"STOPSIGNAL 99", "out of range"},
	} {
		_, err := ApplyChanges(ContainerConfig{}, []string{tc.change})
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("ApplyChanges(%q) error %v, want one line saying %q", tc.change, err, tc.want)
		}
	}
}

func ExampleApplyChanges() {
	c, err := ApplyChanges(ContainerConfig{Cmd: []string{"/bin/sh"}}, []string{
		`ENV GREETING="hello world"`,
		`EXPOSE 8080`,
		`CMD echo $GREETING`,
	})
	fmt.Println(c.Env, c.ExposedPorts, c.Cmd, err)
	// Output: [GREETING=hello world] map[8080/tcp:{}] [/bin/sh -c echo $GREETING] <nil>
}
