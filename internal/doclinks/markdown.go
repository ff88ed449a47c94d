package doclinks

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// A link is one inline markdown link `[text](target)` (or image `![alt](target)`)
// found outside code: Line is where its `[` stands (1-based), Spans are the
// code spans inside its text, without their backticks.
type link struct {
	Line   int
	Text   string
	Target string
	Spans  []string
}

// A codeSpan is an inline `code` span outside any link text.
type codeSpan struct {
	Line int
	Code string
}

// A span is an inline code span: inner holds its text, outer its backticks too.
type span struct{ inner, outer [2]int }

// A page is what the checker needs from one markdown file.
type page struct {
	Links   []link
	Spans   []codeSpan // code spans outside links (prose)
	Anchors map[string]bool
}

// parsePage scans markdown text. Fenced code blocks (``` or ~~~, mermaid
// included) are blanked first, so nothing in them counts as a link, a code
// span or a heading; inline code spans are found next, so a `[x](y)` written
// inside backticks is not a link either.
func parsePage(src string) page {
	text := blankFences(src)
	spans := findCodeSpans(text)
	idx := spanIndex(len(text), spans)
	p := page{Anchors: headingAnchors(text)}
	inLink := make([]bool, len(spans))
	for i := 0; i < len(text); i++ {
		if text[i] != '[' || idx[i] >= 0 || (i > 0 && text[i-1] == '\\') {
			continue
		}
		l, end, ok := linkAt(text, i, spans, idx, inLink)
		if !ok {
			continue
		}
		p.Links = append(p.Links, l)
		i = end - 1
	}
	for k, s := range spans {
		if !inLink[k] {
			p.Spans = append(p.Spans, codeSpan{Line: lineOf(text, s.outer[0]), Code: text[s.inner[0]:s.inner[1]]})
		}
	}
	return p
}

// linkAt reads a link whose `[` is at text[i]; end is the index after its `)`.
// The link text may wrap over lines but not over a blank line (a paragraph).
func linkAt(text string, i int, spans []span, idx []int, inLink []bool) (l link, end int, ok bool) {
	depth := 0
	j := i
	for ; j < len(text); j++ {
		if k := idx[j]; k >= 0 {
			j = spans[k].outer[1] - 1 // skip past the closing backticks
			continue
		}
		switch text[j] {
		case '[':
			depth++
		case ']':
			depth--
		case '\n':
			if strings.HasPrefix(text[j+1:], "\n") {
				return l, 0, false
			}
		}
		if depth == 0 {
			break
		}
	}
	if j+1 >= len(text) || text[j] != ']' || text[j+1] != '(' {
		return l, 0, false
	}
	close := strings.IndexByte(text[j+2:], ')')
	if close < 0 {
		return l, 0, false
	}
	target := strings.TrimSpace(text[j+2 : j+2+close])
	if sp := strings.IndexAny(target, " \t\n"); sp >= 0 { // [x](path "title")
		target = target[:sp]
	}
	l = link{Line: lineOf(text, i), Text: text[i+1 : j], Target: strings.Trim(target, "<>")}
	for k, s := range spans {
		if s.outer[0] > i && s.outer[1] <= j {
			l.Spans = append(l.Spans, text[s.inner[0]:s.inner[1]])
			inLink[k] = true
		}
	}
	return l, j + 2 + close + 1, true
}

// blankFences replaces every line of a fenced code block, fences included,
// by an empty line, so line numbers stay right.
func blankFences(src string) string {
	lines := strings.Split(src, "\n")
	fence := ""
	for i, ln := range lines {
		t := strings.TrimLeft(ln, " \t>")
		if fence == "" {
			if strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~") {
				fence = t[:3]
				for len(fence) < len(t) && t[len(fence)] == fence[0] {
					fence += t[:1]
				}
				lines[i] = ""
			}
			continue
		}
		if strings.HasPrefix(t, fence) && strings.Trim(t, fence[:1]+" ") == "" {
			fence = ""
		}
		lines[i] = ""
	}
	return strings.Join(lines, "\n")
}

// findCodeSpans returns the [start, end) byte ranges of the contents of the
// inline code spans: a run of n backticks up to the next run of exactly n
// backticks in the same paragraph (CommonMark's rule; the spaces just inside
// are trimmed).
func findCodeSpans(text string) []span {
	var spans []span
	for i := 0; i < len(text); {
		if text[i] != '`' {
			i++
			continue
		}
		n := run(text, i)
		open := i + n
		closeAt := -1
		for j := open; j < len(text); {
			if text[j] == '\n' && strings.HasPrefix(text[j+1:], "\n") {
				break
			}
			if text[j] == '`' {
				m := run(text, j)
				if m == n {
					closeAt = j
					break
				}
				j += m
				continue
			}
			j++
		}
		if closeAt < 0 {
			i = open
			continue
		}
		s, e := open, closeAt
		for s < e && text[s] == ' ' {
			s++
		}
		for e > s && text[e-1] == ' ' {
			e--
		}
		spans = append(spans, span{inner: [2]int{s, e}, outer: [2]int{i, closeAt + n}})
		i = closeAt + n
	}
	return spans
}

func run(text string, i int) int {
	n := 0
	for i+n < len(text) && text[i+n] == '`' {
		n++
	}
	return n
}

// spanIndex maps every byte of text to the code span, backticks included,
// that covers it, or -1.
func spanIndex(n int, spans []span) []int {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = -1
	}
	for k, s := range spans {
		for i := s.outer[0]; i < s.outer[1]; i++ {
			idx[i] = k
		}
	}
	return idx
}

func lineOf(text string, i int) int { return strings.Count(text[:i], "\n") + 1 }

var headingRe = regexp.MustCompile(`(?m)^ {0,3}(#{1,6})[ \t]+(.*?)[ \t#]*$`)
var inlineLinkRe = regexp.MustCompile(`\[([^\]]*)\]\([^)]*\)`)

// headingAnchors returns the anchors GitHub gives the headings: the text
// without markup, lower case, punctuation dropped, spaces as hyphens, and a
// "-1", "-2", ... suffix on repeats.
func headingAnchors(text string) map[string]bool {
	anchors := map[string]bool{}
	seen := map[string]int{}
	for _, m := range headingRe.FindAllStringSubmatch(text, -1) {
		a := Slug(m[2])
		if n := seen[a]; n > 0 {
			anchors[a+"-"+strconv.Itoa(n)] = true
		} else {
			anchors[a] = true
		}
		seen[a]++
	}
	return anchors
}

// Slug is GitHub's anchor for a heading's text.
func Slug(heading string) string {
	heading = inlineLinkRe.ReplaceAllString(heading, "$1")
	var b strings.Builder
	for _, r := range strings.ToLower(heading) {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}
