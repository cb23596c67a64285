package kernel

import (
	"encoding/json"
	"errors"
	"fmt"
)

// errNotRead marks a Fact nobody tried to read (the zero Fact).
var errNotRead = errors.New("not read")

// Fact is one value read from the kernel, or why it could not be read. An
// unknown value is never reported as 0: OK is false and Err says why.
type Fact[T any] struct {
	Value T
	OK    bool
	Err   error
}

// known returns a Fact holding v.
func known[T any](v T) Fact[T] { return Fact[T]{Value: v, OK: true} }

// unknown returns a Fact that could not be read because of err.
func unknown[T any](err error) Fact[T] { return Fact[T]{Err: err} }

// Get returns the value and whether it is known.
func (f Fact[T]) Get() (T, bool) { return f.Value, f.OK }

// Error returns why the value is unknown, or nil when it is known.
func (f Fact[T]) Error() error {
	if f.OK {
		return nil
	}
	if f.Err == nil {
		return errNotRead
	}
	return f.Err
}

// String formats the value, or "unknown (reason)".
func (f Fact[T]) String() string {
	if !f.OK {
		return fmt.Sprintf("unknown (%v)", f.Error())
	}
	return fmt.Sprint(f.Value)
}

// MarshalJSON writes the value, or null when it is unknown, so a summary
// never shows a made-up 0.
func (f Fact[T]) MarshalJSON() ([]byte, error) {
	if !f.OK {
		return []byte("null"), nil
	}
	return json.Marshal(f.Value)
}
