package template

// Placeholder is a kind of {{…}} a template may use.
type Placeholder uint8

// Placeholders. Quoted text ({{"{{"}}) is literal text, not a placeholder.
const (
	ClientID   Placeholder = iota // {{client}}
	ShardIndex                    // {{shard}}
	Env                           // {{env NAME}}
	Line                          // {{line FILE}}
	NowMS                         // {{now_ms}}
	NowNS                         // {{now_ns}}
	numPlaceholders
)

var placeholderNames = [numPlaceholders]string{"client", "shard", "env", "line", "now_ms", "now_ns"}

// String returns the name written between the braces.
func (p Placeholder) String() string {
	if p < numPlaceholders {
		return placeholderNames[p]
	}
	return "unknown"
}

// takesArg reports whether the placeholder is followed by an argument.
func (p Placeholder) takesArg() bool { return p == Env || p == Line }

// lookupPlaceholder returns the placeholder called name.
func lookupPlaceholder(name string) (Placeholder, bool) {
	for i, n := range placeholderNames {
		if n == name {
			return Placeholder(i), true
		}
	}
	return 0, false
}
