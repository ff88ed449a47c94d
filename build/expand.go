package build

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
)

// Variable expansion is docker's, not the shell's: the builder itself
// replaces $VAR in the instructions the reference lists (see Expands),
// before anything runs. RUN, CMD and ENTRYPOINT are not expanded by the
// builder; in their shell form /bin/sh expands them inside the container.
//
// The lexer (moby/buildkit frontend/dockerfile/shell, "Environment
// replacement" in the Dockerfile reference):
//
//	$name ${name}          the value, "" if unset
//	${name:-word}          word if name is unset or empty
//	${name-word}           word if name is unset
//	${name:+word}          word if name is set and not empty, else ""
//	${name+word}           word if name is set, else ""
//	${name:?msg} ${name?msg}  an error (msg) if unset (or empty, with ":")
//	\$ \" \\               the escaped character (the escape character may be `)
//	'...'                  literal; the quotes are removed
//	"..."                  $ expands inside; the quotes are removed
//
// A name is letters, digits and underscores. A "$" not followed by a name or
// "{" is kept as is.

// Lookup returns a variable's value and whether it is set.
type Lookup func(name string) (string, bool)

// ExpandWord expands one word: variables replaced, quotes and escapes
// removed, whitespace kept (`"a  b"` and `a  b` both stay one string).
func ExpandWord(word string, lookup Lookup, escape rune) (string, error) {
	words, err := expand(word, lookup, escape, false)
	if err != nil {
		return "", err
	}
	return strings.Join(words, ""), nil
}

// ExpandWords expands and then splits at unquoted whitespace, including
// whitespace that came out of a variable's value: with V="a b",
// `$V "c d"` gives ["a", "b", "c d"]. EXPOSE uses it.
func ExpandWords(word string, lookup Lookup, escape rune) ([]string, error) {
	return expand(word, lookup, escape, true)
}

type lexer struct {
	in     []rune
	pos    int
	lookup Lookup
	escape rune
	split  bool
	words  []string
	cur    strings.Builder
	inWord bool
}

func expand(s string, lookup Lookup, escape rune, split bool) ([]string, error) {
	if lookup == nil {
		lookup = func(string) (string, bool) { return "", false }
	}
	lx := &lexer{in: []rune(s), lookup: lookup, escape: escape, split: split}
	if err := lx.run(0); err != nil {
		return nil, fmt.Errorf("expand %q: %w", s, err)
	}
	lx.endWord()
	if !split && len(lx.words) == 0 {
		return []string{""}, nil
	}
	return lx.words, nil
}

func (lx *lexer) peek() rune {
	if lx.pos >= len(lx.in) {
		return -1
	}
	return lx.in[lx.pos]
}

func (lx *lexer) next() rune {
	r := lx.peek()
	if r >= 0 {
		lx.pos++
	}
	return r
}

// write adds literal text to the current word.
func (lx *lexer) write(s string) {
	lx.cur.WriteString(s)
	lx.inWord = true
}

// writeValue adds a variable's value; when splitting, its whitespace
// separates words as unquoted whitespace does.
func (lx *lexer) writeValue(v string, quoted bool) {
	if !lx.split || quoted {
		lx.write(v)
		return
	}
	for _, r := range v {
		if unicode.IsSpace(r) {
			lx.endWord()
			continue
		}
		lx.write(string(r))
	}
}

func (lx *lexer) endWord() {
	if lx.inWord {
		lx.words = append(lx.words, lx.cur.String())
	}
	lx.cur.Reset()
	lx.inWord = false
}

// run lexes until the end, or until stop (a "}" ending ${name:-word}).
func (lx *lexer) run(stop rune) error {
	for {
		ch := lx.peek()
		switch {
		case ch < 0:
			if stop != 0 {
				return errors.New("missing '}'")
			}
			return nil
		case stop != 0 && ch == stop:
			return nil
		case lx.split && stop == 0 && unicode.IsSpace(ch):
			lx.next()
			lx.endWord()
		case ch == '\'':
			lx.next()
			if err := lx.singleQuoted(); err != nil {
				return err
			}
		case ch == '"':
			lx.next()
			if err := lx.doubleQuoted(); err != nil {
				return err
			}
		case ch == '$':
			if err := lx.dollar(false); err != nil {
				return err
			}
		case ch == lx.escape:
			lx.next()
			if r := lx.next(); r >= 0 { // an escape at the end is dropped
				lx.write(string(r))
			}
		default:
			lx.write(string(lx.next()))
		}
	}
}

func (lx *lexer) singleQuoted() error {
	lx.inWord = true // '' is an (empty) word
	for {
		switch r := lx.next(); r {
		case -1:
			return errors.New("unexpected end of statement while looking for matching single-quote")
		case '\'':
			return nil
		default:
			lx.write(string(r))
		}
	}
}

// doubleQuoted: $ expands; the escape character escapes only $, " and
// itself, and is kept before anything else ("\n" stays two characters).
func (lx *lexer) doubleQuoted() error {
	lx.inWord = true
	for {
		switch r := lx.peek(); {
		case r < 0:
			return errors.New("unexpected end of statement while looking for matching double-quote")
		case r == '"':
			lx.next()
			return nil
		case r == '$':
			if err := lx.dollar(true); err != nil {
				return err
			}
		case r == lx.escape:
			lx.next()
			switch n := lx.peek(); {
			case n < 0:
			case n == '$' || n == '"' || n == lx.escape:
				lx.write(string(lx.next()))
			default:
				lx.write(string(r))
			}
		default:
			lx.write(string(lx.next()))
		}
	}
}
