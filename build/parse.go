package build

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"regexp"
	"strings"
	"unicode"
)

// Dockerfile is a parsed Dockerfile: what docker's parser produces before
// anything is built. Nothing in it is expanded yet; variables are resolved
// per stage by a Scope (expand.go, scope.go), because their values depend
// on --build-arg and on the base image's ENV.
type Dockerfile struct {
	// Escape is the escape character: '\\' unless `# escape=` changed it.
	Escape rune
	// Notes are things the parser accepted but a user should hear about:
	// an ignored `# syntax=` directive, empty continuation lines.
	Notes []string
	// MetaArgs are the ARG instructions before the first FROM. Their
	// values are visible only to FROM lines unless a stage redeclares them.
	MetaArgs []Instruction
	Stages   []Stage
}

// Stage is one FROM and the instructions up to the next FROM.
type Stage struct {
	Name     string // the `AS name`, lower-cased as docker does; "" if none
	BaseName string // the image (or earlier stage) after FROM, unexpanded
	Platform string // the --platform flag, unexpanded; "" if none
	Line     int    // line of the FROM
	// Instructions after FROM, in order.
	Instructions []Instruction
}

// Instruction is one logical line: continuation lines joined, comments
// between them removed.
type Instruction struct {
	Line int    // first physical line, counting from 1
	Name string // lower-case: "run", "copy", ...
	// Args as the reference's grammar for this instruction splits them
	// (see splitArgs): one shell-form string for RUN/CMD/ENTRYPOINT, the
	// list for JSON forms, key and value alternately for ENV and LABEL.
	Args  []string
	JSON  bool              // exec (JSON array) form
	Flags map[string]string // --name=value before the arguments
	// Original is the logical line as written (continuations joined).
	Original string
}

// ParseError is a parse failure with the line it happened on; its text is
// "dockerfile line N: <reason>: <the line>", docker's content in one line.
type ParseError struct {
	Line int
	Text string // the (logical) line, as written
	Err  error
}

func (e *ParseError) Error() string {
	if e.Text == "" {
		return fmt.Sprintf("dockerfile line %d: %v", e.Line, e.Err)
	}
	return fmt.Sprintf("dockerfile line %d: %v: %s", e.Line, e.Err, e.Text)
}

func (e *ParseError) Unwrap() error { return e.Err }

// A parser directive is a comment of the form `# name=value`, and only at
// the very top: the first comment that is not one, the first empty line or
// the first instruction ends the directives (Dockerfile reference, "Parser
// directives"). Unknown directive names are plain comments.
var reDirective = regexp.MustCompile(`^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$`)

// Parse reads a Dockerfile as docker's parser does (moby/buildkit
// frontend/dockerfile/parser and instructions): directives, comments,
// continuation lines, then one instruction per logical line, then stages.
func Parse(r io.Reader) (*Dockerfile, error) {
	df := &Dockerfile{Escape: '\\'}
	lines, err := logicalLines(r, df)
	if err != nil {
		return nil, err
	}
	if len(lines) == 0 {
		return nil, &ParseError{Line: 1, Err: fmt.Errorf("file with no instructions")}
	}
	for _, l := range lines {
		ins, err := parseInstruction(l.text, l.line, df.Escape)
		if err != nil {
			return nil, err
		}
		if err := addInstruction(df, ins); err != nil {
			return nil, &ParseError{Line: ins.Line, Text: ins.Original, Err: err}
		}
	}
	if len(df.Stages) == 0 {
		return nil, &ParseError{Line: lines[len(lines)-1].line, Err: fmt.Errorf("no FROM instruction: a Dockerfile must start a stage with FROM")}
	}
	return df, nil
}

// addInstruction places ins: ARG before the first FROM is a meta ARG, FROM
// starts a stage, anything else belongs to the current stage and is an
// error before the first FROM (docker: "no build stage in current context").
func addInstruction(df *Dockerfile, ins Instruction) error {
	switch {
	case ins.Name == "from":
		st, err := newStage(ins)
		if err != nil {
			return err
		}
		df.Stages = append(df.Stages, st)
	case len(df.Stages) == 0 && ins.Name == "arg":
		df.MetaArgs = append(df.MetaArgs, ins)
	case len(df.Stages) == 0:
		return fmt.Errorf("no build stage in current context: %s before the first FROM (only ARG may come before FROM)", strings.ToUpper(ins.Name))
	default:
		st := &df.Stages[len(df.Stages)-1]
		st.Instructions = append(st.Instructions, ins)
	}
	return nil
}

// reStageName is docker's rule for `AS name`.
var reStageName = regexp.MustCompile(`^[a-z][a-z0-9-_.]*$`)

func newStage(ins Instruction) (Stage, error) {
	st := Stage{BaseName: ins.Args[0], Platform: ins.Flags["platform"], Line: ins.Line}
	if len(ins.Args) == 3 {
		st.Name = strings.ToLower(ins.Args[2])
		if !reStageName.MatchString(st.Name) {
			return Stage{}, fmt.Errorf("invalid name for build stage: %q, name can't start with a number or contain symbols", ins.Args[2])
		}
	}
	return st, nil
}

type logicalLine struct {
	line int
	text string
}

// logicalLines reads the directives, drops comments, and joins
// continuation lines. Inside a continued instruction docker drops comment
// lines and empty lines entirely (an empty one earns a warning), so
//
//	RUN a \
//	# note
//
//	    b
//
// is `RUN a     b`. A line ends in a continuation when its last non-blank
// character is the escape character.
func logicalLines(r io.Reader, df *Dockerfile) ([]logicalLine, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	var out []logicalLine
	n, directives := 0, true
	for sc.Scan() {
		raw := sc.Bytes()
		if n == 0 {
			raw = bytes.TrimPrefix(raw, []byte("\xEF\xBB\xBF")) // a UTF-8 byte-order mark
		}
		n++
		if directives {
			var err error
			if directives, err = directive(df, string(raw), n); err != nil {
				return nil, err
			}
			if directives {
				continue
			}
		}
		text := strings.TrimLeftFunc(string(raw), unicode.IsSpace)
		if strings.HasPrefix(text, "#") || text == "" {
			continue
		}
		start := n
		text, hadEmpty := continued(sc, &n, text, df.Escape)
		if hadEmpty {
			df.Notes = append(df.Notes, fmt.Sprintf("line %d: empty continuation line (docker warns; it will become an error): %s", start, text))
		}
		if strings.TrimSpace(text) == "" {
			continue
		}
		out = append(out, logicalLine{line: start, text: text})
	}
	if err := sc.Err(); err != nil {
		return nil, &ParseError{Line: n + 1, Err: fmt.Errorf("read dockerfile: %w", err)}
	}
	return out, nil
}

// continued appends the continuation lines of an instruction that starts
// with text, counting lines in *n. Comment lines and empty lines between
// them are skipped; it reports whether there was an empty one.
func continued(sc *bufio.Scanner, n *int, text string, escape rune) (string, bool) {
	hadEmpty := false
	text, cont := trimContinuation(text, escape)
	for cont && sc.Scan() {
		*n++
		next := string(sc.Bytes())
		trimmed := strings.TrimLeftFunc(next, unicode.IsSpace)
		if strings.HasPrefix(trimmed, "#") {
			continue
		}
		if trimmed == "" {
			hadEmpty = true
			continue
		}
		next, cont = trimContinuation(next, escape)
		text += next
	}
	return text, hadEmpty
}

// directive handles one line while directives are still possible. It
// returns whether the line was a directive (and directives continue).
func directive(df *Dockerfile, line string, n int) (bool, error) {
	m := reDirective.FindStringSubmatch(line)
	if m == nil {
		return false, nil
	}
	name := strings.ToLower(m[1])
	seen := func(what string) bool {
		for _, note := range df.Notes {
			if strings.HasPrefix(note, what) {
				return true
			}
		}
		return false
	}
	switch name {
	case "escape":
		if seen("escape") {
			return false, &ParseError{Line: n, Text: line, Err: fmt.Errorf("only one escape parser directive can be used")}
		}
		if m[2] != "\\" && m[2] != "`" {
			return false, &ParseError{Line: n, Text: line, Err: fmt.Errorf("invalid escape token %q does not match ` or \\", m[2])}
		}
		df.Escape = rune(m[2][0])
		df.Notes = append(df.Notes, fmt.Sprintf("escape directive: escape character is %s", m[2]))
	case "syntax":
		if seen("syntax") {
			return false, &ParseError{Line: n, Text: line, Err: fmt.Errorf("only one syntax parser directive can be used")}
		}
		df.Notes = append(df.Notes, fmt.Sprintf("syntax directive ignored: minictr has one built-in frontend, not %s", m[2]))
	case "check":
		df.Notes = append(df.Notes, fmt.Sprintf("check directive ignored: minictr runs no build checks (%s)", m[2]))
	default:
		// "Unknown directives are treated as comments", and a comment
		// ends the directives: a known one after it is a comment too.
		return false, nil
	}
	return true, nil
}

// trimContinuation removes a trailing escape character (and blanks after
// it) and reports whether the instruction continues on the next line.
func trimContinuation(line string, escape rune) (string, bool) {
	t := strings.TrimRightFunc(line, func(r rune) bool { return r == ' ' || r == '\t' })
	if strings.HasSuffix(t, string(escape)) {
		return strings.TrimSuffix(t, string(escape)), true
	}
	return line, false
}
