package jsonpath

// Match is a compiled "path" or "path=value" test of a message. The zero
// Match matches nothing.
type Match struct {
	src      string
	path     Path
	value    string
	hasValue bool
}

// CompileMatch compiles "path" (the field is present, whatever its value)
// or "path=value" (see the package doc for how values compare).
func CompileMatch(spec string) (Match, error) {
	keys, rest, err := split(spec, true)
	if err != nil {
		return Match{}, err
	}
	m := Match{src: spec, path: Path{src: spec, keys: keys}}
	if rest != "" { // rest is "=value"
		m.path.src = spec[:len(spec)-len(rest)]
		m.value, m.hasValue = rest[1:], true
	}
	return m, nil
}

// Matches reports whether msg has the field, equal to the value if the
// match has one. It does not allocate.
func (m Match) Matches(msg []byte) bool {
	raw, kind, ok := Lookup(msg, m.path)
	if !ok {
		return false
	}
	if !m.hasValue {
		return true
	}
	switch kind {
	case KindString, KindEscapedString:
		return EqualString(raw, kind, m.value)
	case KindNumber, KindBool, KindNull:
		return string(raw) == m.value
	}
	return false
}

// Path returns the path the match looks up.
func (m Match) Path() Path { return m.path }

// Value returns the value the field must equal, if any.
func (m Match) Value() (string, bool) { return m.value, m.hasValue }

// String returns the spec as given to CompileMatch.
func (m Match) String() string { return m.src }
