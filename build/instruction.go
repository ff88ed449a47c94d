package build

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode"
)

// The instructions of the Dockerfile reference and the flags each accepts.
// A flag listed with false is a BuildKit extension that minictr's builder
// recognises but refuses (it names the line rather than silently ignoring it).
var instructionFlags = map[string]map[string]bool{
	"from":        {"platform": true},
	"run":         {"mount": false, "network": false, "security": false},
	"cmd":         {},
	"label":       {},
	"maintainer":  {},
	"expose":      {},
	"env":         {},
	"add":         {"chown": true, "chmod": true, "link": false, "checksum": false, "keep-git-dir": false, "exclude": false, "unpack": false},
	"copy":        {"from": true, "chown": true, "chmod": true, "link": false, "parents": false, "exclude": false},
	"entrypoint":  {},
	"volume":      {},
	"user":        {},
	"workdir":     {},
	"arg":         {},
	"onbuild":     {},
	"stopsignal":  {},
	"healthcheck": {"interval": true, "timeout": true, "start-period": true, "start-interval": true, "retries": true},
	"shell":       {},
}

// ErrNotSupported marks BuildKit extensions minictr refuses: heredocs,
// RUN --mount and friends. errors.Is(err, ErrNotSupported) tells them from
// syntax errors.
var ErrNotSupported = errors.New("not supported by minictr's builder")

// parseInstruction parses one logical line: the name, the leading --flags,
// and the arguments as the instruction's grammar splits them.
func parseInstruction(text string, line int, escape rune) (Instruction, error) {
	ins := Instruction{Line: line, Original: text, Flags: map[string]string{}}
	fail := func(err error) (Instruction, error) {
		return Instruction{}, &ParseError{Line: line, Text: text, Err: err}
	}
	name, rest, _ := strings.Cut(strings.TrimSpace(text), " ")
	if i := strings.IndexFunc(name, unicode.IsSpace); i >= 0 { // a tab after the name
		name, rest = name[:i], name[i+1:]+" "+rest
	}
	ins.Name = strings.ToLower(name)
	allowed, known := instructionFlags[ins.Name]
	if !known {
		return fail(fmt.Errorf("unknown instruction: %s", strings.ToUpper(name)))
	}
	rest, err := extractFlags(&ins, strings.TrimSpace(rest), allowed, escape)
	if err != nil {
		return fail(err)
	}
	if err := splitArgs(&ins, rest, escape); err != nil {
		return fail(err)
	}
	if err := checkArgs(ins, escape); err != nil {
		return fail(err)
	}
	return ins, nil
}

// extractFlags takes the words that start with "--" from the front of rest
// (docker's BFlags): `--name=value`, or `--name` alone for a boolean. A
// bare "--" ends the flags.
func extractFlags(ins *Instruction, rest string, allowed map[string]bool, escape rune) (string, error) {
	for strings.HasPrefix(rest, "--") {
		words := splitWords(rest, escape)
		word := words[0]
		rest = strings.TrimSpace(strings.TrimPrefix(rest, word))
		if word == "--" {
			break
		}
		name, value, hasValue := strings.Cut(word[2:], "=")
		ok, known := allowed[name]
		switch {
		case !known:
			return "", fmt.Errorf("unknown flag: %s", name)
		case !ok:
			return "", fmt.Errorf("%s --%s is a BuildKit extension: %w", strings.ToUpper(ins.Name), name, ErrNotSupported)
		case !hasValue:
			return "", fmt.Errorf("missing a value on flag: %s", name)
		}
		if _, dup := ins.Flags[name]; dup {
			return "", fmt.Errorf("duplicate flag specified: %s", name)
		}
		ins.Flags[name] = unquoteFlag(value)
	}
	return rest, nil
}

// unquoteFlag removes one pair of surrounding quotes: `--chown="1:1"`.
func unquoteFlag(v string) string {
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
		return v[1 : len(v)-1]
	}
	return v
}

// splitArgs splits the arguments the way the reference's grammar for each
// instruction does. The forms:
//   - RUN, CMD, ENTRYPOINT, SHELL: a JSON array of strings (exec form), or
//     else the whole rest as one shell-form string. A line that starts
//     with "[" but is not valid JSON falls back to shell form, as docker
//     does; a JSON array holding a non-string is an error.
//   - ADD, COPY, VOLUME: a JSON array, or words split at whitespace
//     (quotes do NOT group words here: docker splits `"a b"` in two).
//   - FROM, EXPOSE: words split at whitespace.
//   - ENV, LABEL: key=value pairs (quotes group), or ENV's legacy
//     `ENV key the value`; stored as key, value, key, value, ...
//   - ARG: words `name` or `name=default`, quotes group.
//   - WORKDIR, USER, STOPSIGNAL, MAINTAINER, ONBUILD: the rest, one string.
//   - HEALTHCHECK: "NONE", or "CMD" followed by the command's args.
func splitArgs(ins *Instruction, rest string, escape rune) error {
	switch ins.Name {
	case "run", "cmd", "entrypoint", "shell":
		return maybeJSON(ins, rest, false)
	case "add", "copy", "volume":
		return maybeJSON(ins, rest, true)
	case "from", "expose":
		ins.Args = strings.Fields(rest)
	case "env", "label":
		return nameValues(ins, rest, escape)
	case "arg":
		ins.Args = splitWords(rest, escape)
	case "healthcheck":
		return healthcheckArgs(ins, rest)
	default:
		if rest != "" {
			ins.Args = []string{rest}
		}
	}
	return nil
}

var errNotStringArray = errors.New("when using JSON array syntax, arrays must be comprised of strings only")

// maybeJSON tries the exec (JSON array) form and falls back to shell form.
func maybeJSON(ins *Instruction, rest string, fields bool) error {
	if strings.HasPrefix(rest, "[") {
		var raw []any
		if json.Unmarshal([]byte(rest), &raw) == nil {
			args := make([]string, 0, len(raw))
			for _, v := range raw {
				s, ok := v.(string)
				if !ok {
					return errNotStringArray
				}
				args = append(args, s)
			}
			ins.Args, ins.JSON = args, true
			return nil
		}
	}
	switch {
	case fields:
		ins.Args = strings.Fields(rest)
	case rest != "":
		ins.Args = []string{rest}
	}
	return nil
}

// nameValues splits ENV and LABEL. The first word decides the form: with
// an "=" it is `k=v k2=v2` (every word must have one), without it is the
// legacy `ENV k the rest is the value`.
func nameValues(ins *Instruction, rest string, escape rune) error {
	words := splitWords(rest, escape)
	if len(words) == 0 {
		return nil
	}
	if !strings.Contains(words[0], "=") {
		k, v, ok := strings.Cut(rest, " ")
		if i := strings.IndexFunc(rest, unicode.IsSpace); i >= 0 {
			k, v, ok = rest[:i], rest[i+1:], true
		}
		if !ok || strings.TrimSpace(v) == "" {
			return fmt.Errorf("%s must have two arguments", strings.ToUpper(ins.Name))
		}
		ins.Args = []string{k, strings.TrimLeftFunc(v, unicode.IsSpace)}
		return nil
	}
	for _, w := range words {
		k, v, ok := strings.Cut(w, "=")
		if !ok {
			return fmt.Errorf("syntax error - can't find = in %q, must be of the form: name=value", w)
		}
		ins.Args = append(ins.Args, k, v)
	}
	return nil
}

func healthcheckArgs(ins *Instruction, rest string) error {
	typ, cmd, _ := strings.Cut(rest, " ")
	switch strings.ToUpper(typ) {
	case "NONE":
		if strings.TrimSpace(cmd) != "" || len(ins.Flags) > 0 {
			return errors.New("HEALTHCHECK NONE takes no arguments")
		}
		ins.Args = []string{"NONE"}
	case "CMD":
		sub := Instruction{}
		if err := maybeJSON(&sub, strings.TrimSpace(cmd), false); err != nil {
			return err
		}
		if len(sub.Args) == 0 {
			return errors.New("missing command after HEALTHCHECK CMD")
		}
		ins.Args, ins.JSON = append([]string{"CMD"}, sub.Args...), sub.JSON
	case "":
		return nil // checkArgs reports the missing argument
	default:
		return fmt.Errorf("unknown type %q in HEALTHCHECK (try CMD)", typ)
	}
	return nil
}

// splitWords splits at unquoted whitespace, keeping quotes and escapes in
// the words (the shell lexer removes them later, at expansion). It is
// docker's parseWords.
func splitWords(s string, escape rune) []string {
	var words []string
	var word strings.Builder
	var quote rune
	inWord, escaped := false, false
	for i, ch := range s {
		switch {
		case escaped:
			escaped = false
		case ch == escape && quote != '\'' && i+len(string(ch)) == len(s):
			continue // an escape at the very end is dropped
		case ch == escape && quote != '\'':
			escaped = true // nothing escapes inside single quotes
		case quote != 0:
			if ch == quote {
				quote = 0
			}
		case unicode.IsSpace(ch):
			if inWord {
				words = append(words, word.String())
				word.Reset()
				inWord = false
			}
			continue
		case ch == '\'' || ch == '"':
			quote = ch
		}
		inWord = true
		word.WriteRune(ch)
	}
	if inWord {
		words = append(words, word.String())
	}
	return words
}
