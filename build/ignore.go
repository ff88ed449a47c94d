package build

import (
	"bufio"
	"fmt"
	"io"
	"path"
	"regexp"
	"strings"
)

// Ignore is a parsed .dockerignore: what `COPY` and `ADD` may not see.
// Its rules are docker's (moby/patternmatcher, and the reference's
// ".dockerignore file" section):
//   - one pattern a line; lines starting with # are comments; blank
//     lines and surrounding whitespace are ignored;
//   - patterns are cleaned (path.Clean) and a leading "/" is dropped, so
//     "/a", "./a" and "a/" all mean the path a at the root of the context;
//   - "*" matches any run of characters but "/", "?" one character but
//     "/", "[...]" a class, "\" escapes; "**" matches any number of
//     directories, including none;
//   - a pattern that matches a directory excludes everything under it;
//   - "!pattern" re-includes what earlier patterns excluded; the LAST
//     pattern that matches a path decides.
//
// The Dockerfile and .dockerignore are always readable by the builder
// (docker sends them even when excluded), but COPY does not copy them if
// they are excluded: minictr reads the context in place, so both halves of
// that rule hold without a special case.
type Ignore struct {
	patterns []ignorePattern
}

type ignorePattern struct {
	text      string // as cleaned, without "!"
	exclusion bool   // a "!" pattern: re-include
	re        *regexp.Regexp
}

// ParseIgnore reads a .dockerignore.
func ParseIgnore(r io.Reader) (*Ignore, error) {
	ig := &Ignore{}
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		p := ignorePattern{}
		if strings.HasPrefix(line, "!") {
			p.exclusion = true
			line = strings.TrimSpace(line[1:])
			if line == "" {
				return nil, fmt.Errorf(".dockerignore line %d: illegal exclusion pattern: \"!\"", n)
			}
		}
		line = path.Clean(line)
		if len(line) > 1 && line[0] == '/' {
			line = line[1:]
		}
		re, err := patternRegexp(line)
		if err != nil {
			return nil, fmt.Errorf(".dockerignore line %d: bad pattern %q: %w", n, line, err)
		}
		p.text, p.re = line, re
		ig.patterns = append(ig.patterns, p)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read .dockerignore: %w", err)
	}
	return ig, nil
}

// patternRegexp turns one pattern into an anchored regular expression.
func patternRegexp(p string) (*regexp.Regexp, error) {
	var b strings.Builder
	b.WriteString("^")
	rs := []rune(p)
	for i := 0; i < len(rs); i++ {
		switch ch := rs[i]; {
		case ch == '*' && i+1 < len(rs) && rs[i+1] == '*':
			i++
			if i+1 < len(rs) && rs[i+1] == '/' {
				i++ // "**/" is "**"
			}
			if i+1 == len(rs) {
				b.WriteString(".*") // a trailing "**" matches everything below
			} else {
				b.WriteString("(.*/)?") // any number of directories, even none
			}
		case ch == '*':
			b.WriteString("[^/]*")
		case ch == '?':
			b.WriteString("[^/]")
		case ch == '\\':
			if i+1 < len(rs) {
				i++
				b.WriteString(regexp.QuoteMeta(string(rs[i])))
			} else {
				b.WriteString(`\\`)
			}
		case ch == '[' || ch == ']':
			b.WriteRune(ch) // a class, as in filepath.Match
		default:
			b.WriteString(regexp.QuoteMeta(string(ch)))
		}
	}
	b.WriteString("$")
	return regexp.Compile(b.String())
}

// Excluded reports whether the context path rel ("a/b", slash-separated,
// relative to the context root) is excluded. A pattern matches rel or any
// of its parent directories; the last matching pattern wins.
func (ig *Ignore) Excluded(rel string) bool {
	if ig == nil {
		return false
	}
	rel = path.Clean(strings.TrimPrefix(rel, "/"))
	excluded := false
	for _, p := range ig.patterns {
		// An exclusion can only change an excluded path, and an
		// inclusion only a path not yet excluded.
		if p.exclusion != excluded {
			continue
		}
		if p.matches(rel) {
			excluded = !p.exclusion
		}
	}
	return excluded
}

func (p ignorePattern) matches(rel string) bool {
	if p.re.MatchString(rel) {
		return true
	}
	for dir := path.Dir(rel); dir != "." && dir != "/"; dir = path.Dir(dir) {
		if p.re.MatchString(dir) {
			return true
		}
	}
	return false
}

// MayIncludeUnder reports whether some path below the excluded directory
// dir could still be re-included by a "!" pattern, so a walker must
// descend into it rather than skip it whole.
func (ig *Ignore) MayIncludeUnder(dir string) bool {
	if ig == nil {
		return true
	}
	for _, p := range ig.patterns {
		if p.exclusion && (strings.HasPrefix(p.text, dir+"/") || strings.ContainsAny(p.text, "*?[\\")) {
			return true
		}
	}
	return false
}
