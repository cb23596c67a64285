package jsonpath

// Kind is the JSON type of a field Lookup found.
type Kind uint8

// Kinds.
const (
	// KindNone: no field (Lookup's ok is false).
	KindNone Kind = iota
	// KindString: raw is the string's value, without quotes: UTF-8 and
	// without escapes.
	KindString
	// KindEscapedString: raw is the string between its quotes but holds
	// escapes or bytes that are not UTF-8; compare it with EqualString,
	// decode it with AppendString.
	KindEscapedString
	// KindNumber: raw is the number's literal text.
	KindNumber
	// KindBool: raw is true or false.
	KindBool
	// KindNull: raw is null.
	KindNull
	// KindObject: raw is the whole object, braces included.
	KindObject
	// KindArray: raw is the whole array, brackets included.
	KindArray
)

// IsString reports whether k is either string kind.
func (k Kind) IsString() bool { return k == KindString || k == KindEscapedString }

// String names the kind.
func (k Kind) String() string {
	switch k {
	case KindString:
		return "string"
	case KindEscapedString:
		return "escaped string"
	case KindNumber:
		return "number"
	case KindBool:
		return "bool"
	case KindNull:
		return "null"
	case KindObject:
		return "object"
	case KindArray:
		return "array"
	}
	return "none"
}
