package jsonpath

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// MaxDepth is how deeply a message may nest objects and arrays (the top
// object is depth 1) where Lookup must read it; deeper nesting makes
// Lookup fail. It is what one uint64 can hold as the stack of a skip.
const MaxDepth = 64

// ErrPath reports a path or match spec that cannot be compiled.
var ErrPath = errors.New("jsonpath: bad path")

// Path is a compiled dotted path. The zero Path finds nothing.
type Path struct {
	src  string
	keys []string
}

// Compile compiles a dotted path of object keys (see the package doc for
// escapes).
func Compile(path string) (Path, error) {
	keys, _, err := split(path, false)
	if err != nil {
		return Path{}, err
	}
	return Path{src: path, keys: keys}, nil
}

// String returns the path as given to Compile.
func (p Path) String() string { return p.src }

// Keys returns the path's keys, unescaped; the caller must not modify it.
func (p Path) Keys() []string { return p.keys }

// split parses keys from s. With match set it stops at the first
// unescaped '=' and returns what follows (value, with ok); without, an
// unescaped '=' is an error.
func split(s string, match bool) (keys []string, value string, err error) {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w %q: %s", ErrPath, s, fmt.Sprintf(format, a...))
	}
	if !utf8.ValidString(s) {
		return nil, "", bad("not UTF-8")
	}
	var key strings.Builder
	end := func() error {
		if key.Len() == 0 {
			return bad("empty key (a key may not be empty)")
		}
		keys = append(keys, key.String())
		key.Reset()
		return nil
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			if i+1 == len(s) || strings.IndexByte(`.\=`, s[i+1]) < 0 {
				return nil, "", bad(`at byte %d: a backslash escapes only '.', '\' and '='`, i)
			}
			i++
			key.WriteByte(s[i])
		case '.':
			if err := end(); err != nil {
				return nil, "", err
			}
		case '=':
			if !match {
				return nil, "", bad(`at byte %d: '=' in a path (write \= for a key holding one)`, i)
			}
			if err := end(); err != nil {
				return nil, "", err
			}
			return keys, s[i:], checkDepth(keys, bad)
		default:
			key.WriteByte(c)
		}
	}
	if err := end(); err != nil {
		return nil, "", err
	}
	return keys, "", checkDepth(keys, bad)
}

func checkDepth(keys []string, bad func(string, ...any) error) error {
	if len(keys) > MaxDepth {
		return bad("%d keys, more than MaxDepth (%d)", len(keys), MaxDepth)
	}
	return nil
}
