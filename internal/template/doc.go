// Package template renders the per-client strings a fleet sends to a
// server of the user's own: the WebSocket URL, extra handshake headers
// (-H 'Authorization: Bearer {{line tokens.txt}}') and the body of an
// application ping (--app-ping '{"type":"ping","time":{{now_ms}}}').
//
// A template is text with placeholders between {{ and }}:
//
//	{{client}}    the client's ID, decimal
//	{{shard}}     the process's shard index (i of --shard i/n), decimal
//	{{env NAME}}  the environment variable NAME, read once by Parse; unset
//	              is an error, empty is allowed
//	{{line FILE}} line g of FILE for client g (client 0 gets the first
//	              line); FILE is read once and must have a line for every
//	              client of the fleet (an ID beyond the fleet wraps around
//	              within it)
//	{{now_ms}}    wall-clock Unix time in milliseconds at rendering time
//	{{now_ns}}    the same in nanoseconds
//	{{"text"}}    text itself: a Go string literal, so {{"{{"}} is a
//	              literal {{ (a lone } or }} needs no escape)
//
// Spaces inside the braces are ignored ({{ client }}); FILE and NAME may
// be Go string literals ({{line "my tokens.txt"}}). A placeholder ends at
// the first }}, so {"t":{{now_ms}}} is the JSON it looks like. Anything
// else between {{ and }}, and a {{ that is never closed, is an error that
// gives its byte offset in the template.
//
// A line of FILE ends at LF or at the end of the file; a CR before either
// is dropped (CRLF files work), a UTF-8 byte order mark at the start of
// the file is dropped, and the empty "line" after a final LF is not one.
//
// What a value may hold, and how it is written, depends on where the
// template is used (Options.Context):
//
//   - InHeader: the rendered text is an HTTP field value (RFC 7230 §3.2),
//     so a control character other than HTAB (CR and LF above all, which
//     would split the request) is refused wherever it would come from: the
//     template's text, an environment variable, or any line of FILE that a
//     client of the fleet would use (the error gives the line number).
//     Values are inserted as they are.
//   - InURL: values of {{env}} and {{line}} are percent-encoded (RFC 3986
//     §2.1) except for the unreserved characters A–Z a–z 0–9 - . _ ~, so a
//     value is always one path segment or one query value, whatever it
//     holds: "a b/c+d" becomes a%20b%2Fc%2Bd (%20 rather than +, since it
//     means a space in a path and in a query alike). Placeholders may only
//     follow the authority (in the path, query or fragment): a fleet dials
//     one host, so the scheme and host must be the template's own text.
//   - InBody: values are inserted as they are (not JSON-escaped: a file
//     whose lines go inside a JSON string must hold them escaped), and must
//     be UTF-8, as a text message must (RFC 6455 §5.6, §8.1).
//
// Errors never quote a line of FILE or an environment variable's value:
// they are often secrets. They name the file or variable, the line number
// and the byte offset instead.
//
// Memory: a Files cache reads every FILE once, however many templates name
// it, into one []byte holding all lines back to back and one []uint32 of
// offsets, so a line costs its own bytes plus 4, plus the 1 or 2 bytes of
// its terminator left as slack at the end of the buffer; no string header
// per line.
//
// Rendering (Template.Append) appends to the caller's buffer and does not
// allocate when the buffer has Template.MaxLen bytes of room: it runs for
// every connection attempt and every heartbeat of hundreds of thousands
// of clients.
package template
