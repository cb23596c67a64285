package fielderr

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// Error is one setting out of range.
type Error struct {
	// Field is the path of the field, e.g. "Heartbeat.Interval".
	Field string
	// Msg says what is allowed and what was given, e.g. "must be ≥ 10ms
	// (got 5ms)". Other fields it mentions are written {Path}, so that a
	// command can name them by their flags too.
	Msg string
}

// New returns an *Error for field with a formatted message.
func New(field, format string, a ...any) *Error {
	return &Error{Field: field, Msg: fmt.Sprintf(format, a...)}
}

// Error names the field, and fields in the message, by their paths.
func (e *Error) Error() string { return e.Render(func(f string) string { return f }) }

// refRE finds a {Field.Path} reference: Go field names start upper-case,
// which keeps a template's {{now_ms}} quoted in a message out of it.
var refRE = regexp.MustCompile(`\{([A-Z][A-Za-z0-9_.]*)\}`)

// Render writes the error with name(field) for the field and every field
// the message mentions.
func (e *Error) Render(name func(field string) string) string {
	msg := refRE.ReplaceAllStringFunc(e.Msg, func(m string) string { return name(m[1 : len(m)-1]) })
	return name(e.Field) + " " + msg
}

// Prefix returns err with prefix+"." put before the field of every *Error
// in it (the fields of a nested struct), and before every field the
// messages mention. Other errors are kept as they are.
func Prefix(err error, prefix string) error {
	if err == nil {
		return nil
	}
	var out []error
	for _, e := range Flatten(err) {
		var fe *Error
		if errors.As(e, &fe) {
			msg := refRE.ReplaceAllString(fe.Msg, "{"+prefix+".$1}")
			out = append(out, &Error{Field: prefix + "." + fe.Field, Msg: msg})
			continue
		}
		out = append(out, e)
	}
	return errors.Join(out...)
}

// Flatten returns the leaves of err's tree of joined errors, in order.
func Flatten(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, Flatten(e)...)
		}
		return out
	}
	return []error{err}
}

// Rename returns err as one error whose lines name every field by
// name(field): what a command prints. Errors that are not *Error keep
// their text.
func Rename(err error, name func(field string) string) error {
	if err == nil {
		return nil
	}
	var lines []string
	for _, e := range Flatten(err) {
		var fe *Error
		if errors.As(e, &fe) {
			lines = append(lines, fe.Render(name))
			continue
		}
		lines = append(lines, e.Error())
	}
	return &renamed{msg: strings.Join(lines, "\n"), err: err}
}

type renamed struct {
	msg string
	err error
}

func (r *renamed) Error() string { return r.msg }
func (r *renamed) Unwrap() error { return r.err }
