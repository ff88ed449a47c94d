package build

import (
	"errors"
	"fmt"
	"strings"
)

// dollar expands $name or ${...} at the lexer's position (on the "$").
func (lx *lexer) dollar(quoted bool) error {
	lx.next() // "$"
	if lx.peek() != '{' {
		name := lx.name()
		if name == "" {
			lx.write("$")
			return nil
		}
		v, _ := lx.lookup(name)
		lx.writeValue(v, quoted)
		return nil
	}
	lx.next() // "{"
	name := lx.name()
	if name == "" {
		return errors.New("bad substitution: missing variable name after ${")
	}
	v, set := lx.lookup(name)
	switch r := lx.next(); r {
	case '}':
		lx.writeValue(v, quoted)
		return nil
	case ':':
		op := lx.next()
		return lx.modifier(name, v, set && v != "", op, quoted, true)
	case '-', '+', '?':
		return lx.modifier(name, v, set, r, quoted, false)
	case -1:
		return errors.New("missing '}'")
	default:
		return fmt.Errorf("unsupported modifier (%c) in substitution", r)
	}
}

// modifier handles ${name<op>word}; present is "set" (or "set and not
// empty" for the ":" forms). word is itself expanded, but only when used.
func (lx *lexer) modifier(name, v string, present bool, op rune, quoted, colon bool) error {
	word, err := lx.subword()
	if err != nil {
		return err
	}
	switch op {
	case '-':
		if !present {
			v = word
		}
	case '+':
		v = ""
		if present {
			v = word
		}
	case '?':
		if !present {
			if word == "" {
				word = "is not allowed to be unset"
				if colon {
					word = "is not allowed to be empty"
				}
			}
			return fmt.Errorf("%s: %s", name, word)
		}
	default:
		return fmt.Errorf("unsupported modifier (%c) in substitution", op)
	}
	lx.writeValue(v, quoted)
	return nil
}

// subword expands the word of ${name:-word} up to the closing "}" in a
// lexer of its own, so its quotes and escapes are processed too.
func (lx *lexer) subword() (string, error) {
	sub := &lexer{in: lx.in, pos: lx.pos, lookup: lx.lookup, escape: lx.escape}
	if err := sub.run('}'); err != nil {
		return "", err
	}
	lx.pos = sub.pos + 1 // past "}"
	return sub.cur.String(), nil
}

// name reads a variable name: letters, digits, underscores.
func (lx *lexer) name() string {
	var b strings.Builder
	for {
		r := lx.peek()
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return b.String()
		}
		b.WriteRune(lx.next())
	}
}
