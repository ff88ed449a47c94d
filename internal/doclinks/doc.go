// Package doclinks keeps the documentation true to the code: its test reads
// every markdown page (README.md, docs/*.md, examples/**/*.md) and fails on
// a reference that no longer holds.
//
// The convention it enforces (docs/README.md, "Links to the code"):
//
//   - A relative link's target must exist, relative to the page. URLs
//     (https:, mailto:, ...) are not checked. Fenced code blocks (mermaid
//     included) and inline code spans hold no links.
//   - An anchor on a .md target (or on the page itself, "#name") must be the
//     GitHub anchor of one of its headings.
//   - A link to a .go file binds the Go names its text gives, in code spans,
//     to that file: [`RunCmd.Run`](../cmd_run.go) says that cmd_run.go
//     declares RunCmd.Run. A name is a func, type, var or const (`Name`), a
//     method, field or interface method (`Type.Name`), optionally qualified
//     by the file's package (`mount.Overlay`, `ns.Proc.Wait`) and followed by
//     "()". A bare name after a type in the same link may be that type's
//     method ("[`volume.Store`: `Create`, `Get`](../volume/store.go)"). A
//     span naming a file (`overlay.go`) or a directory (`mount/`) must match
//     the target's path. Link text with no code span is checked only when
//     it is, in full, one dotted name ([RunCmd.Run](../cmd_run.go)) or one
//     file name. Other spans (flags, shell)
//     are prose and not checked.
//   - A line anchor on a .go target (#L12 or #L12-L20) must lie inside the
//     file and, if the text names a declaration, inside that declaration
//     (its doc comment included); any other anchor on a .go file is an error.
//   - Outside links, a code span naming a Go file must name one that exists:
//     `layers/unpack.go` from the repository root, a bare `doc.go` anywhere;
//     a span `pkg.Name` or `pkg.Type.Name` whose pkg is one of the
//     repository's packages must name a declaration of that package.
//
// Go files are parsed with go/parser for their declarations only (no type
// checking), so the whole check takes a fraction of a second. Every problem
// is reported as "page:line: [text](target): what is missing", with where
// the name or file is declared now when the checker can find it, so that a
// move of files is retargeted quickly.
package doclinks
