package template

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Options say where a template is used and what it may read.
type Options struct {
	// Context is where the rendered text goes.
	Context Context
	// Clients is the fleet's size: client IDs are 0 … Clients-1, and a
	// {{line FILE}} needs that many lines. Required (≥ 1) when the
	// template uses {{line}}.
	Clients int
	// Files caches the files {{line}} reads; pass one Files to every
	// template of a fleet so that they share them. Nil: a cache of this
	// template's own.
	Files *Files
	// LookupEnv reads {{env NAME}}; nil means os.LookupEnv.
	LookupEnv func(name string) (string, bool)
}

// Vars are what a rendering fills in.
type Vars struct {
	// Client is the client's ID.
	Client uint64
	// Shard is the process's shard index.
	Shard int
	// NowUnixNano is the wall-clock time, passed in by the caller so that
	// rendering is deterministic.
	NowUnixNano int64
}

// Template is a parsed template. It is immutable and safe for concurrent
// use.
type Template struct {
	src    string
	ctx    Context
	segs   []segment
	uses   [numPlaceholders]bool
	maxLen int
}

// segment is literal text (op opLit) or one placeholder; a {{line}} has
// its file and the fleet's size.
type segment struct {
	op      op
	lit     string
	file    *file
	clients uint64
}

type op uint8

const (
	opLit op = iota
	opClient
	opShard
	opLine
	opNowMS
	opNowNS
)

// maxDigits is the length of the longest decimal int64 or uint64.
const maxDigits = 20

// Parse parses s for use in o.Context. It reads the environment variables
// and files s names, and refuses whatever would make a client's rendering
// wrong: see the package doc.
func Parse(s string, o Options) (*Template, error) {
	p := parser{t: &Template{src: s, ctx: o.Context}, o: o}
	if p.o.Files == nil {
		p.o.Files = NewFiles()
	}
	if p.o.LookupEnv == nil {
		p.o.LookupEnv = os.LookupEnv
	}
	if err := p.parse(s); err != nil {
		return nil, &Error{Template: s, Offset: p.at, Err: err}
	}
	return p.t, nil
}

type parser struct {
	t *Template
	o Options
	// lit is literal text not yet put into a segment; at the offset of
	// what is being parsed, for errors.
	lit strings.Builder
	at  int
	// litBefore is the literal text before the first placeholder, whether
	// a placeholder has been seen, and all literal text: to place them in
	// a URL.
	seen      bool
	litBefore string
	allLit    strings.Builder
}

func (p *parser) parse(s string) error {
	pos := 0
	for pos < len(s) {
		i := strings.Index(s[pos:], "{{")
		if i < 0 {
			if err := p.literal(s[pos:], pos); err != nil {
				return err
			}
			break
		}
		if err := p.literal(s[pos:pos+i], pos); err != nil {
			return err
		}
		p.at = pos + i
		body := s[pos+i+2:]
		j := strings.Index(body, "}}")
		if j < 0 {
			return fmt.Errorf("%w: {{ is never closed (write {{\"{{\"}} for a literal {{)", ErrSyntax)
		}
		if err := p.action(strings.TrimSpace(body[:j])); err != nil {
			return err
		}
		pos += i + 2 + j + 2
	}
	p.flush()
	if p.t.ctx == InURL && p.seen {
		p.at = 0
		if err := checkURLPlacement(p.litBefore, p.allLit.String()); err != nil {
			return err
		}
	}
	p.t.maxLen = 0
	for _, sg := range p.t.segs {
		p.t.maxLen += sg.maxLen(p.t.ctx)
	}
	return nil
}

// literal adds text found at offset off of the template.
func (p *parser) literal(text string, off int) error {
	switch p.t.ctx {
	case InHeader:
		if j := ctlIndex(text); j >= 0 {
			p.at = off + j
			return fmt.Errorf("%w: control character %#02x in a header value", ErrBadValue, text[j])
		}
	case InBody:
		if !utf8.ValidString(text) {
			p.at = off + firstInvalid(text)
			return fmt.Errorf("%w: not UTF-8, as a text message must be", ErrBadValue)
		}
	}
	p.lit.WriteString(text)
	p.allLit.WriteString(text)
	return nil
}

// action handles what stood between {{ and }}, spaces trimmed.
func (p *parser) action(a string) error {
	if a != "" && (a[0] == '"' || a[0] == '`') {
		text, err := strconv.Unquote(a)
		if err != nil {
			return fmt.Errorf("%w: {{%s}}: not a Go string literal", ErrSyntax, a)
		}
		at := p.at
		err = p.literal(text, at)
		p.at = at // the placeholder, not an offset in its unquoted text
		return err
	}
	name, arg := a, ""
	if i := strings.IndexAny(a, " \t"); i >= 0 {
		name, arg = a[:i], strings.TrimSpace(a[i:])
	}
	ph, ok := lookupPlaceholder(name)
	if !ok {
		return fmt.Errorf("%w: unknown placeholder {{%s}} (known: client, shard, env NAME, line FILE, now_ms, now_ns; {{\"{{\"}} is a literal {{)", ErrSyntax, a)
	}
	if ph.takesArg() {
		if arg == "" {
			return fmt.Errorf("%w: {{%s}} needs an argument: {{%s NAME}}", ErrSyntax, a, name)
		}
		if arg[0] == '"' || arg[0] == '`' {
			u, err := strconv.Unquote(arg)
			if err != nil {
				return fmt.Errorf("%w: {{%s}}: argument is not a Go string literal", ErrSyntax, a)
			}
			arg = u
		}
	} else if arg != "" {
		return fmt.Errorf("%w: {{%s}} takes no argument", ErrSyntax, a)
	}
	if !p.seen {
		p.seen, p.litBefore = true, p.allLit.String()
	}
	p.t.uses[ph] = true
	switch ph {
	case ClientID:
		p.add(segment{op: opClient})
	case ShardIndex:
		p.add(segment{op: opShard})
	case NowMS:
		p.add(segment{op: opNowMS})
	case NowNS:
		p.add(segment{op: opNowNS})
	case Env:
		return p.env(arg)
	case Line:
		return p.line(arg)
	}
	return nil
}

// env reads variable name now and adds its value as literal text.
func (p *parser) env(name string) error {
	v, ok := p.o.LookupEnv(name)
	if !ok {
		return fmt.Errorf("%w: %s", ErrEnvUnset, name)
	}
	switch p.t.ctx {
	case InHeader:
		if j := ctlIndex(v); j >= 0 {
			return fmt.Errorf("%w: environment variable %s: control character %#02x at byte %d of its value, in a header value", ErrBadValue, name, v[j], j)
		}
	case InBody:
		if !utf8.ValidString(v) {
			return fmt.Errorf("%w: environment variable %s: not UTF-8 (at byte %d), as a text message must be", ErrBadValue, name, firstInvalid(v))
		}
	case InURL:
		v = string(appendEscaped(nil, v))
	}
	p.lit.WriteString(v)
	return nil
}

// line reads file name (or finds it in the cache) and checks the lines the
// fleet will use.
func (p *parser) line(name string) error {
	if p.o.Clients < 1 {
		return fmt.Errorf("%w: {{line %s}} needs the fleet's size (Options.Clients)", ErrFile, name)
	}
	fl, err := p.o.Files.load(name)
	if err != nil {
		return err
	}
	if fl.lines() < p.o.Clients {
		return fmt.Errorf("%w: %s has %d lines, %d needed (one per client)", ErrTooFewLines, name, fl.lines(), p.o.Clients)
	}
	switch p.t.ctx {
	case InHeader:
		if fl.ctl >= 0 && fl.ctl < p.o.Clients {
			line := fl.line(uint64(fl.ctl))
			return fmt.Errorf("%w: %s line %d: control character %#02x at byte %d, in a header value", ErrBadValue, name, fl.ctl+1, line[fl.ctlAt], fl.ctlAt)
		}
	case InBody:
		if fl.bad >= 0 && fl.bad < p.o.Clients {
			return fmt.Errorf("%w: %s line %d: not UTF-8 (at byte %d), as a text message must be", ErrBadValue, name, fl.bad+1, firstInvalid(fl.line(uint64(fl.bad))))
		}
	}
	p.add(segment{op: opLine, file: fl, clients: uint64(p.o.Clients)})
	return nil
}

// add appends a placeholder segment after the pending literal text.
func (p *parser) add(sg segment) {
	p.flush()
	p.t.segs = append(p.t.segs, sg)
}

func (p *parser) flush() {
	if p.lit.Len() > 0 {
		p.t.segs = append(p.t.segs, segment{op: opLit, lit: p.lit.String()})
		p.lit.Reset()
	}
}

// checkURLPlacement refuses a placeholder in a URL's scheme or authority:
// before, the template's literal text; all, all of it.
func checkURLPlacement(before, all string) error {
	i := strings.Index(before, "://")
	if i < 0 {
		if strings.Contains(all, "://") {
			return fmt.Errorf("%w: a placeholder in the URL's scheme: the scheme and host must be written out", ErrPlacement)
		}
		return nil // a request-target without scheme and host
	}
	if !strings.ContainsAny(before[i+3:], "/?#") {
		return fmt.Errorf("%w: a placeholder in the URL's host: a fleet dials one host, so placeholders go in the path, query or fragment", ErrPlacement)
	}
	return nil
}

// firstInvalid returns the offset of the first byte of s that is not part
// of valid UTF-8.
func firstInvalid[T string | []byte](s T) int {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(string(s[i:min(i+utf8.UTFMax, len(s))]))
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return len(s)
}

// maxLen bounds the segment's rendering in context c.
func (sg segment) maxLen(c Context) int {
	switch sg.op {
	case opLit:
		return len(sg.lit)
	case opLine:
		if c == InURL {
			return sg.file.maxEsc
		}
		return sg.file.maxLen
	}
	return maxDigits
}

// Append appends the template rendered for v to dst. It does not allocate
// when dst has MaxLen bytes of room.
func (t *Template) Append(dst []byte, v Vars) []byte {
	for i := range t.segs {
		sg := &t.segs[i]
		switch sg.op {
		case opLit:
			dst = append(dst, sg.lit...)
		case opClient:
			dst = strconv.AppendUint(dst, v.Client, 10)
		case opShard:
			dst = strconv.AppendInt(dst, int64(v.Shard), 10)
		case opNowMS:
			dst = strconv.AppendInt(dst, floorDiv(v.NowUnixNano, 1e6), 10)
		case opNowNS:
			dst = strconv.AppendInt(dst, v.NowUnixNano, 10)
		case opLine:
			line := sg.file.clientLine(v.Client, sg.clients)
			if t.ctx == InURL {
				dst = appendEscaped(dst, line)
			} else {
				dst = append(dst, line...)
			}
		}
	}
	return dst
}

// floorDiv is a / b rounded down, so that times before 1970 keep their
// order.
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b < 0 {
		q--
	}
	return q
}

// MaxLen bounds the length of any rendering: size the buffer of Append
// with it.
func (t *Template) MaxLen() int { return t.maxLen }

// Static reports whether the rendering depends on neither the client nor
// the time: a process then renders it once (with its Vars.Shard) and
// reuses the bytes.
func (t *Template) Static() bool {
	return !t.uses[ClientID] && !t.uses[Line] && !t.uses[NowMS] && !t.uses[NowNS]
}

// Uses reports whether the template has placeholder p.
func (t *Template) Uses(p Placeholder) bool { return p < numPlaceholders && t.uses[p] }

// Context returns the context the template was parsed for.
func (t *Template) Context() Context { return t.ctx }

// String returns the template's text as given to Parse.
func (t *Template) String() string { return t.src }
