package image

import (
	"encoding/json"
	"fmt"
	"maps"
	"path"
	"slices"
	"strconv"
	"strings"
)

// ApplyChanges applies `docker commit --change` instructions to a runtime
// config and returns the result (c itself is not modified). Each change is
// one Dockerfile line of the subset docker allows there: CMD, ENTRYPOINT,
// ENV, EXPOSE, LABEL, USER, VOLUME, WORKDIR, STOPSIGNAL, parsed as
// docker's builder parses them:
//
//	CMD ["a", "b"]   exec form (a JSON array): the argv as written
//	CMD a b          shell form: ["/bin/sh", "-c", "a b"]
//	ENV K=v K2="v 2" one or more pairs, quotes and \ as in a shell word
//	ENV K v w        the old form: one key, the rest of the line its value
//	EXPOSE 80 53/udp 8000-8002   ports, tcp unless said, ranges expanded
//	VOLUME ["/a"] or VOLUME /a /b
//	WORKDIR rel      relative to the WORKDIR before it
//
// As in docker, ENTRYPOINT clears the CMD an image inherited, unless a CMD
// came earlier in the same changes. Variables ($VAR) are not expanded.
func ApplyChanges(c ContainerConfig, changes []string) (ContainerConfig, error) {
	c = cloneConfig(c)
	cmdSet := false
	for _, ch := range changes {
		word, rest, _ := strings.Cut(strings.TrimSpace(ch), " ")
		rest = strings.TrimSpace(rest)
		var err error
		switch strings.ToUpper(word) {
		case "CMD":
			c.Cmd, cmdSet = command(rest), true
		case "ENTRYPOINT":
			c.Entrypoint = command(rest)
			if !cmdSet {
				c.Cmd = nil
			}
		case "ENV":
			err = applyEnv(&c, rest)
		case "LABEL":
			err = applyLabels(&c, rest)
		case "EXPOSE":
			err = applyExpose(&c, rest)
		case "USER":
			c.User = rest
		case "VOLUME":
			err = applyVolumes(&c, rest)
		case "WORKDIR":
			c.WorkingDir = workdir(c.WorkingDir, rest)
		case "STOPSIGNAL":
			c.StopSignal, err = stopSignal(rest)
		default:
			err = fmt.Errorf("%s is not one of CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, USER, VOLUME, WORKDIR, STOPSIGNAL", word)
		}
		if err == nil && rest == "" {
			err = fmt.Errorf("%s needs an argument", strings.ToUpper(word))
		}
		if err != nil {
			return c, fmt.Errorf("change %q: %w", ch, err)
		}
	}
	return c, nil
}

// cloneConfig copies c so that changes to it do not reach the original.
func cloneConfig(c ContainerConfig) ContainerConfig {
	c.Env, c.Cmd, c.Entrypoint = slices.Clone(c.Env), slices.Clone(c.Cmd), slices.Clone(c.Entrypoint)
	c.ExposedPorts, c.Volumes, c.Labels = maps.Clone(c.ExposedPorts), maps.Clone(c.Volumes), maps.Clone(c.Labels)
	return c
}

// command parses the exec form (a JSON array of strings) or, if the
// argument is not one, the shell form.
func command(rest string) []string {
	var argv []string
	if strings.HasPrefix(rest, "[") && json.Unmarshal([]byte(rest), &argv) == nil {
		return argv
	}
	return []string{"/bin/sh", "-c", rest}
}

// keyValues parses "K=v K2=v2" (shell words) or the old "K value..." form.
func keyValues(rest string) ([][2]string, error) {
	words, err := shellWords(rest)
	if err != nil {
		return nil, err
	}
	if len(words) == 0 {
		return nil, nil
	}
	if !strings.Contains(words[0], "=") {
		key, value, _ := strings.Cut(rest, " ")
		return [][2]string{{key, strings.TrimSpace(value)}}, nil
	}
	var out [][2]string
	for _, w := range words {
		k, v, ok := strings.Cut(w, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("%q is not KEY=value", w)
		}
		out = append(out, [2]string{k, v})
	}
	return out, nil
}

func applyEnv(c *ContainerConfig, rest string) error {
	kvs, err := keyValues(rest)
	for _, kv := range kvs {
		line := kv[0] + "=" + kv[1]
		i := slices.IndexFunc(c.Env, func(e string) bool { return strings.HasPrefix(e, kv[0]+"=") })
		if i >= 0 {
			c.Env[i] = line
		} else {
			c.Env = append(c.Env, line)
		}
	}
	return err
}

func applyLabels(c *ContainerConfig, rest string) error {
	kvs, err := keyValues(rest)
	for _, kv := range kvs {
		if c.Labels == nil {
			c.Labels = map[string]string{}
		}
		c.Labels[kv[0]] = kv[1]
	}
	return err
}

// applyExpose adds "port/proto" keys; a range a-b adds each port.
func applyExpose(c *ContainerConfig, rest string) error {
	for _, w := range strings.Fields(rest) {
		ports, proto, _ := strings.Cut(strings.ToLower(w), "/")
		if proto == "" {
			proto = "tcp"
		}
		if proto != "tcp" && proto != "udp" && proto != "sctp" {
			return fmt.Errorf("%s: protocol must be tcp, udp or sctp", w)
		}
		lo, hi, isRange := strings.Cut(ports, "-")
		if !isRange {
			hi = lo
		}
		first, err1 := strconv.ParseUint(lo, 10, 16)
		last, err2 := strconv.ParseUint(hi, 10, 16)
		if err1 != nil || err2 != nil || first == 0 || last < first {
			return fmt.Errorf("%s is not a port or a port range", w)
		}
		for p := first; p <= last; p++ {
			if c.ExposedPorts == nil {
				c.ExposedPorts = map[string]struct{}{}
			}
			c.ExposedPorts[fmt.Sprintf("%d/%s", p, proto)] = struct{}{}
		}
	}
	return nil
}

func applyVolumes(c *ContainerConfig, rest string) error {
	var vols []string
	if !strings.HasPrefix(rest, "[") || json.Unmarshal([]byte(rest), &vols) != nil {
		vols = strings.Fields(rest)
	}
	for _, v := range vols {
		if strings.TrimSpace(v) == "" {
			return fmt.Errorf("a volume needs a path")
		}
		if c.Volumes == nil {
			c.Volumes = map[string]struct{}{}
		}
		c.Volumes[v] = struct{}{}
	}
	return nil
}

// workdir resolves dir against the working directory before it.
func workdir(old, dir string) string {
	if path.IsAbs(dir) || dir == "" {
		return path.Clean("/" + dir)
	}
	if old == "" {
		old = "/"
	}
	return path.Join(old, dir)
}

// stopSignal accepts a signal number (1-64) or a name with or without SIG.
func stopSignal(s string) (string, error) {
	if n, err := strconv.Atoi(s); err == nil {
		if n < 1 || n > 64 {
			return "", fmt.Errorf("signal %d is out of range", n)
		}
		return s, nil
	}
	name := strings.TrimPrefix(strings.ToUpper(s), "SIG")
	known := []string{"HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2", "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS"}
	if !slices.Contains(known, name) && !strings.HasPrefix(name, "RTMIN") && !strings.HasPrefix(name, "RTMAX") {
		return "", fmt.Errorf("%s is not a signal", s)
	}
	return s, nil
}

// shellWords splits s into words as a shell would for ENV and LABEL:
// whitespace separates; '...' keeps everything literally; "..." and a bare
// \ escape the next character (inside "...", only \ " and $ are special
// enough to need it, as in docker's lexer).
func shellWords(s string) ([]string, error) {
	var words []string
	var b strings.Builder
	inWord := false
	for i := 0; i < len(s); i++ {
		switch ch := s[i]; {
		case ch == ' ' || ch == '\t':
			if inWord {
				words, inWord = append(words, b.String()), false
				b.Reset()
			}
			continue
		case ch == '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, fmt.Errorf("unmatched ' in %q", s)
			}
			b.WriteString(s[i+1 : i+1+j])
			i += j + 1
		case ch == '"':
			end, err := doubleQuoted(s, i+1, &b)
			if err != nil {
				return nil, err
			}
			i = end
		case ch == '\\' && i+1 < len(s):
			i++
			b.WriteByte(s[i])
		default:
			b.WriteByte(ch)
		}
		inWord = true
	}
	if inWord {
		words = append(words, b.String())
	}
	return words, nil
}

// doubleQuoted copies a "..." string starting at s[i] into b and returns
// the index of its closing quote.
func doubleQuoted(s string, i int, b *strings.Builder) (int, error) {
	for ; i < len(s); i++ {
		switch ch := s[i]; {
		case ch == '"':
			return i, nil
		case ch == '\\' && i+1 < len(s) && strings.IndexByte(`"\$`, s[i+1]) >= 0:
			i++
			b.WriteByte(s[i])
		default:
			b.WriteByte(ch)
		}
	}
	return 0, fmt.Errorf("unmatched \" in %q", s)
}
