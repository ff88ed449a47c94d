package build

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// checkArgs rejects what docker's instruction parser rejects, with docker's
// wording where it has one, plus the BuildKit-only forms minictr refuses.
func checkArgs(ins Instruction, escape rune) error {
	upper := strings.ToUpper(ins.Name)
	n := len(ins.Args)
	switch ins.Name {
	case "cmd", "entrypoint":
		// docker accepts both with no arguments (an empty command).
	case "from":
		if n != 1 && !(n == 3 && strings.EqualFold(ins.Args[1], "as")) {
			return errors.New("FROM requires either one or three arguments (FROM image [AS name])")
		}
	case "copy", "add":
		if n < 2 {
			return fmt.Errorf("%s requires at least two arguments, but only one was provided. Destination could not be determined", upper)
		}
	case "shell":
		if !ins.JSON {
			return errors.New("SHELL requires the arguments to be in JSON form")
		}
		if n == 0 {
			return errors.New("SHELL requires at least one argument")
		}
	case "env", "label", "arg":
		if n == 0 {
			return fmt.Errorf("%s requires at least one argument", upper)
		}
		return checkNames(ins, upper)
	case "onbuild":
		if n == 0 {
			return errors.New("ONBUILD requires at least one argument")
		}
		return checkTrigger(ins.Args[0], ins.Line, escape)
	default:
		if n == 0 {
			return fmt.Errorf("%s requires at least one argument", upper)
		}
	}
	return checkHeredoc(ins)
}

// checkNames: a blank name is an error for ENV and LABEL ("ENV =x") and
// for ARG; ARG names follow the shell's variable-name rule loosely as
// docker does (it only refuses blank ones).
func checkNames(ins Instruction, upper string) error {
	if ins.Name == "arg" {
		for _, w := range ins.Args {
			if name, _, _ := strings.Cut(w, "="); name == "" {
				return errors.New("ARG names can not be blank")
			}
		}
		return nil
	}
	for i := 0; i < len(ins.Args); i += 2 {
		if ins.Args[i] == "" {
			return fmt.Errorf("%s names can not be blank", upper)
		}
	}
	return nil
}

// checkTrigger parses an ONBUILD trigger as an instruction of its own.
// ONBUILD ONBUILD, ONBUILD FROM and ONBUILD MAINTAINER are refused, as
// docker does.
func checkTrigger(trigger string, line int, escape rune) error {
	name, _, _ := strings.Cut(strings.TrimSpace(trigger), " ")
	switch strings.ToUpper(name) {
	case "ONBUILD":
		return errors.New("chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed")
	case "FROM", "MAINTAINER":
		return fmt.Errorf("%s isn't allowed as an ONBUILD trigger", strings.ToUpper(name))
	}
	if _, err := ParseTrigger(trigger, line, escape); err != nil {
		var pe *ParseError
		if errors.As(err, &pe) {
			return fmt.Errorf("ONBUILD trigger: %w", pe.Err)
		}
		return err
	}
	return nil
}

// ParseTrigger parses an ONBUILD trigger (the text after ONBUILD, as stored
// in an image config's OnBuild list) into an instruction, for the build
// whose base image carries it. line is where to blame errors.
func ParseTrigger(trigger string, line int, escape rune) (Instruction, error) {
	ins, err := parseInstruction(trigger, line, escape)
	if err != nil {
		return Instruction{}, err
	}
	switch ins.Name {
	case "onbuild", "from", "maintainer":
		return Instruction{}, &ParseError{Line: line, Text: trigger, Err: fmt.Errorf("%s isn't allowed as an ONBUILD trigger", strings.ToUpper(ins.Name))}
	}
	return ins, nil
}

// A heredoc (`RUN <<EOF`, `COPY <<EOF /x`) is a BuildKit extension of the
// Dockerfile syntax (1.4): the lines after it are the document, not
// instructions. minictr's parser would read those lines as instructions,
// so it refuses the form up front, naming the line.
var reHeredoc = regexp.MustCompile(`^<<-?\s*["']?[a-zA-Z_][a-zA-Z0-9_]*["']?$`)

func checkHeredoc(ins Instruction) error {
	switch ins.Name {
	case "run", "copy", "add":
	default:
		return nil
	}
	if ins.JSON {
		return nil
	}
	for _, arg := range ins.Args {
		for _, w := range splitWords(arg, '\\') {
			if reHeredoc.MatchString(w) || (strings.HasPrefix(w, "<<") && !strings.HasPrefix(w, "<<<") && reHeredoc.MatchString(heredocWord(w))) {
				return fmt.Errorf("heredoc %s is a BuildKit extension: %w", w, ErrNotSupported)
			}
		}
	}
	return nil
}

// heredocWord cuts a redirection glued to the word: `<<EOF>/x` -> `<<EOF`.
func heredocWord(w string) string {
	if i := strings.IndexAny(w, ">|;&"); i > 2 {
		return w[:i]
	}
	return w
}
