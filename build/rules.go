package build

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"path"
	"strconv"
	"strings"
	"time"
)

// ParseChmod reads COPY/ADD --chmod: an octal mode up to 07777.
// (Symbolic modes are a later BuildKit addition; docker's classic builder
// takes octal only.)
func ParseChmod(s string) (uint32, error) {
	m, err := strconv.ParseUint(s, 8, 32)
	if err != nil || m > 0o7777 {
		return 0, fmt.Errorf("invalid chmod parameter %q: want an octal mode such as 0755", s)
	}
	return uint32(m), nil
}

// ParseChown reads COPY/ADD --chown=user[:group] against the image's
// /etc/passwd and /etc/group contents (nil when the image has none).
// Numbers are used as they are; names are looked up. As the reference
// says, "a username without groupname or a UID without GID will use the
// same numeric UID as the GID".
func ParseChown(spec string, passwd, group []byte) (uid, gid int, err error) {
	user, grp, hasGroup := strings.Cut(spec, ":")
	if user == "" || (hasGroup && grp == "") {
		return 0, 0, fmt.Errorf("invalid chown %q: want user[:group]", spec)
	}
	if uid, err = lookupID(user, passwd, "/etc/passwd"); err != nil {
		return 0, 0, fmt.Errorf("chown %s: unable to find user %s: %w", spec, user, err)
	}
	if !hasGroup {
		return uid, uid, nil
	}
	if gid, err = lookupID(grp, group, "/etc/group"); err != nil {
		return 0, 0, fmt.Errorf("chown %s: unable to find group %s: %w", spec, grp, err)
	}
	return uid, gid, nil
}

// lookupID returns name as a number, or the id (third field) of the line
// "name:x:id:..." in a passwd- or group-format file.
func lookupID(name string, file []byte, which string) (int, error) {
	if n, err := strconv.Atoi(name); err == nil {
		if n < 0 {
			return 0, errors.New("negative id")
		}
		return n, nil
	}
	if file == nil {
		return 0, fmt.Errorf("no %s in the image", which)
	}
	sc := bufio.NewScanner(bytes.NewReader(file))
	for sc.Scan() {
		f := strings.Split(sc.Text(), ":")
		if len(f) >= 3 && f[0] == name {
			id, err := strconv.Atoi(f[2])
			if err != nil {
				return 0, fmt.Errorf("bad id %q in %s", f[2], which)
			}
			return id, nil
		}
	}
	return 0, fmt.Errorf("no matching entries in %s", which)
}

// ResolveWorkdir applies WORKDIR arg to the current working directory:
// a relative path is relative to the previous WORKDIR ("/" if none).
func ResolveWorkdir(current, arg string) string {
	if !path.IsAbs(arg) {
		if current == "" {
			current = "/"
		}
		arg = path.Join(current, arg)
	}
	return path.Clean(arg)
}

// CopyDest resolves a COPY/ADD destination: relative to WORKDIR, and a
// directory when it ends in "/" (or is "." or ".."). With several sources,
// or a wildcard, it must be one: "If multiple <src> resources are
// specified, either directly or due to the use of a wildcard, then <dest>
// must be a directory, and it must end with a slash /" (reference, COPY).
// Whether an existing directory without the slash counts is for the
// executor to decide against the image's tree.
func CopyDest(dest, workdir string, sources int) (dst string, isDir bool, err error) {
	isDir = strings.HasSuffix(dest, "/") || dest == "." || dest == ".." || strings.HasSuffix(dest, "/.")
	if sources > 1 && !isDir {
		return "", false, fmt.Errorf("when using COPY with more than one source file, the destination must be a directory and end with a / (got %q)", dest)
	}
	return ResolveWorkdir(workdir, dest), isDir, nil
}

// Healthcheck is HEALTHCHECK as the image config stores it.
type Healthcheck struct {
	Test          []string      // ["NONE"], ["CMD", args...] or ["CMD-SHELL", command]
	Interval      time.Duration // 0: the default
	Timeout       time.Duration
	StartPeriod   time.Duration
	StartInterval time.Duration
	Retries       int
}

// ParseHealthcheck turns a parsed HEALTHCHECK into its config value.
func ParseHealthcheck(ins Instruction) (Healthcheck, error) {
	var h Healthcheck
	switch {
	case len(ins.Args) == 0:
		return h, errors.New("HEALTHCHECK requires an argument")
	case ins.Args[0] == "NONE":
		h.Test = []string{"NONE"}
		return h, nil
	case ins.JSON:
		h.Test = append([]string{"CMD"}, ins.Args[1:]...)
	default:
		h.Test = []string{"CMD-SHELL", strings.Join(ins.Args[1:], " ")}
	}
	for flag, d := range map[string]*time.Duration{"interval": &h.Interval, "timeout": &h.Timeout,
		"start-period": &h.StartPeriod, "start-interval": &h.StartInterval} {
		v, ok := ins.Flags[flag]
		if !ok {
			continue
		}
		var err error
		if *d, err = time.ParseDuration(v); err != nil {
			return h, fmt.Errorf("HEALTHCHECK --%s=%s: %w", flag, v, err)
		}
		if *d != 0 && *d < time.Millisecond {
			return h, fmt.Errorf("HEALTHCHECK --%s cannot be less than 1ms", flag)
		}
	}
	if v, ok := ins.Flags["retries"]; ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return h, fmt.Errorf("HEALTHCHECK --retries=%s: want a number of at least 0", v)
		}
		h.Retries = n
	}
	return h, nil
}
