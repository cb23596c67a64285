package template

import (
	"errors"
	"fmt"
)

// Causes of a Parse error, for errors.Is.
var (
	// ErrSyntax: an unknown placeholder, a {{ never closed, a bad argument
	// or string literal.
	ErrSyntax = errors.New("syntax error")
	// ErrPlacement: a placeholder where the context does not allow one
	// (in a URL's scheme or host).
	ErrPlacement = errors.New("placeholder not allowed here")
	// ErrEnvUnset: {{env NAME}} with NAME not set.
	ErrEnvUnset = errors.New("environment variable not set")
	// ErrFile: a {{line FILE}} that cannot be read or is too large.
	ErrFile = errors.New("cannot use file")
	// ErrTooFewLines: FILE has fewer lines than the fleet has clients.
	ErrTooFewLines = errors.New("too few lines")
	// ErrBadValue: text, a variable or a line holds bytes the context
	// refuses (a control character in a header, invalid UTF-8 in a body).
	ErrBadValue = errors.New("value not allowed")
)

// Error is a Parse error: the template, where in it, and why.
type Error struct {
	// Template is the template's text.
	Template string
	// Offset is the byte offset in Template of the {{ of the placeholder
	// at fault, or of the offending byte of literal text.
	Offset int
	// Err is the cause; it wraps one of the Err* values of this package
	// (and the os error for an unreadable file).
	Err error
}

// Error says what is wrong and where.
func (e *Error) Error() string {
	return fmt.Sprintf("template %q: at byte %d: %v", e.Template, e.Offset, e.Err)
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }
