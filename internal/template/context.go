package template

// Context is where a rendered template goes; it decides which bytes a
// value may hold and how it is written (see the package doc).
type Context uint8

// Contexts.
const (
	// InBody is the payload of a text message, such as an app ping.
	InBody Context = iota
	// InHeader is the value of an HTTP header field of the handshake.
	InHeader
	// InURL is the WebSocket URL, or a request-target (path and query).
	InURL
)

// String names the context.
func (c Context) String() string {
	switch c {
	case InBody:
		return "message body"
	case InHeader:
		return "header value"
	case InURL:
		return "URL"
	}
	return "unknown context"
}
